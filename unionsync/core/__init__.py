"""Pieces every domain shares: money, errors, listing."""
