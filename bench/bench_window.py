"""Benchmark of the REAL annotation window (``MainWindow``, offscreen) against DESIGN.md's "Speed" table.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_window.py``

Each figure is printed beside its target and beside a bare-Qt baseline measured
in the same run (a plain ``QPlainTextEdit`` given the same text, shown and
painted), with their ratio:

1. start to the first article shown with highlights, in fresh processes (also
   says whether spaCy was imported on that path);
2. switching between two ~1,000-word articles with ~60 entities and ~10 claims;
3. opening a 1 MB article with 10,000 entity highlights;
4. key press → edit committed → view repainted (stance 1/2, C on a selection, Ctrl+Z).

This is a benchmark, not a test: it prints, it asserts only that it measured
what it says it measured. Everything it writes goes to a temporary folder
(databases, settings, logs), removed at the end unless ``--keep``.
Options: ``--importtime`` prints the slowest imports of the start path
(``python -X importtime``); ``--quick`` runs fewer repetitions.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtGui import QTextBlock, QTextDocument

    from annotator.services.database import Database

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "seeds" / "000_ba5382ffd786d442.txt"
CORPUS = ROOT.parent / "shared" / "samples" / "corpus" / "fnc1_train_bodies.csv"
ANNOTATOR = "alice"

# Everything the window could write (settings, logs, default database) goes to a temporary folder:
# set before PySide6 or the annotator package is imported, and inherited by the child processes.
TMP = Path(tempfile.mkdtemp(prefix="bench-window-"))
for variable, folder in (
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_DATA_HOME", "data"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_STATE_HOME", "state"),
    ("ANNOTATOR_LOG_DIR", "logs"),
):
    (TMP / folder).mkdir()
    os.environ[variable] = str(TMP / folder)
os.environ["ANNOTATOR_NAME"] = ANNOTATOR
os.environ.pop("ANNOTATOR_DB", None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(ROOT))

TARGET_START_S = 1.0
TARGET_SWITCH_MS = 20.0
TARGET_BIG_MS = 500.0
TARGET_KEY_MS = 16.0
CUES = re.compile(r"\b(stated|pointed out|stressed|suggested|maintained|highlighted|said|noted)\b")

# ---------------------------------------------------------------------------------------------- children

# What ``annotator.ui.app.run_window`` does, minus ``app.exec()``: then paint and say when.
START_CHILD = r"""
import json, os, sys, time
marks = {}
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from annotator.services.database import Database
from annotator.ui.app import application, install_excepthook, open_window
from annotator.ui.theme import apply_theme
marks["imported"] = time.perf_counter()
app = application()
install_excepthook()
apply_theme(QSettings().value("ui/dark") in (True, "true"))
marks["app"] = time.perf_counter()
database = Database.open(sys.argv[1])
marks["database"] = time.perf_counter()
window = open_window(database, os.environ.get("ANNOTATOR_NAME") or "alice")
marks["window"] = time.perf_counter()
QApplication.processEvents()
window.view.viewport().repaint()
painted = time.perf_counter()
wall = time.time()
blocks, formatted = 0, 0
block = window.view.document().firstBlock()
while block.isValid():
    blocks += 1
    formatted += bool(block.layout().formats())
    block = block.next()
print(json.dumps({
    "painted": painted, "wall": wall, "marks": marks, "spacy": "spacy" in sys.modules,
    "document": window.document.external_id if window.document else None,
    "entities": len(window.annotations.entities), "blocks": blocks, "formatted_blocks": formatted,
    "visible": window.isVisible(),
}))
"""

# The real command (``annotator gui``, i.e. ``annotator.cli.main``) with ``exec`` replaced by: paint, say when.
CLI_CHILD = r"""
import json, sys, time
from PySide6.QtWidgets import QApplication

def exec_once(*_args):
    from annotator.ui.main_window import MainWindow
    QApplication.processEvents()
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    window.view.viewport().repaint()
    painted = time.perf_counter()
    print(json.dumps({"painted": painted, "wall": time.time(), "spacy": "spacy" in sys.modules,
                      "document": window.document.external_id if window.document else None,
                      "entities": len(window.annotations.entities)}))
    return 0

