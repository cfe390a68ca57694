"""An open database: engine, schema check, and short sessions for reads and writes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from annotator.domain.errors import UserError
from annotator.store.engine import BUSY_TIMEOUT_OPTION, make_engine, resolve_url, sqlite_path
from annotator.store.migrate import prepare_database


class StorageError(UserError):
    """The database cannot take a write now: locked by another program, read-only, disk full, I/O error.

    The same write may succeed later (after the other program commits, space
    is freed or permissions are fixed); the window keeps such an edit pending
    and retries it. ``busy`` is true when another program holds the lock.
    """

    def __init__(self, message: str, *, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


class Database:
    """The database of one program run; hands out one short session per user action.

    ``read()`` gives a session in a deferred transaction; ``write()`` one in a
    write transaction (``BEGIN IMMEDIATE`` on SQLite) that commits when the
    block ends and rolls back on any exception. Failures of the storage itself
    (lock, read-only file, full disk) are raised as :class:`StorageError`.
    """

    def __init__(self, engine: Engine, backup_path: str | None = None) -> None:
        self.engine = engine
        self.backup_path = backup_path
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None) -> Database:
        """Open (creating or upgrading as needed) the database named by ``--db``, env or default."""
        url = resolve_url(db)
        engine = make_engine(url)
        try:
            backup = prepare_database(engine)
        except BaseException:
            engine.dispose()
            raise
        from annotator.store import labels

        database = cls(engine, backup)
        with database.write() as session:
            labels.seed_default_schema(session)
        return database

    @property
    def url(self) -> URL:
        """The database URL."""
        return self.engine.url

    def describe(self) -> str:
        """A human-readable location: the file path, or the URL without its password."""
        path = sqlite_path(self.url)
        return str(path) if path else self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; its transaction ends with the block."""
        with self._sessions() as session, _locked_as_user_error(self):
            yield session

    @contextmanager
    def write(self, wait_ms: int | None = None) -> Iterator[Session]:
        """A session whose write transaction commits at the end of the block (or rolls back).

        ``wait_ms`` is how long to wait for another program's write lock
        (default :data:`~annotator.store.engine.BUSY_TIMEOUT_MS`); the window
        waits briefly and keeps the edit pending instead of freezing.
        """
        options: dict[str, object] = {"write": True}
        if wait_ms is not None:
            options[BUSY_TIMEOUT_OPTION] = wait_ms
        with self._sessions() as session, _locked_as_user_error(self):
            session.connection(execution_options=options)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


_CANNOT_WRITE = ("readonly", "diskisfull", "diskI/O", "unabletoopen", "cannotcommit")
"""What SQLite says (spaces removed) when the file or its folder cannot be written now."""


@contextmanager
def _locked_as_user_error(database: Database) -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        message = str(error.orig) if error.orig else str(error)
        first = message.splitlines()[0] if message else type(error).__name__
        if "locked" in message or "busy" in message:
            raise StorageError(
                f"{database.describe()}: the database stayed locked by another program; try again", busy=True
            ) from None
        if any(marker in message.replace(" ", "") for marker in _CANNOT_WRITE):
            # A connection that SQLite opened read-only stays so: drop the pooled ones, so that the next try
            # (after the user fixed permissions or freed space) opens the file afresh.
            database.engine.dispose()
            raise StorageError(
                f"{database.describe()}: cannot write ({first}); free space or fix permissions"
            ) from None
        raise
