"""Database locations, SQLite pragmas, write transactions that take the lock up front."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from annotator.domain.errors import UserError
from annotator.store.database import Database
from annotator.store.engine import resolve_url, sqlite_path
from annotator.store.tables import AnnotatorRow, DocumentRow, EntityRow


def _pragma(database: Database, name: str) -> object:
    with database.read() as session:
        return session.execute(text(f"PRAGMA {name}")).scalar()


def test_pragmas_on_every_connection(database: Database) -> None:
    assert _pragma(database, "journal_mode") == "wal"
    assert _pragma(database, "foreign_keys") == 1
    busy = _pragma(database, "busy_timeout")
    assert isinstance(busy, int) and busy > 0
    with database.engine.connect() as connection:  # a fresh connection too
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == busy


def test_foreign_keys_cascade(database: Database) -> None:
    with database.write() as session:
        doc = session.execute(
            insert(DocumentRow)
            .values(external_id="d", text="Putin", text_sha256="x", meta={})
            .returning(DocumentRow.id)
        ).scalar_one()
        session.execute(insert(EntityRow).values(document_id=doc, start=0, end=5, label="PERSON"))
    with database.write() as session:
        session.execute(text("DELETE FROM documents"))
    with database.read() as session:
        assert session.scalars(select(EntityRow)).all() == []


def test_foreign_keys_refuse_orphans(database: Database) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), database.write() as session:
        session.execute(insert(EntityRow).values(document_id=999, start=0, end=1, label="PERSON"))


def _raw(path: Path, timeout: float) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def test_write_takes_the_write_lock_at_begin(database: Database, db_path: Path) -> None:
    other = _raw(db_path, timeout=0.05)
    try:
        # Nothing written yet, but BEGIN IMMEDIATE already holds the write lock.
        with database.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at the end of the block
        other.execute("ROLLBACK")
        with database.read():
            other.execute("BEGIN IMMEDIATE")  # a read does not take the write lock
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_write_waits_for_another_writer(database: Database, db_path: Path) -> None:
    locked = threading.Event()

    def hold_the_lock_briefly() -> None:
        other = _raw(db_path, timeout=1)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO annotators (name) VALUES ('first')")
            locked.set()
            time.sleep(0.3)
            other.execute("COMMIT")
        finally:
            locked.set()
            other.close()

    holder = threading.Thread(target=hold_the_lock_briefly)
    holder.start()
    try:
        assert locked.wait(5)
        began = time.monotonic()
        with database.write() as session:
            session.add(AnnotatorRow(name="second"))
        waited = time.monotonic() - began
    finally:
        holder.join()
    assert waited >= 0.2  # it waited (busy timeout) for the other writer instead of failing
    with database.read() as session:
        assert sorted(session.scalars(select(AnnotatorRow.name))) == ["first", "second"]


def test_a_lock_that_outlasts_the_busy_timeout_is_a_user_error(database: Database, db_path: Path) -> None:
    # Shorten the busy timeout of the pooled connection so the test stays fast.
    with database.read() as session:
        session.execute(text("PRAGMA busy_timeout = 50"))
    other = _raw(db_path, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(UserError) as caught, database.write() as session:
            session.add(AnnotatorRow(name="never"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "locked" in str(caught.value) and str(db_path) in str(caught.value)


def test_write_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.write() as session:
        session.add(AnnotatorRow(name="ghost"))
        session.flush()
        raise RuntimeError("boom")
    with database.read() as session:
        assert session.scalars(select(AnnotatorRow)).all() == []


# ------------------------------------------------------------------ --db and $ANNOTATOR_DB


def test_resolve_url_from_a_path(tmp_path: Path) -> None:
    url = resolve_url(tmp_path / "x.sqlite3")
    assert url.get_backend_name() == "sqlite"
    assert sqlite_path(url) == (tmp_path / "x.sqlite3").resolve()


def test_resolve_url_from_an_sqlalchemy_url(tmp_path: Path) -> None:
    url = resolve_url(f"sqlite:///{tmp_path / 'y.sqlite3'}")
    assert sqlite_path(url) == tmp_path / "y.sqlite3"


def test_resolve_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "from-env.sqlite3"))
    assert sqlite_path(resolve_url(None)) == (tmp_path / "from-env.sqlite3").resolve()
    # An explicit --db wins over the environment.
    assert sqlite_path(resolve_url(tmp_path / "explicit.sqlite3")) == (tmp_path / "explicit.sqlite3").resolve()


def test_database_open_with_a_url(tmp_path: Path) -> None:
    path = tmp_path / "url.sqlite3"
    database = Database.open(f"sqlite:///{path}")
    try:
        assert database.describe() == str(path)
        assert _pragma(database, "journal_mode") == "wal"
    finally:
        database.close()
    assert path.exists()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("{tmp}", "is a folder"),
        ("{tmp}/no/such/folder/db.sqlite3", "does not exist"),
        ("bogus://nowhere", "cannot use this database URL"),
        ("postgresql+nosuchdriver://u:secret@localhost/x", "cannot use this database URL"),
    ],
)
def test_bad_db_values_are_user_errors(tmp_path: Path, value: str, problem: str) -> None:
    with pytest.raises(UserError, match=problem) as caught:
        Database.open(value.format(tmp=tmp_path))
    assert "secret" not in str(caught.value)


def test_opening_the_file_again_keeps_the_locks_of_connections_already_open(tmp_path: Path) -> None:
    """A second Database.open of a file in the same process must not drop the first one's POSIX locks.

    It used to read the header with open()/close(): closing any descriptor of the file released every lock
    the process held on it, so another program took the file as unused, checkpointed and deleted the WAL
    under the open connections, whose next commits then went to a deleted file.
    """
    import subprocess
    import sys

    path = tmp_path / "shared.sqlite3"
    first = Database.open(path)
    with first.write() as session:
        session.connection().exec_driver_sql("INSERT INTO annotators (name) VALUES ('first')")
    second = Database.open(path)
    other = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute(\"INSERT INTO annotators (name) VALUES ('other')\"); c.commit(); c.close()"
    )
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert (tmp_path / "shared.sqlite3-wal").exists() and (tmp_path / "shared.sqlite3-shm").exists()
    with first.write() as session:
        session.connection().exec_driver_sql("INSERT INTO annotators (name) VALUES ('after')")
    first.close()
    second.close()
    connection = sqlite3.connect(path)
    try:
        names = {name for (name,) in connection.execute("SELECT name FROM annotators")}
        assert {"first", "other", "after"} <= names
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def test_storage_failures_are_storage_errors_and_the_next_try_reconnects(db_path: Path) -> None:
    from sqlalchemy import event

    from annotator.store.database import StorageError

    database = Database.open(db_path)
    try:

        def read_only(connection: sqlite3.Connection, _record: object) -> None:
            connection.execute("PRAGMA query_only = ON")

        event.listen(database.engine, "connect", read_only)
        database.engine.dispose()
        with pytest.raises(StorageError) as caught, database.write() as session:
            session.connection().exec_driver_sql("INSERT INTO annotators (name) VALUES ('x')")
        assert not caught.value.busy and "cannot write" in str(caught.value) and "\n" not in str(caught.value)
        event.remove(database.engine, "connect", read_only)
        with database.write() as session:  # the failed connection was dropped: this one can write
            session.connection().exec_driver_sql("INSERT INTO annotators (name) VALUES ('y')")
    finally:
        database.close()


def test_a_short_wait_for_the_write_lock_is_a_busy_storage_error(db_path: Path) -> None:
    import time

    from annotator.store.database import StorageError

    database = Database.open(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(StorageError) as caught, database.write(wait_ms=200):
            pass
        assert caught.value.busy and time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
    with database.write() as session:  # the default wait is back for the next transaction
        assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    database.close()
