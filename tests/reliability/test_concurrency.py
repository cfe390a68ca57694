"""Two windows and a command-line import on one SQLite file; closing the window during a background job (issue 5).

The import (a real ``annotator import`` process) holds the write lock for
each file's whole transaction. A window edit waits briefly for it
(``EDIT_WAIT_MS``); past that the edit is kept pending and saved by the retry
timer once the file commits, so no "database is locked" reaches the user and
nothing is lost.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from reliability_harness import ForkServer, checkpointed_copy, integrity, query

from annotator.domain.model import Span
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui.main_window import MainWindow

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore("This plugin does not support")]
FILES, LINES = 2, 15_000


def article(n: int) -> str:
    return " ".join(f"w{n}x{i}" for i in range(80)) + "."


@pytest.fixture
def shared_db(db_path: Path, tmp_path: Path) -> Path:
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": f"a{n}", "text": article(n)}) + "\n" for n in range(4)))
    database = Database.open(db_path)
    assert not import_paths(database, [str(source)], ImportOptions(use_nlp=False)).failed
    database.close()
    return db_path


@pytest.fixture
def import_folder(tmp_path: Path) -> Path:
    """Files whose import holds the write lock for a while each (annotated documents, one transaction a file)."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for f in range(FILES):
        with (folder / f"f{f}.jsonl").open("w", encoding="utf-8") as stream:
            for i in range(LINES):
                text = f"Officials of file {f} said item {i} holds. Critics disagree."
                start = text.index("item")
                claim = {"start": start, "end": start + len(f"item {i}"), "text": f"item {i}"}
                line = {"format": "annotator/v1", "id": f"f{f}-{i}", "text": text, "annotator": "importer"}
                stream.write(json.dumps(line | {"claims": [claim]}) + "\n")
    return folder


def make_window(qtbot, database: Database) -> MainWindow:
    window = MainWindow(database, "alice")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def focus(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()


def edit_while_another_program_writes(
    qtbot, window: MainWindow, db: Path, expected: dict[tuple[int, int, int], str | None]
) -> int:
    """Make a claim while another connection holds the write lock for 2 s: it must wait as pending, then save."""
    document = window.document
    assert document is not None and document.id is not None
    match = re.search(r"\w+", document.text[::-1])  # the last word, which the loop has not claimed
    assert match is not None
    start, end = len(document.text) - match.end(), len(document.text) - match.start()
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        focus(qtbot, window)
        window.view.select_span(Span(start, end))
        qtbot.keyClick(window.view, Qt.Key.Key_C)
        assert window.pending, "a claim made while another program writes waits as pending"
        qtbot.wait(1000)
    finally:
        other.execute("COMMIT")
        other.close()
    qtbot.waitUntil(lambda: not window.pending, timeout=15_000)
    expected[(document.id, start, end)] = None
    return 1


def test_two_windows_and_a_command_line_import_at_the_same_time(
    qtbot, shared_db: Path, import_folder: Path, tmp_path: Path
) -> None:
    first, second = Database.open(shared_db), Database.open(shared_db)
    windows = [make_window(qtbot, first), make_window(qtbot, second)]
    messages: list[str] = []
    for window in windows:
        window.retry_timer.setInterval(200)
        window.statusBar().messageChanged.connect(messages.append)
    document_ids = [row[0] for row in query(shared_db, "SELECT id FROM documents ORDER BY id")]
    for window, document_id in zip(windows, document_ids[:2], strict=True):
        window.open_document(document_id)
    expected: dict[tuple[int, int, int], str | None] = {}
    words: dict[int, list[tuple[int, int]]] = {}
    env = {"ANNOTATOR_LOG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    arguments = ["import", "--db", str(shared_db), "--no-nlp", "--format", "jsonl", str(import_folder)]
    importer = subprocess.Popen(
        [sys.executable, "-m", "annotator", *arguments], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    edits = pending_seen = while_importing = 0
    started = time.monotonic()
    try:
        while (importer.poll() is None or edits < 24) and time.monotonic() - started < 120:
            window = windows[edits % 2]
            focus(qtbot, window)
            if edits % 10 == 9:  # now and then, another document
                document_ids.append(document_ids.pop(0))
                window.open_document(document_ids[0])
            document = window.document
            assert document is not None and document.id is not None
            spans = words.setdefault(document.id, [m.span() for m in re.finditer(r"\w+", document.text)])
            start, end = spans.pop(0)
            was_importing = importer.poll() is None
            window.view.select_span(Span(start, end))
            qtbot.keyClick(window.view, Qt.Key.Key_C)
            expected[(document.id, start, end)] = None
            if window.pending:
                pending_seen += 1
            else:
                label = window.schema.names("stance")[edits % 3]
                qtbot.keyClick(window.view, getattr(Qt.Key, f"Key_{edits % 3 + 1}"))
                expected[(document.id, start, end)] = label
            edits += 1
            while_importing += was_importing
        stdout, stderr = importer.communicate(timeout=120)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, stderr.decode()
    assert f"imported {FILES * LINES:,} documents" in stdout.decode()
    for window in windows:  # the retry timer saves what had to wait
        qtbot.waitUntil(lambda w=window: not w.pending, timeout=15_000)
    assert while_importing >= 6, f"only {while_importing} edits ran while the import did"
    if not pending_seen:  # the import's files all committed between key presses: hold the lock as a long one would
        pending_seen += edit_while_another_program_writes(qtbot, windows[0], shared_db, expected)
    assert pending_seen >= 1
    assert not [m for m in messages if "locked" in m.lower()], [m for m in messages if "locked" in m.lower()]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    stored = {
        (doc, start, end): label
        for doc, start, end, label in query(
            shared_db,
            "SELECT c.document_id, c.start, c.end, c.stance_label FROM claims c "
            "JOIN annotators a ON a.id = c.annotator_id WHERE a.name = 'alice'",
        )
    }
    assert stored == expected
    assert query(shared_db, "SELECT count(*) FROM documents") == [(4 + FILES * LINES,)]
    assert integrity(shared_db) == "ok"
    # each window sees the other's edits when it opens the document again
    for window in windows:
        for document_id in {doc for doc, _, _ in expected}:
            window.open_document(document_id)
            shown = {
                (document_id, c.start, c.end): c.stance.label if c.stance else None for c in window.annotations.claims
            }
            assert shown == {key: value for key, value in expected.items() if key[0] == document_id}
    print(f"{edits} edits in two windows during the import, {while_importing} while it ran, {pending_seen} waited")
    first.close()
    second.close()


@pytest.fixture
def window_on(qtbot, shared_db: Path) -> Iterator[tuple[MainWindow, Database]]:
    database = Database.open(shared_db)
    window = make_window(qtbot, database)
    yield window, database
    database.close()


def test_closing_the_window_during_a_background_import_stops_it_cleanly(
    qtbot, window_on: tuple[MainWindow, Database], shared_db: Path, tmp_path: Path
) -> None:
    window, _ = window_on
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"id": f"big-{i}", "text": f"Big line {i}."}) + "\n" for i in range(60_000)))
    job = window.start_import([str(big)], fmt="jsonl")
    qtbot.waitUntil(lambda: window.job_progress.value() > 0, timeout=30_000)
    window.close()
    assert not job.is_running()
    qtbot.wait(200)  # whatever the job still sends arrives at a closed window
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert query(shared_db, "SELECT count(*) FROM documents WHERE external_id LIKE 'big-%'") == [(0,)]
    assert integrity(shared_db) == "ok"


