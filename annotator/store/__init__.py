"""Persistence: SQLAlchemy ORM, engine set-up, migrations; returns domain objects."""
