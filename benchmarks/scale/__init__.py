"""Data at scale and the pages to measure on it (see README, Performance).

Not part of the application: `registrations.cli` registers `seed-scale` only when this folder
is present.
"""
