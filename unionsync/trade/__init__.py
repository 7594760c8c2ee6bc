"""Mutual trade records, exchange rates and critical-product lists."""