def test_closing_the_window_during_pre_annotation_stops_it_cleanly(
    qtbot, window_on: tuple[MainWindow, Database], shared_db: Path, tmp_path: Path, real_model
) -> None:
    from annotator.services.analysing import CHUNK

    window, database = window_on
    many = tmp_path / "many.jsonl"
    many.write_text(
        "".join(
            json.dumps({"id": f"m{i}", "text": f"Angela Merkel met Emmanuel Macron in Paris on day {i}."}) + "\n"
            for i in range(3 * CHUNK)
        )
    )
    assert not import_paths(database, [str(many)], ImportOptions(use_nlp=False)).failed
    window.preannotate_all()
    job = window.job
    assert job is not None
    qtbot.waitUntil(lambda: window.job_progress.value() > 0, timeout=60_000)
    window.close()
    assert not job.is_running()
    qtbot.wait(200)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    (done,) = query(shared_db, "SELECT count(*) FROM documents WHERE entities_model IS NOT NULL")[0]
    assert done % CHUNK == 0 or done == 4 + 3 * CHUNK, done  # whole chunks, each its own transaction
    assert integrity(shared_db) == "ok"


@pytest.mark.parametrize("job", ["import", "preannotate"])
def test_quitting_during_a_background_job_ends_the_process_normally(
    forkserver: ForkServer, shared_db: Path, tmp_path: Path, job: str
) -> None:
    db = checkpointed_copy(shared_db, tmp_path / "quit.sqlite3")
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"id": f"big-{i}", "text": f"Big line {i}."}) + "\n" for i in range(60_000)))
    if job == "preannotate":  # documents for several chunks of pre-annotation
        database = Database.open(db)
        lines = tmp_path / "people.jsonl"
        lines.write_text(
            "".join(
                json.dumps({"id": f"p{i}", "text": f"Angela Merkel met Emmanuel Macron on day {i}."}) + "\n"
                for i in range(2000)
            )
        )
        assert not import_paths(database, [str(lines)], ImportOptions(use_nlp=False)).failed
        database.close()
    result = forkserver.run("quit_during_job", tmp_path, None, db=str(db), task=job, path=str(big), finalize=True)
    assert result["signal"] is None and result["exit"] == 0, result["err"][-3000:]
    assert "QThread: Destroyed while thread is still running" not in result["err"]
    assert "quit while running" in result["out"], result["out"]
    assert integrity(db) == "ok"
    if job == "import":
        assert query(db, "SELECT count(*) FROM documents WHERE external_id LIKE 'big-%'") == [(0,)]