QApplication.exec = exec_once
from annotator.cli import main
sys.exit(main(["gui", "--db", sys.argv[1], "--annotator", "alice"]))
"""

BARE_CHILD = r"""
import json, sys, time
from PySide6.QtWidgets import QApplication, QPlainTextEdit
app = QApplication(sys.argv[:1])
edit = QPlainTextEdit()
edit.setPlainText(open(sys.argv[1], encoding="utf-8").read())
edit.resize(820, 760)
edit.show()
QApplication.processEvents()
edit.viewport().repaint()
print(json.dumps({"painted": time.perf_counter(), "wall": time.time(), "spacy": "spacy" in sys.modules}))
"""


def run_child(code: str, argument: str) -> tuple[float, dict[str, Any]]:
    """Run ``code`` in a fresh interpreter; seconds from just before spawning to its "painted" mark.

    ``time.perf_counter`` is CLOCK_MONOTONIC on Linux, one clock for every process,
    so the parent's and the child's readings can be subtracted (``time.time`` is
    printed too as a cross-check).
    """
    started, started_wall = time.perf_counter(), time.time()
    done = subprocess.run([sys.executable, "-c", code, argument], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    line = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    report = json.loads(line)
    elapsed = float(report["painted"]) - started
    report["wall_elapsed"] = float(report["wall"]) - started_wall
    report["started"] = started
    return elapsed, report


# ---------------------------------------------------------------------------------------------- data


def sample_text() -> str:
    """The sample article without its ``date`` prefix."""
    return re.sub(r"^\s*date \d{4}-\d{2}-\d{2} ", "", SAMPLE.read_text(encoding="utf-8")).strip()


def corpus_bodies(limit: int | None = None) -> list[str]:
    """Article bodies of the FNC-1 corpus in shared/ ([] when it is absent)."""
    if not CORPUS.exists():
        return []
    bodies: list[str] = []
    with CORPUS.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            body = (row.get("articleBody") or "").strip()
            if body:
                bodies.append(body)
            if limit is not None and len(bodies) >= limit:
                break
    return bodies


def write_bare_jsonl(path: Path, bodies: list[str], prefix: str) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for number, body in enumerate(bodies):
            stream.write(json.dumps({"id": f"{prefix}-{number}", "text": body}) + "\n")


def thousand_words(rotate: int) -> str:
    """The sample article's paragraphs, rotated by ``rotate`` and repeated to about 1,000 words."""
    paragraphs = [p.strip() for p in sample_text().split("\n") if p.strip()]
    paragraphs = paragraphs[rotate:] + paragraphs[:rotate]
    chosen: list[str] = []
    words = 0
    while words < 1000:
        paragraph = paragraphs[len(chosen) % len(paragraphs)]
        chosen.append(paragraph)
        words += len(paragraph.split())
    return "\n\n".join(chosen)


def megabyte_line(bodies: list[str], entities: int) -> tuple[str, dict[str, Any]]:
    """A 1 MB article (corpus bodies, else the sample, repeated) with ``entities`` model entities."""
    parts = bodies or [sample_text()]
    chunks: list[str] = []
    size, index = 0, 0
    while size < 1_000_000:
        chunks.append(parts[index % len(parts)])
        size += len(chunks[-1]) + 2
        index += 1
    text = "\n\n".join(chunks)[:1_000_000]
    text = text[: text.rfind(" ")].rstrip()
    words = [m.span() for m in re.finditer(r"\b[A-Z][a-z]{2,}\b", text)]
    if len(words) < entities:
        words = [m.span() for m in re.finditer(r"\b\w{3,}\b", text)]
    step = len(words) / entities
    labels = ["PERSON", "GPE", "ORG"]
    spans = [words[int(i * step)] for i in range(entities)]
    line = {
        "format": "annotator/v1",
        "id": "bench-1mb",
        "text": text,
        "annotator": None,
        "entities": [
            {"start": start, "end": end, "label": labels[i % 3], "source": "model"}
            for i, (start, end) in enumerate(spans)
        ],
    }
    return text, line


