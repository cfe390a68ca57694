"""Disk full and a read-only database during a session (issue 5, crash and power loss).

The window's edit fails with one clear line in the status bar; the edit is
kept in memory (a red "NOT saved" label, a *Retry saving* button, Ctrl+S, the
window title) and saved, in order with any later edits, when the user
retries or the retry timer fires after the problem is gone. Nothing is
corrupt and nothing is lost.

How the failures are made:

- disk full: a real 3 MB tmpfs mounted for the test and filled up (when the
  test may mount, as root in CI), and always also SQLite's
  ``PRAGMA max_page_count`` set to the current size, which makes SQLite
  report ``SQLITE_FULL`` exactly as on a full disk;
- read-only: ``chmod`` of the database file and its folder. An open file
  descriptor keeps its write access, so the test drops the engine's pooled
  connections after the chmod (as after a reconnect); the next edit opens
  the file read-only. Root ignores file modes, so as root the test runs
  as ``nobody`` for the read-only part (see ``unprivileged``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from reliability_harness import can_mount, fill_disk, integrity, query, small_tmpfs, unprivileged
from sqlalchemy import event
from windows import show_window

from annotator.domain.model import Span
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TEXT = "Officials said the cease fire holds. Critics disagree with them. Observers said nothing new."


def prepare(folder: Path) -> Path:
    path = folder / "db.sqlite3"
    source = folder / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": TEXT}) + "\n", encoding="utf-8")
    database = Database.open(path)
    assert not import_paths(database, [str(source)], ImportOptions(use_nlp=False)).failed
    database.close()
    return path


def make_window(qtbot, database: Database) -> MainWindow:
    return show_window(qtbot, database)


def claim_on(qtbot, window: MainWindow, needle: str) -> None:
    start = TEXT.index(needle)
    window.view.select_span(Span(start, start + len(needle)))
    qtbot.keyClick(window.view, Qt.Key.Key_C)


def note(qtbot, window: MainWindow, text: str) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    window.inline_editor.field.setText(text)
    qtbot.keyClick(window.inline_editor.field, Qt.Key.Key_Return)


def stored_claims(path: Path) -> list[tuple]:
    return query(path, "SELECT start, end, stance_label, length(note) FROM claims ORDER BY start")


def assert_pending(window: MainWindow, count: int, reason: str) -> None:
    message = window.statusBar().currentMessage()
    assert reason in message and "\n" not in message, message
    label = window.saved_label.text()
    assert f"{count} edit{'' if count == 1 else 's'} NOT saved" in label and reason in label, label
    assert "Ctrl+S" in label and window.saved_label.styleSheet()  # red, impossible to miss
    assert window.retry_button.isVisible() and window.retry_action.isEnabled()
    assert f"{count} NOT saved" in window.windowTitle()
    assert len(window.pending) == count
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def assert_all_saved(window: MainWindow) -> None:
    assert window.pending == []
    assert window.saved_label.text().startswith("All edits saved") and not window.saved_label.styleSheet()
    assert not window.retry_button.isVisible() and not window.retry_action.isEnabled()
    assert "NOT saved" not in window.windowTitle()


def the_session_with_a_storage_failure(qtbot, window: MainWindow, path: Path, break_it, fix_it, reason: str) -> None:
    """One claim saved; then the storage fails: two edits pending, undo refused; fixed: both saved on retry."""
    claim_on(qtbot, window, "the cease fire holds")
    assert len(stored_claims(path)) == 1
    break_it()
    note(qtbot, window, "a long note " * 2000)  # 24 kB: new pages whatever the free space in the old ones
    assert_pending(window, 1, reason)
    assert stored_claims(path)[0][3] is None  # not in the database
    assert window.annotations.claims[0].note is None  # and not shown as if it were
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # a later edit queues behind it, in order
    assert_pending(window, 2, reason)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo waits for the saves
    assert "pending edits" in window.statusBar().currentMessage()
    assert window.undo_stack.index() == 1 and len(window.pending) == 2
    window.retry_button.click()  # still broken: still pending, nothing lost
    assert_pending(window, 2, reason)
    fix_it()
    qtbot.keyClick(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # File ▸ Retry saving
    assert_all_saved(window)
    ((start, end, stance, note_length),) = stored_claims(path)
    assert TEXT[start:end] == "the cease fire holds" and stance == "oppose"
    assert note_length == len("a long note " * 2000)
    assert window.annotations.claims[0].stance.label == "oppose"
    assert window.undo_stack.index() == 3
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_claims(path)[0][2] is None  # undo works again
    assert integrity(path) == "ok"


@pytest.fixture
def database_in(tmp_path: Path) -> Iterator[list[Database]]:
    opened: list[Database] = []
    yield opened
    for database in opened:
        database.close()


def test_disk_full_by_max_page_count_keeps_the_edit_pending_until_retried(qtbot, tmp_path: Path, database_in) -> None:
    path = prepare(tmp_path)
    database = Database.open(path)
    database_in.append(database)
    window = make_window(qtbot, database)
    limit = {"pages": 0}

    def cap(connection: sqlite3.Connection, _record: object) -> None:
        if limit["pages"]:
            connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

    event.listen(database.engine, "connect", cap)

    def break_it() -> None:
        limit["pages"] = query(path, "PRAGMA page_count")[0][0]
        database.engine.dispose()  # the pooled connections reconnect with the cap

    def fix_it() -> None:
        limit["pages"] = 0
        database.engine.dispose()

    the_session_with_a_storage_failure(qtbot, window, path, break_it, fix_it, "database or disk is full")


@pytest.mark.skipif(not can_mount(), reason="needs root in a container that may mount a tmpfs (CI)")
def test_disk_full_on_a_real_small_file_system_keeps_the_edit_pending_until_retried(
    qtbot, open_folder: Path, database_in
) -> None:
    with small_tmpfs(open_folder / "small", "3m") as small:
        path = prepare(small)
        database = Database.open(path)
        database_in.append(database)
        window = make_window(qtbot, database)
        filler: list[Path] = []

        def break_it() -> None:
            connection = sqlite3.connect(path)  # an empty WAL: the next commit needs new blocks
            assert connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
            connection.close()
            filler.append(fill_disk(small))

        def fix_it() -> None:
            filler[0].unlink()

        the_session_with_a_storage_failure(qtbot, window, path, break_it, fix_it, "database or disk is full")
        window.close()
        database.close()
        database_in.clear()


def test_read_only_database_keeps_the_edit_pending_until_writable(qtbot, open_folder: Path, database_in) -> None:
    path = prepare(open_folder)
    with unprivileged(open_folder):
        database = Database.open(path)
        database_in.append(database)
        window = make_window(qtbot, database)
        window.retry_timer.setInterval(50)

        def break_it() -> None:
            path.chmod(0o444)
            open_folder.chmod(0o555)
            database.engine.dispose()  # the next edit opens the file as it is now

        def fix_it() -> None:
            open_folder.chmod(0o755)
            path.chmod(0o644)

        the_session_with_a_storage_failure(
            qtbot, window, path, break_it, fix_it, "attempt to write a readonly database"
        )
        # the retry timer saves by itself once the file is writable again
        break_it()
        qtbot.keyClick(window.view, Qt.Key.Key_1)
        assert len(window.pending) == 1
        fix_it()
        qtbot.waitUntil(lambda: not window.pending, timeout=5000)
        assert_all_saved(window)
        assert stored_claims(path)[0][2] == "support"
        window.close()
        database.close()
        database_in.clear()


def test_closing_with_pending_edits_asks_before_losing_them(qtbot, tmp_path: Path, database_in) -> None:
    from PySide6.QtCore import QTimer

    path = prepare(tmp_path)
    database = Database.open(path)
    database_in.append(database)
    window = make_window(qtbot, database)
    claim_on(qtbot, window, "Critics disagree")
    event.listen(database.engine, "connect", lambda c, _r: c.execute("PRAGMA query_only = ON"))
    database.engine.dispose()
    qtbot.keyClick(window.view, Qt.Key.Key_3)
    assert len(window.pending) == 1

    def answer(button: QMessageBox.StandardButton) -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        assert "1 edit could not be saved" in box.text() and box.textFormat() == Qt.TextFormat.PlainText
        box.button(button).click()

    QTimer.singleShot(100, lambda: answer(QMessageBox.StandardButton.Cancel))
    assert not window.close()  # Cancel: the window stays, with its pending edit
    assert window.isVisible() and len(window.pending) == 1
    QTimer.singleShot(100, lambda: answer(QMessageBox.StandardButton.Discard))
    assert window.close()
