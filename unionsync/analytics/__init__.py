"""Opportunity analytics: economic complexity and bilateral opportunities."""
