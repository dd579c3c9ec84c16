"""Data at scale and the pages to measure on it (see README, Performance)."""
