"""The deterministic demo data set (invented enterprises, real TN VED codes)."""
