"""Very large inputs (issue 5, hostile input): a 50 MB article, 1,000,000 JSONL lines, 100,000 spans on one document.

Bounds are loose (a shared 2-core machine); each test prints what it measured.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from reliability_harness import integrity

from annotator.domain.model import Span
from annotator.services.database import Database
from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui.main_window import MainWindow

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore("This plugin does not support")]
WORDS = [
    "Officials",
    "in",
    "Paris",
    "said",
    "the",
    "talks",
    "failed",
    ".",
    "Critics",
    "disagree",
    "with",
    "Angela",
    "Merkel",
    "today",
    "and",
]
BIG_LINES = int(os.environ.get("ANNOTATOR_BIG_LINES", "1000000"))


def open_window(qtbot, database: Database) -> tuple[MainWindow, float]:
    window = MainWindow(database, "alice")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    started = time.perf_counter()
    window.open_first()
    QApplication.processEvents()
    opened = time.perf_counter() - started
    window.view.setFocus()
    return window, opened


def timed_key(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> float:
    started = time.perf_counter()
    qtbot.keyClick(window.view, key, modifier)
    QApplication.processEvents()
    return time.perf_counter() - started


def test_a_50_mb_article_imports_with_progress_renders_and_stays_responsive(
    qtbot, db_path: Path, tmp_path: Path, real_model
) -> None:
    rng = random.Random(5)
    path = tmp_path / "huge.txt"
    with path.open("w", encoding="utf-8") as stream:
        written = 0
        while written < 50_000_000:
            paragraph = " ".join(rng.choice(WORDS) for _ in range(120)) + "\n\n"
            stream.write(paragraph)
            written += len(paragraph)
    database = Database.open(db_path)
    progress: list[int] = []
    tracemalloc.start()
    started = time.perf_counter()
    report = import_paths(database, [str(path)], ImportOptions(), progress=progress.append)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.added == 1 and not report.failed, report.failed
    assert progress == [1]
    (outcome,) = report.files
    assert any("longer than the model takes" in note for note in outcome.notes), outcome.notes  # said, not dropped
    assert peak < 8 * written, f"{peak / 1e6:.0f} MB traced for a {written / 1e6:.0f} MB article"
    window, opened = open_window(qtbot, database)
    assert len(window.view.text()) > 49_000_000
    text = window.view.text()
    start = text.index("Critics", len(text) // 2)
    window.view.select_span(Span(start, start + len("Critics")))
    claim = timed_key(qtbot, window, Qt.Key.Key_C)
    stance = timed_key(qtbot, window, Qt.Key.Key_1)
    assert window.annotations.claims and window.annotations.claims[0].stance.label == "support"
    scroll = window.view.verticalScrollBar()
    started = time.perf_counter()
    scroll.setValue(scroll.maximum())
    window.view.repaint()
    scrolled = time.perf_counter() - started
    print(
        f"50 MB article: import {seconds:.1f} s (peak {peak / 1e6:.0f} MB traced), open {opened:.1f} s, "
        f"claim {claim * 1000:.0f} ms, stance {stance * 1000:.0f} ms, scroll to the end {scrolled * 1000:.0f} ms"
    )
    assert opened < 20 and claim < 3 and stance < 3 and scrolled < 2
    database.close()


def test_an_article_longer_than_the_model_takes_imports_from_the_command_line(cli, db_path: Path, tmp_path: Path):
    path = tmp_path / "long.txt"
    rng = random.Random(7)
    path.write_text(" ".join(rng.choice(WORDS) for _ in range(220_000)), encoding="utf-8")  # about 1.3 M characters
    result = cli("import", "--db", db_path, path)
    assert result.code == 0, result.err
    assert "longer than the model takes" in result.out


MILLION = textwrap.dedent(
    """
    import json, os, sys
    from annotator.services.database import Database
    from annotator.services.importing import ImportOptions, import_paths

    path, db, lines = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "w", encoding="utf-8") as stream:
        for i in range(lines):
            stream.write('{"id": "d%d", "text": "Line %d of a very long file."}\\n' % (i, i))
    page = os.sysconf("SC_PAGE_SIZE")

    def rss():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * page

    samples = []
    database = Database.open(db)
    report = import_paths(
        database, [path], ImportOptions(fmt="jsonl", use_nlp=False), progress=lambda n: samples.append((n, rss()))
    )
    print(json.dumps({"added": report.added, "failed": [f.error for f in report.failed], "samples": samples}))
    """
)


def test_a_million_line_jsonl_imports_with_flat_memory(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MILLION, str(tmp_path / "million.jsonl"), str(tmp_path / "db.sqlite3"), str(BIG_LINES)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout)
    assert measured["added"] == BIG_LINES and measured["failed"] == []
    samples = measured["samples"]
    after_a_tenth = next(rss for done, rss in samples if done >= BIG_LINES // 10)
    highest = max(rss for done, rss in samples if done >= BIG_LINES // 10)
    growth = (highest - after_a_tenth) / 1e6
    print(
        f"{BIG_LINES:,} lines in {seconds:.0f} s; RSS {after_a_tenth / 1e6:.0f} MB after a tenth, "
        f"at most {highest / 1e6:.0f} MB after that (+{growth:.0f} MB)"
    )
    # Before the fix, the import remembered every id and hash of the file: +240 MB. What is left (about 40 bytes a
    # line) is the list of new document ids the report keeps for claim suggestions.
    assert growth < 60, f"memory grew by {growth:.0f} MB over the last nine tenths of the file"
    assert integrity(tmp_path / "db.sqlite3") == "ok"


def test_a_hundred_thousand_spans_on_one_document(qtbot, db_path: Path, tmp_path: Path) -> None:
    rng = random.Random(3)
    words = [rng.choice(WORDS) for _ in range(100_000)]
    text = " ".join(words)
    entities, position = [], 0
    for word in words:
        entities.append({"start": position, "end": position + len(word), "text": word, "label": "PERSON"})
        position += len(word) + 1
    source = tmp_path / "spans.jsonl"
    line = {"format": "annotator/v1", "id": "spans", "text": text, "annotator": None, "entities": entities}
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    database = Database.open(db_path)
    started = time.perf_counter()
    report = import_paths(database, [str(source)], ImportOptions(use_nlp=False))
    imported = time.perf_counter() - started
    assert report.added == 1 and not report.failed
    window, opened = open_window(qtbot, database)
    start = text.index("Critics", len(text) // 2)
    window.view.select_span(Span(start, start + len("Critics")))
    claim = timed_key(qtbot, window, Qt.Key.Key_C)
    assert len(window.annotations.claims) == 1 and len(window.annotations.entities) == 100_000
    out = tmp_path / "out.jsonl"
    started = time.perf_counter()
    export_jsonl(database, str(out))
    export_seconds = time.perf_counter() - started
    lines = [json.loads(raw) for raw in out.read_text(encoding="utf-8").splitlines()]
    (exported,) = lines  # alice's line: her claim over the model's entities, which she has not changed
    assert exported["annotator"] == "alice" and len(exported["claims"]) == 1
    assert [(e["start"], e["end"], e["text"]) for e in exported["entities"]] == [
        (e["start"], e["end"], e["text"]) for e in entities
    ]
    print(
        f"100,000 spans: import {imported:.1f} s, open {opened:.1f} s, claim {claim:.1f} s, "
        f"export {export_seconds:.1f} s"
    )
    assert opened < 20 and claim < 10
    database.close()
