"""Alembic migrations produce the ORM's tables; unknown or foreign databases are refused untouched."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from annotator.domain.errors import UserError
from annotator.store.database import Database
from annotator.store.migrate import HEAD_REVISION, KNOWN_REVISIONS, alembic_config
from annotator.store.tables import Base


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _schema_differences(path: Path) -> list[object]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_head_revision_constant_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())  # type: ignore[arg-type]
    assert script.get_current_head() == HEAD_REVISION
    assert HEAD_REVISION in KNOWN_REVISIONS
    assert next(rev.revision for rev in script.walk_revisions()) == HEAD_REVISION


def test_upgrade_head_on_an_empty_file_matches_the_orm(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")  # type: ignore[arg-type]
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == HEAD_REVISION
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert _schema_differences(path) == []


def test_database_open_creates_the_current_schema(tmp_path: Path) -> None:
    db_path = tmp_path / "fresh.sqlite3"
    Database.open(db_path).close()
    assert _schema_differences(db_path) == []
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
        assert connection.execute("SELECT count(*) FROM labels").fetchone()[0] > 0
    finally:
        connection.close()


def test_reopening_an_up_to_date_database_keeps_its_data(db_path: Path) -> None:
    first = Database.open(db_path)
    assert first.backup_path is None
    first.close()
    connection = sqlite3.connect(db_path)
    labels = connection.execute("SELECT count(*) FROM labels").fetchone()[0]
    connection.close()
    second = Database.open(db_path)
    assert second.backup_path is None
    second.close()
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT count(*) FROM labels").fetchone()[0] == labels  # not seeded twice
    connection.close()
    assert not list(db_path.parent.glob("*.backup-*"))


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_newer_schema_is_refused_and_the_file_untouched(db_path: Path, journal: str) -> None:
    Database.open(db_path).close()
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA journal_mode = {journal}")
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    before = _digest(db_path)
    with pytest.raises(UserError) as caught:
        Database.open(db_path)
    message = str(caught.value)
    assert str(db_path) in message and "newer version" in message and "9999_from_the_future" in message
    assert "\n" not in message
    assert _digest(db_path) == before
    assert not list(db_path.parent.glob("*.backup-*"))


def test_a_foreign_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    connection.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    connection.commit()
    connection.close()
    before = _digest(path)
    with pytest.raises(UserError, match="is not an annotator database"):
        Database.open(path)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


@pytest.mark.parametrize(
    "content", [b"hello, this is a text file\n", b"\x00\x01\x02" * 50, b"SQLite format 2\x00" + b"\x00" * 100]
)
def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(UserError, match="not an annotator database"):
        Database.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_empty_file_becomes_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    path.touch()
    Database.open(path).close()
    assert _schema_differences(path) == []


def test_backup_copy_before_an_upgrade_is_a_consistent_database(db_path: Path) -> None:
    from annotator.store.migrate import backup_sqlite

    connection = sqlite3.connect(db_path)
    connection.execute("INSERT INTO annotators (name) VALUES ('alice')")
    connection.commit()
    backup = backup_sqlite(db_path, HEAD_REVISION)
    connection.close()
    assert backup.parent == db_path.parent and backup.name.startswith(f"{db_path.name}.backup-{HEAD_REVISION}-")
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT name FROM annotators").fetchall() == [("alice",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()


def test_a_revision_0001_database_is_backed_up_then_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "0001")  # type: ignore[arg-type]
        connection.exec_driver_sql("INSERT INTO annotators (name) VALUES ('alice')")
    engine.dispose()
    database = Database.open(path)
    try:
        assert database.backup_path is not None and "backup-0001-" in database.backup_path
        with database.read() as session:
            assert session.connection().exec_driver_sql("SELECT name FROM annotators").fetchall() == [("alice",)]
            tables = set(inspect(session.connection()).get_table_names())
        assert {"relations", "suggestions", "suggestion_rejections"} <= tables
    finally:
        database.close()
    assert _schema_differences(path) == []


def _old_database(path: Path, documents: int = 200) -> Path:
    """A schema-0001 database (the previous release) with an annotator and some documents."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")  # type: ignore[arg-type]
        connection.exec_driver_sql("INSERT INTO annotators (name) VALUES ('alice')")
        for i in range(documents):
            connection.exec_driver_sql(
                "INSERT INTO documents (external_id, text, text_sha256, meta, imported_at) "
                f"VALUES ('d{i}', 'Text {i}. {'x' * 200}', '{i:064x}', '{{}}', '2025-01-01 00:00:00')"
            )
    engine.dispose()
    return path


