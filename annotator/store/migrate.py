"""Bring a database to the current schema: create, upgrade (after a backup), or refuse.

The program knows its schema revision (:data:`HEAD_REVISION`) without
importing Alembic, so opening an up-to-date database stays fast; Alembic is
loaded only to create or upgrade. A test checks that this constant is
Alembic's head and that the migrations produce the ORM's tables.
"""

from __future__ import annotations

import glob
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from annotator.domain.errors import UserError
from annotator.store.engine import sqlite_path, use_wal

HEAD_REVISION = "0002"
KNOWN_REVISIONS = ("0001", "0002")


def alembic_config(connection: Connection | None = None) -> object:
    """An Alembic ``Config`` pointing at the migrations inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "annotator.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The database's Alembic revision, or ``None`` when it has none."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def prepare_database(engine: Engine) -> str | None:
    """Create or upgrade the schema of ``engine``'s database to :data:`HEAD_REVISION`.

    Returns the path of the backup made before an upgrade, or ``None``.
    Raises :class:`UserError` for a database from a newer program, or a file
    that is not an annotator database; such files are never written to.
    """
    path = sqlite_path(engine.url)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            tables = set(inspect(connection).get_table_names())
    except DatabaseError as error:
        where = path or engine.url.render_as_string(hide_password=True)
        raise UserError(f"{where}: cannot be opened as a database ({_first_line(error)})") from None
    if revision is None and tables:
        raise UserError(
            f"{path or engine.url}: is not an annotator database (it has other tables); choose another --db"
        )
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise UserError(
            f"{path or engine.url}: was made by a newer version of annotator (schema {revision}); "
            "update annotator to open it"
        )
    use_wal(engine)
    if revision == HEAD_REVISION:
        return None
    backup = None
    if revision is not None and path is not None:
        try:
            backup = backup_sqlite(path, revision)
        except (OSError, sqlite3.Error) as error:
            raise UserError(
                f"{path}: cannot save a copy before upgrading it from schema {revision} ({_first_line(error)}); "
                "nothing was changed; free space or fix permissions in its folder"
            ) from None
    try:
        _upgrade(engine)
    except DatabaseError as error:  # the upgrade is one transaction: rolled back, the file is as it was
        saved = f"; a copy made before the upgrade is {backup}" if backup else ""
        raise UserError(
            f"{path or engine.url}: upgrading from schema {revision} to {HEAD_REVISION} failed "
            f"({_first_line(error)}); the database is unchanged{saved}"
        ) from None
    return str(backup) if backup else None


def _upgrade(engine: Engine) -> None:
    from alembic import command

    with engine.connect().execution_options(write=True) as connection, connection.begin():
        command.upgrade(alembic_config(connection), "head")  # type: ignore[arg-type]


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy the database (consistently, with SQLite's backup API) before an upgrade.

    The copy is written under a ``.partial`` name and renamed when complete,
    so a file named as a backup is always a whole one, even after a crash
    (the next backup removes such partial leftovers).
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.backup-{revision}-{stamp}")
    partial = target.with_name(target.name + PARTIAL)
    for leftover in path.parent.glob(f"{glob.escape(path.name)}.backup-*{PARTIAL}*"):  # with its -journal
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(path)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            destination.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    with open(partial, "rb") as stream:
        os.fsync(stream.fileno())
    os.replace(partial, target)
    return target


PARTIAL = ".partial"


def _first_line(error: Exception) -> str:
    message = str(getattr(error, "orig", error) or error)
    return message.splitlines()[0] if message else type(error).__name__
