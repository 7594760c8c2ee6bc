"""Persistence: engine, sessions, declarative base, portable column types, migrations."""
