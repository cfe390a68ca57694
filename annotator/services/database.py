"""Opening the database, for the command line and the window (which do not import ``store``)."""

from __future__ import annotations

import os

from annotator.store.database import Database
from annotator.store.migrate import HEAD_REVISION as SCHEMA_REVISION


def open_database(db: str | os.PathLike[str] | None = None) -> Database:
    """Open (creating or upgrading) the database named by ``--db``, ``$ANNOTATOR_DB`` or the default."""
    return Database.open(db)


__all__ = ["SCHEMA_REVISION", "Database", "open_database"]
