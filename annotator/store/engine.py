"""Engine creation: database locations, SQLite pragmas, write transactions.

SQLite runs in WAL mode with foreign keys on and a busy timeout; WAL is set
by :func:`use_wal` only once the file is known to be an annotator database, so
a refused file is never written to. The pysqlite driver's own transaction
handling is switched off so that SQLAlchemy's ``begin()`` emits ``BEGIN``
itself: write transactions (``engine.begin()`` on a
connection with the ``write`` execution option) take the write lock up front
with ``BEGIN IMMEDIATE``, so two processes never deadlock upgrading a read
lock, and the busy timeout applies.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from annotator.domain.errors import UserError

BUSY_TIMEOUT_MS = 30_000
BUSY_TIMEOUT_OPTION = "busy_timeout_ms"
"""Execution option: how long this transaction waits for another program's lock (SQLite), instead of the default."""
DB_ENV = "ANNOTATOR_DB"
DEFAULT_DB_NAME = "annotator.sqlite3"


def default_database_path() -> Path:
    """The database file in the user's data folder (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path("annotator", appauthor=False) / DEFAULT_DB_NAME


def resolve_url(db: str | os.PathLike[str] | None) -> URL:
    """Turn ``--db`` (a path or an SQLAlchemy URL), ``$ANNOTATOR_DB`` or the default into a URL."""
    value = os.fspath(db) if db is not None else os.environ.get(DB_ENV) or None
    if value is None:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite+pysqlite", database=str(path))
    if "://" in value:
        try:
            url = make_url(value)
        except ArgumentError:
            raise UserError(f"--db {value!r} is not a valid database URL") from None
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        return url
    path = Path(value).expanduser()
    if path.is_dir():
        raise UserError(f"--db {value}: is a folder; give a database file path")
    if not path.parent.exists():
        raise UserError(f"--db {value}: folder {path.parent} does not exist")
    return URL.create("sqlite+pysqlite", database=str(path.resolve()))


def is_sqlite(url: URL) -> bool:
    """True for SQLite URLs."""
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file of an SQLite URL (``None`` for in-memory databases and other backends)."""
    if is_sqlite(url) and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that exists but is not an SQLite database, before anything writes to it.

    The file is read through SQLite, never with ``open()``: closing any file
    descriptor of a database drops every POSIX lock this process holds on it,
    those of connections already open included (SQLite's "How To Corrupt An
    SQLite Database File", 2.2). Another program could then take the file
    for itself, checkpoint and delete the WAL under those connections, and
    their next commits would go to a deleted file. SQLite keeps such
    descriptors open until the process's last connection to the file closes.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA schema_version").fetchone()  # reads the header; writes nothing
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB or "not a database" in str(error):
            raise UserError(f"{path}: is not an annotator database (not an SQLite file); choose another --db") from None
        if "malformed" in str(error):
            raise UserError(
                f"{path}: is damaged or truncated (SQLite: {error}); restore a copy of it or choose another --db"
            ) from None
        raise UserError(f"{path}: cannot be opened as a database ({error}); choose another --db") from None
    finally:
        connection.close()


def make_engine(url: URL, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the pragmas and transaction handling described above."""
    if not is_sqlite(url):
        try:
            return create_engine(url, pool_pre_ping=True, **kwargs)
        except (ArgumentError, ImportError) as error:  # unknown dialect, driver not installed
            where = url.render_as_string(hide_password=True)
            raise UserError(f"--db {where}: cannot use this database URL ({error})") from None
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path)
    engine = create_engine(url, poolclass=NullPool if path is None else None, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if path is not None:
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        wait = int(options.get(BUSY_TIMEOUT_OPTION, BUSY_TIMEOUT_MS))
        info = connection.connection.info
        if info.get(BUSY_TIMEOUT_OPTION, BUSY_TIMEOUT_MS) != wait:  # set on connect; changed only when asked
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
            info[BUSY_TIMEOUT_OPTION] = wait
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write", False) else "BEGIN")

    return engine


def use_wal(engine: Engine) -> None:
    """Switch an SQLite file to WAL (persistent); called only once the file is known to be ours."""
    if sqlite_path(engine.url) is None:
        return
    connection = engine.raw_connection()
    try:
        connection.driver_connection.execute("PRAGMA journal_mode = WAL")  # type: ignore[union-attr]
    finally:
        connection.close()