# ---------------------------------------------------------------------------------------------- figures


def ms_stats(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


PROFILE: str | None = None
"""``--profile NAME``: the timed section of that name runs under cProfile (its figures are then inflated)."""


def paired(
    runs: int,
    window_action: Callable[[int], None],
    bare_action: Callable[[int], None],
    between: Callable[[int], None],
    name: str = "",
) -> tuple[list[float], list[float]]:
    """Seconds of ``window_action(i)`` and of ``bare_action(i)``, alternating; ``between(i)`` untimed before each."""
    window_samples: list[float] = []
    bare_samples: list[float] = []
    profiler = _profiler(name)
    for index in range(runs):
        between(index)
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        window_action(index)
        window_samples.append(time.perf_counter() - start)
        if profiler is not None:
            profiler.disable()
        between(index)
        start = time.perf_counter()
        bare_action(index)
        bare_samples.append(time.perf_counter() - start)
    _print_profile(name, profiler)
    return window_samples, bare_samples


def _profiler(name: str) -> cProfile.Profile | None:
    return cProfile.Profile() if name and name == PROFILE else None


def _print_profile(name: str, profiler: cProfile.Profile | None) -> None:
    if profiler is not None:
        print(f"---- cProfile of '{name}' (cumulative, top 45) ----")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(45)


ROWS: list[str] = []


def row_ms(what: str, samples: list[float], bare: list[float], target_ms: float, extra: str) -> None:
    """A row of milliseconds: median (the figure compared with the target), min and p95; the bare median."""
    median, p95 = ms_stats(samples)
    bare_median, _ = ms_stats(bare)
    digits = 0 if target_ms >= 100 else 1
    row(
        what,
        f"{median:.{digits}f} ms (min {min(samples) * 1000:.{digits}f}, p95 {p95:.{digits}f})",
        f"{bare_median:.{max(digits, 1)}f} ms",
        median / bare_median,
        f"≤ {target_ms:.0f} ms",
        median <= target_ms,
        extra,
    )


def row(what: str, value: str, bare: str, ratio: float | None, target: str, ok: bool | None, extra: str = "") -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    ratio_text = f"{ratio:5.1f}" if ratio is not None else "    -"
    line = f"{what:<44} {value:>34}   bare Qt {bare:>8}   ratio {ratio_text}   target {target:<9} {verdict}"
    if extra:
        line += f"   ({extra})"
    ROWS.append(line)
    print(line, flush=True)


# ---------------------------------------------------------------------------------------------- 1. start


def bench_start(runs: int, corpus: list[str], importtime: bool) -> None:
    from annotator.services.database import Database
    from annotator.services.importing import ImportOptions, import_paths

    path = TMP / "start.sqlite3"
    database = Database.open(path)
    report = import_paths(database, [str(ROOT / "seeds")], ImportOptions())
    assert report.added == 1 and not report.failed, report
    extra = 0
    if corpus:
        lines = TMP / "start-corpus.jsonl"
        write_bare_jsonl(lines, corpus[:400], "fnc1")
        more = import_paths(database, [str(lines)], ImportOptions(use_nlp=False))
        assert not more.failed, more.failed
        extra = more.added
    else:
        print(f"(no corpus at {CORPUS}: the start database holds the sample article only)")
    with database.read() as session:
        from sqlalchemy import select

        from annotator.store.tables import DocumentRow

        first_text = session.scalar(select(DocumentRow.text).order_by(DocumentRow.id).limit(1))
    database.close()
    assert first_text
    text_file = TMP / "first-article.txt"
    text_file.write_text(first_text, encoding="utf-8")
    print(f"start database: the sample article (pre-annotated, {report.model}) + {extra} corpus articles")

    # One warm-up of each (file cache, Qt's font cache in the temporary XDG folders), then interleaved runs.
    run_child(START_CHILD, str(path))
    run_child(BARE_CHILD, str(text_file))
    window_times, bare_times, cli_times = [], [], []
    reports: list[dict[str, Any]] = []
    for _ in range(runs):
        elapsed, child = run_child(START_CHILD, str(path))
        window_times.append(elapsed)
        reports.append(child)
        elapsed, _ = run_child(BARE_CHILD, str(text_file))
        bare_times.append(elapsed)
        elapsed, cli_child = run_child(CLI_CHILD, str(path))
        cli_times.append(elapsed)
        assert not cli_child["spacy"], "spaCy was imported on the start path (annotator gui)"
    last = reports[-1]
    spacy_imported = any(bool(r["spacy"]) for r in reports)
    assert last["visible"] and last["entities"] and last["formatted_blocks"], last
    window_s, bare_s, cli_s = (statistics.median(t) for t in (window_times, bare_times, cli_times))
    row(
        "start → first article (run_window path)",
        f"{window_s:.2f} s (min {min(window_times):.2f})",
        f"{bare_s:.2f} s",
        window_s / bare_s,
        f"≤ {TARGET_START_S} s",
        window_s <= TARGET_START_S and not spacy_imported,
        f"median of {runs}; 'spacy' in sys.modules: {spacy_imported}",
    )
    row(
        "start → first article (`annotator gui` CLI)",
        f"{cli_s:.2f} s (min {min(cli_times):.2f})",
        f"{bare_s:.2f} s",
        cli_s / bare_s,
        f"≤ {TARGET_START_S} s",
        cli_s <= TARGET_START_S,
        f"median of {runs}; main() with exec() replaced by paint",
    )
    marks = {k: (float(v) - float(last["started"])) * 1000 for k, v in dict(last["marks"]).items()}
    marks["painted"] = (float(last["painted"]) - float(last["started"])) * 1000
    print(
        "    last run, ms from spawn: "
        + ", ".join(f"{name} {value:.0f}" for name, value in marks.items())
        + f"; document {last['document']!r} with {last['entities']} entities,"
        f" {last['formatted_blocks']}/{last['blocks']} blocks highlighted;"
        f" wall-clock cross-check {float(last['wall_elapsed']):.2f} s"
    )
    if importtime:
        print_importtime(path)


def print_importtime(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", START_CHILD, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    entries: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match and len(match.group(3)) <= 3:  # the first two levels of nesting
            entries.append((int(match.group(2)), match.group(4)))
    print("    slowest imports of the start path, first two levels (cumulative ms, inflated by -X importtime):")
    for micros, name in sorted(entries, reverse=True)[:20]:
        print(f"      {micros / 1000:8.1f}  {name}")


# ---------------------------------------------------------------------------------------------- 2-4. in process


def annotate_claims(database: Database, document_id: int, text: str, count: int) -> int:
    """Make ~``count`` claims with speakers, cues and stances on a document, through the editing service."""
    from annotator.domain.model import Span
    from annotator.services.editing import Editor, NewSpeaker

    editor = Editor(database, ANNOTATOR)
    sentences = [m.span() for m in re.finditer(r"[^.\n]+\.", text)]
    with_cue = [s for s in sentences if CUES.search(text, s[0], s[1])]
    others = [s for s in sentences if s not in with_cue]
    chosen = (with_cue + others)[: len(sentences)]
    step = max(1, len(chosen) // count)
    picked = sorted(chosen[::step][:count])
    speaker_id: int | None = None
    stances = ["support", "oppose", "neutral"]
    for number, (start, end) in enumerate(picked):
        while text[start] == " ":
            start += 1
        cue_match = CUES.search(text, start, end)
        claim_start = cue_match.end() + 1 if cue_match and cue_match.end() + 1 < end - 1 else start
        claim_id = editor.create_claim(document_id, Span(claim_start, end - 1)).claim_id
        assert claim_id is not None
        mention_at = text.rfind("Malhotra", 0, end)
        if mention_at < 0:
            mention_at = text.find("Malhotra")
        mention = Span(mention_at, mention_at + len("Malhotra"))
        if speaker_id is None:
            result = editor.set_speaker(document_id, claim_id, mention, NewSpeaker("Ajai Malhotra"))
            speaker_id = next(s.id for s in result.annotations.speakers if s.name == "Ajai Malhotra")
        else:
            editor.set_speaker(document_id, claim_id, mention, speaker_id)
        if cue_match:
            editor.set_cue(document_id, claim_id, Span(cue_match.start(), cue_match.end()))
        editor.set_stance(document_id, claim_id, stances[number % 3])
    return len(picked)


def bench_in_process(quick: bool, corpus: list[str]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit

    from annotator.domain.model import Span
    from annotator.services.database import Database
    from annotator.services.importing import ImportOptions, import_paths

    # --- the database: two ~1,000-word articles (real model), a 1 MB article, corpus articles
    # The sample article is dense in names (the model finds ~110 entities in 1,000 words of it):
    # keep 60 of the real model's entities, evenly spread, as the documents' model layer.
    from annotator.services.preannotating import load_annotator
    from annotator.ui.app import application
    from annotator.ui.main_window import MainWindow

    texts = {"bench-a": thousand_words(0), "bench-b": thousand_words(3)}
    tagger = load_annotator()
    assert tagger is not None, "no spaCy model installed"
    articles = TMP / "articles.jsonl"
    with articles.open("w", encoding="utf-8") as stream:
        for (name, text), found in zip(texts.items(), tagger.entities(texts.values()), strict=True):
            kept = [found[round(i * len(found) / 60)] for i in range(60)] if len(found) > 60 else found
            entities = [{"start": e.start, "end": e.end, "label": e.label, "source": "model"} for e in kept]
            line = {"format": "annotator/v1", "id": name, "text": text, "annotator": None, "entities": entities}
            stream.write(json.dumps(line) + "\n")
    path = TMP / "window.sqlite3"
    database = Database.open(path)
    report = import_paths(database, [str(articles)], ImportOptions(use_nlp=False))
    assert report.added == 2 and not report.failed, report
    big_text, big_line = megabyte_line(corpus, 10_000)
    big_file = TMP / "big.jsonl"
    big_file.write_text(json.dumps(big_line) + "\n", encoding="utf-8")
    report = import_paths(database, [str(big_file)], ImportOptions(use_nlp=False))
    assert report.added == 1 and not report.failed, report.failed
    if corpus:
        lines = TMP / "window-corpus.jsonl"
        write_bare_jsonl(lines, corpus[:400], "fnc1")
        import_paths(database, [str(lines)], ImportOptions(use_nlp=False))

    from annotator.services.documents import DocumentList

    documents = DocumentList(database, ANNOTATOR)
    ids: dict[str, int] = {}
    for name in ("bench-a", "bench-b", "bench-1mb"):
        document_id = documents.find(name)
        assert document_id is not None, name
        ids[name] = document_id
    doc_a, doc_b, doc_big = ids["bench-a"], ids["bench-b"], ids["bench-1mb"]
    stored = {}
    for name in ("bench-a", "bench-b"):
        from annotator.services.editing import Editor

        document, _ = Editor(database, ANNOTATOR).load(ids[name])
        texts[name] = document.text
        annotate_claims(database, ids[name], document.text, 10)
        stored[name] = Editor(database, ANNOTATOR).annotations(ids[name])

    # --- the window and the bare editor, same size as the window's article view
    app = application()
    window = MainWindow(database, ANNOTATOR)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowExposed(window)
    QTest.qWaitForWindowActive(window, 2000)
    window.open_document(doc_a)
    app.processEvents()
    bare = QPlainTextEdit()
    bare.resize(window.view.size())
    bare.show()
    QTest.qWaitForWindowExposed(bare)
    window.activateWindow()
    app.processEvents()

    for name in ("bench-a", "bench-b"):
        words = len(texts[name].split())
        annotations = stored[name]
        print(
            f"{name}: {words} words, {len(annotations.entities)} entities (real model, 60 kept),"
            f" {len(annotations.claims)} claims, {len(annotations.speakers)} speaker(s)"
        )
    print(f"bench-1mb: {len(big_text):,} characters, {len(big_line['entities']):,} entities")
    print(f"window {window.width()}x{window.height()}, article view {window.view.width()}x{window.view.height()}")

    # --- 2. switching between two ~1,000-word articles
    # Each sample of the window alternates with one of the bare editor, so that on a busy machine
    # both see the same load; each starts from an idle event loop (``settle``), as a user's action does.
    switches = 16 if quick else 40
    order = [doc_a, doc_b]
    bare_texts = [texts["bench-a"], texts["bench-b"]]

    def settle(_index: int) -> None:
        app.processEvents()

    def open_next(index: int) -> None:
        window.open_document(order[index % 2 ^ 1])
        window.view.viewport().repaint()  # paints every widget with pending updates (the panels too)

    def open_next_frame(index: int) -> None:
        open_next(index)
        app.processEvents()  # and what the event loop does next (layouts, second paints): the whole frame

    def bare_next(index: int) -> None:
        bare.setPlainText(bare_texts[index % 2 ^ 1])
        bare.viewport().repaint()

    def bare_next_frame(index: int) -> None:
        bare_next(index)
        app.processEvents()

    paired(6, open_next, bare_next, settle)
    switch, bare_switch = paired(switches, open_next, bare_next, settle, name="switch")
    switch_frame, bare_switch_frame = paired(switches, open_next_frame, bare_next_frame, settle)
    assert window.document is not None and window.document.id in (doc_a, doc_b)
    row_ms(
        "switch article (1,000 w, ~60 ent, 10 claims)",
        switch,
        bare_switch,
        TARGET_SWITCH_MS,
        f"open_document + repaint, {switches} runs",
    )
    row_ms(
        "  … then processEvents (whole frame)", switch_frame, bare_switch_frame, TARGET_SWITCH_MS, f"{switches} runs"
    )

    # --- 3. the 1 MB article with 10,000 entities
    big_runs = 3 if quick else 5

    def open_big(_index: int) -> None:
        window.open_document(doc_big)
        window.view.viewport().repaint()

    def bare_big(_index: int) -> None:
        bare.setPlainText(big_text)
        bare.viewport().repaint()

    def back_to_small(_index: int) -> None:
        window.open_document(doc_a)
        bare.setPlainText(texts["bench-a"])
        app.processEvents()

    big, bare_big_times = paired(big_runs, open_big, bare_big, back_to_small, name="big")
    window.open_document(doc_big)
    shown = sum(bool(block.layout().formats()) for block in _blocks(window.view.document()))
    row_ms(
        "open 1 MB article, 10,000 entities",
        big,
        bare_big_times,
        TARGET_BIG_MS,
        f"open_document + repaint, {big_runs} runs; {shown} blocks highlighted",
    )

    # --- 4. key press → edit committed → view repainted
    window.open_document(doc_a)
    window.activateWindow()
    window.view.setFocus()
    bare.setPlainText(texts["bench-a"])
    app.processEvents()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)  # the first claim becomes current
    assert window.current_claim_id is not None, "Tab did not make a claim current (is the window active?)"
    stances = window.schema.names("stance")
    presses = 20 if quick else 50
    keys = [Qt.Key.Key_1, Qt.Key.Key_2]
    bare_keys = [Qt.Key.Key_Right, Qt.Key.Key_Left]

    def stance_key(index: int) -> None:
        QTest.keyClick(window.view, keys[index % 2])
        window.view.viewport().repaint()

    def bare_key(index: int) -> None:
        # The baseline: a key press that changes the selection in a bare editor with the same text.
        QTest.keyClick(bare, bare_keys[index % 2], Qt.KeyboardModifier.ShiftModifier)
        bare.viewport().repaint()

    paired(4, stance_key, bare_key, settle)
    before = window.undo_stack.count()
    stance_times, bare_key_times = paired(presses, stance_key, bare_key, settle, name="stance")
    claim = window._claim(window.current_claim_id)
    assert claim is not None and claim.stance is not None and claim.stance.label == stances[(presses - 1) % 2]
    assert window.undo_stack.count() == before + presses, "a key press did not make an edit"
    assert bare.textCursor().hasSelection() != (presses % 2 == 0), "the bare editor's selection did not change"

    # C on a selection (a new claim), then Ctrl+Z (undo it); the selection: a stretch no claim covers.
    text = texts["bench-a"]
    covered = [(c.start, c.end) for c in window.annotations.claims]
    free = next(
        Span(m.start(), m.end() - 1)
        for m in re.finditer(r"[A-Z][^.\n]{30,}\.", text)
        if not any(s < m.end() and m.start() < e for s, e in covered)
    )
    claims_before = len(window.annotations.claims)

    def select_free(_index: int) -> None:
        window.view.select_span(free)
        app.processEvents()

    def new_claim_key(_index: int) -> None:
        QTest.keyClick(window.view, Qt.Key.Key_C)
        window.view.viewport().repaint()
        assert len(window.annotations.claims) == claims_before + 1, "C did not add a claim"

    def undo_key(_index: int) -> None:
        QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        window.view.viewport().repaint()
        assert len(window.annotations.claims) == claims_before, "Ctrl+Z did not undo the claim"

    new_claim_times: list[float] = []
    undo_times: list[float] = []
    profile_new, profile_undo = _profiler("new_claim"), _profiler("undo")
    for index in range(4 + presses // 2):
        for samples, prepare, action, profiler in (
            (new_claim_times, select_free, new_claim_key, profile_new),
            (undo_times, settle, undo_key, profile_undo),
        ):
            prepare(index)
            if profiler is not None:
                profiler.enable()
            start = time.perf_counter()
            action(index)
            elapsed = time.perf_counter() - start
            if profiler is not None:
                profiler.disable()
            settle(index)
            start = time.perf_counter()
            bare_key(index)
            bare_elapsed = time.perf_counter() - start
            if index >= 4:
                samples.append(elapsed)
                bare_key_times.append(bare_elapsed)
    _print_profile("new_claim", profile_new)
    _print_profile("undo", profile_undo)

    for label, samples in (
        ("key 1/2 (stance) → committed → repainted", stance_times),
        ("key C (new claim) → committed → repainted", new_claim_times),
        ("Ctrl+Z (undo) → committed → repainted", undo_times),
    ):
        row_ms(label, samples, bare_key_times, TARGET_KEY_MS, f"{len(samples)} presses; bare: Shift+Right/Left")
    window.close()
    bare.close()
    database.close()


def _blocks(document: QTextDocument) -> Iterator[QTextBlock]:
    block = document.firstBlock()
    while block.isValid():
        yield block
        block = block.next()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--importtime", action="store_true", help="show the slowest imports of the start path")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--skip-start", action="store_true", help="skip the start-up figures")
    parser.add_argument(
        "--profile",
        choices=["switch", "big", "stance", "new_claim", "undo"],
        help="run that timed section under cProfile and print the profile (its figure is then inflated)",
    )
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    import PySide6
    from PySide6.QtCore import qVersion

    print(
        f"python {sys.version.split()[0]}, PySide6 {PySide6.__version__} (Qt {qVersion()}),"
        f" {os.cpu_count()} CPUs, QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}; temporary folder {TMP}"
    )
    corpus = corpus_bodies()
    if not corpus:
        print(f"(corpus {CORPUS} is absent: no extra documents, the 1 MB article is the sample repeated)")
    try:
        if not args.skip_start:
            bench_start(3 if args.quick else 5, corpus, args.importtime)
        bench_in_process(args.quick, corpus)
    finally:
        if not args.keep:
            shutil.rmtree(TMP, ignore_errors=True)
    print()
    print("summary (each figure beside the bare-Qt baseline of this run and DESIGN.md's target):")
    for line in ROWS:
        print(line)


if __name__ == "__main__":
    main()
