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
from annotator.store.engine import make_engine, resolve_url, sqlite_path
from annotator.store.migrate import prepare_database


class Database:
    """The database of one program run; hands out one short session per user action.

    ``read()`` gives a session in a deferred transaction; ``write()`` one in a
    write transaction (``BEGIN IMMEDIATE`` on SQLite) that commits when the
    block ends and rolls back on any exception.
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
    def write(self) -> Iterator[Session]:
        """A session whose write transaction commits at the end of the block (or rolls back)."""
        with self._sessions() as session, _locked_as_user_error(self):
            session.connection(execution_options={"write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


@contextmanager
def _locked_as_user_error(database: Database) -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        message = str(error.orig) if error.orig else str(error)
        if "locked" in message or "busy" in message:
            raise UserError(
                f"{database.describe()}: the database stayed locked by another program; try again"
            ) from None
        if "readonly" in message.replace(" ", "") or "disk is full" in message or "disk I/O" in message:
            raise UserError(f"{database.describe()}: cannot write ({message}); free space or fix permissions") from None
        raise