@pytest.mark.parametrize("keep", ["header only", "one page", "half", "all but a page"])
def test_a_truncated_database_is_refused_and_untouched(db_path: Path, tmp_path: Path, keep: str) -> None:
    from annotator.services.importing import ImportOptions, import_paths

    database = Database.open(db_path)
    lines = tmp_path / "many.jsonl"
    lines.write_text("".join(f'{{"id": "d{i}", "text": "Text {i} {"y" * 300}"}}\n' for i in range(300)))
    assert not import_paths(database, [str(lines)], ImportOptions(use_nlp=False)).failed
    database.close()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    full = db_path.read_bytes()
    cut = {"header only": 100, "one page": 4096, "half": len(full) // 2, "all but a page": len(full) - 4096}[keep]
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(full[:cut])
    with pytest.raises(UserError) as caught:
        Database.open(broken)
    message = str(caught.value)
    assert str(broken) in message and "\n" not in message
    assert "damaged or truncated" in message or "cannot be opened" in message, message
    assert broken.read_bytes() == full[:cut]  # never written to
    assert not list(tmp_path.glob("broken.sqlite3-*"))


def test_a_failed_upgrade_leaves_the_old_database_and_names_its_backup(tmp_path: Path) -> None:
    from sqlalchemy import event

    from annotator.store.engine import make_engine
    from annotator.store.migrate import prepare_database

    path = _old_database(tmp_path / "old.sqlite3")
    engine = make_engine(create_engine(f"sqlite:///{path}").url)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(engine, "connect")
    def _full(connection: sqlite3.Connection, _record: object) -> None:
        connection.execute(f"PRAGMA max_page_count = {pages}")  # the upgrade's new tables find the disk full

    try:
        with pytest.raises(UserError) as caught:
            prepare_database(engine)
    finally:
        engine.dispose()
    message = str(caught.value)
    (backup,) = tmp_path.glob("old.sqlite3.backup-0001-*")
    assert "upgrading from schema 0001 to 0002 failed" in message and "database or disk is full" in message
    assert "the database is unchanged" in message and str(backup) in message and "\n" not in message
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert connection.execute("SELECT count(*) FROM documents").fetchone() == (200,)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT count(*) FROM documents").fetchone() == (200,)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    finally:
        copy.close()
    reopened = Database.open(path)  # with room again, the next start upgrades it
    reopened.close()
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)


def test_a_backup_is_whole_or_absent_and_leftovers_of_a_crash_are_removed(tmp_path: Path) -> None:
    from annotator.store.migrate import backup_sqlite

    path = _old_database(tmp_path / "old.sqlite3")
    for leftover in ("old.sqlite3.backup-0001-20200101T000000.partial", "old.sqlite3.backup-0001-x.partial-journal"):
        (tmp_path / leftover).write_bytes(b"half a copy")
    backup = backup_sqlite(path, "0001")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["old.sqlite3", backup.name])
    assert not backup.name.endswith(".partial")
    assert sqlite3.connect(backup).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_command_line_names_the_backup_of_an_upgrade(tmp_path: Path, cli) -> None:
    path = _old_database(tmp_path / "old.sqlite3")
    result = cli("stats", "--db", path)
    assert result.code == 0, result.err
    (backup,) = tmp_path.glob("old.sqlite3.backup-0001-*")
    (note,) = [line for line in result.err_lines if "upgraded" in line]
    assert (
        note
        == f"annotator: note: {path}: upgraded to schema {HEAD_REVISION}; a copy of it as it was is saved as {backup}"
    )
    again = cli("stats", "--db", path)
    assert "upgraded" not in again.err  # said once, when it happened
