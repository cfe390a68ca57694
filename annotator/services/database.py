"""Opening the database, for the command line and the window (which do not import ``store``)."""

from __future__ import annotations

import os

from annotator.store.database import Database, StorageError
from annotator.store.migrate import HEAD_REVISION as SCHEMA_REVISION


def open_database(db: str | os.PathLike[str] | None = None) -> Database:
    """Open (creating or upgrading) the database named by ``--db``, ``$ANNOTATOR_DB`` or the default."""
    return Database.open(db)


def upgrade_note(database: Database) -> str | None:
    """What to tell the user after opening upgraded an older database (and where its copy is); else ``None``."""
    if database.backup_path is None:
        return None
    return (
        f"{database.describe()}: upgraded to schema {SCHEMA_REVISION}; "
        f"a copy of it as it was is saved as {database.backup_path}"
    )


__all__ = ["SCHEMA_REVISION", "Database", "StorageError", "open_database", "upgrade_note"]
