"""Time the document list on 100,000 documents: open, count, pages, progress, the Qt model's first fetch.

The database is built once (JSONL bare lines imported without NLP, 40 % of
the documents given a status and a few claims for the annotator) and kept in
the temp folder for the next run. A bare sqlite3 query gives the floor.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_document_list.py [--docs N] [--chars N] [--rebuild]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from annotator.domain.model import Status  # noqa: E402
from annotator.services.documents import DocumentList, DocumentQuery  # noqa: E402
from annotator.services.importing import ImportOptions, import_paths  # noqa: E402
from annotator.store import repository  # noqa: E402
from annotator.store.database import Database  # noqa: E402
from annotator.store.tables import ClaimRow, DocumentStateRow, utcnow  # noqa: E402

ANNOTATOR = "alice"
SENTENCE = (
    "the minister said on Tuesday that India would remain anchored on strategic autonomy and multi alignment "
    "according to officials who spoke in Geneva about trade energy security and the talks"
)


def build(path: Path, docs: int, chars: int) -> None:
    """Import ``docs`` bare JSONL lines of about ``chars`` characters, then give the annotator statuses and claims."""
    rng = random.Random(7)
    words = SENTENCE.split()
    source = path.with_suffix(".jsonl")
    with source.open("w", encoding="utf-8") as out:
        for n in range(docs):
            body = " ".join(rng.choice(words) for _ in range(max(chars // 6, 1)))
            meta = {"title": f"Story {n}", "date": f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"}
            out.write(json.dumps({"id": f"doc-{n:06d}", "text": f"Article {n}. {body}.", "meta": meta}) + "\n")
    started = time.perf_counter()
    database = Database.open(path)
    report = import_paths(database, [str(source)], ImportOptions(use_nlp=False, batch_size=2000))
    elapsed = time.perf_counter() - started
    source.unlink()
    if report.failed:
        raise SystemExit(f"import failed: {report.failed[0].error}")
    print(f"built {path}: {report.added:,} documents imported in {elapsed:.1f} s ({report.added / elapsed:,.0f}/s)")
    statuses = [Status.DONE, Status.DONE, Status.IN_PROGRESS, Status.SKIPPED, Status.NEW]
    with database.write() as session:
        person = repository.annotator_id(session, ANNOTATOR)
        now = utcnow()
        states, claims = [], []
        for document_id in range(1, docs + 1):
            if rng.random() < 0.4:
                status = rng.choice(statuses)
                states.append({"document_id": document_id, "annotator_id": person, "status": status.value})
                claims += [
                    {"document_id": document_id, "annotator_id": person, "start": 0, "end": 7, "created_at": now}
                    for _ in range(rng.randint(0, 4))
                ]
        session.execute(insert(DocumentStateRow), states)
        session.execute(insert(ClaimRow), claims)
    database.close()
    print(f"  with {len(states):,} document states and {len(claims):,} claims for {ANNOTATOR}")


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best and median milliseconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times), result


def report(name: str, function: Callable[[], object], target: str = "", repeat: int = 7) -> object:
    """Time ``function`` and print one line: best, median, target."""
    best, median, result = timed(function, repeat)
    shown = result if isinstance(result, int | tuple) else (len(result) if isinstance(result, list) else "")
    print(f"{name:<50} {best:9.2f} ms  (median {median:8.2f})  {target:<14} {shown}")
    return result


def main() -> None:
    """Build (or reuse) the database and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=200, help="about how long each article is")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args()
    path = Path(tempfile.gettempdir()) / f"annotator-bench-documents-{args.docs}-{args.chars}.sqlite3"
    if args.rebuild or not path.exists():
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        build(path, args.docs, args.chars)
    print(f"database: {path} ({path.stat().st_size / 1e6:,.0f} MB)\n")

    def open_close() -> None:
        Database.open(path).close()

    report("Database.open", open_close, "≤ 1000 ms", repeat=5)
    database = Database.open(path)
    documents = DocumentList(database, ANNOTATOR)
    everything, new, done = DocumentQuery(), DocumentQuery(Status.NEW), DocumentQuery(Status.DONE)
    report("DocumentList.count()", lambda: documents.count(everything), "≪ 100 ms")
    report("DocumentList.count(status=new)", lambda: documents.count(new), "≪ 100 ms")
    report("DocumentList.count(status=done)", lambda: documents.count(done), "≪ 100 ms")
    report("page(offset=0, limit=200)", lambda: documents.page(everything, 0, 200), "a few ms")
    report("page(offset=50,000, limit=200)", lambda: documents.page(everything, 50_000, 200), "")
    middle = args.docs // 2
    report("page(after_id=50,000, limit=200) (keyset)", lambda: documents.page(everything, 0, 200, after_id=middle))
    report("page(status=new, after_id=50,000)", lambda: documents.page(new, 0, 200, after_id=middle))
    report("page(status=done, offset=0)", lambda: documents.page(done, 0, 200))
    report("progress()", documents.progress, "≪ 100 ms")
    report("position(all, id 70,000)", lambda: documents.position(everything, args.docs * 7 // 10))
    report("next_document(not_done=True)", lambda: documents.next_document(middle, not_done=True))
    search = DocumentQuery(search="Story 4242")
    report("count(search='Story 4242') (full scan)", lambda: documents.count(search), repeat=3)
    report("page(search='Story 4242')", lambda: documents.page(search, 0, 200), repeat=3)

    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QApplication

    from annotator.ui.document_list import DocumentListModel, DocumentPanel

    app = QApplication.instance() or QApplication([])
    report("DocumentListModel() (first fetch)", lambda: DocumentListModel(documents).rowCount(), "")
    model = DocumentListModel(documents)

    def fetch_more() -> int:
        model.fetchMore(QModelIndex())
        return model.rowCount()

    report("DocumentListModel.fetchMore()", fetch_more, repeat=20)
    report("DocumentPanel() (model + progress)", lambda: DocumentPanel(documents).model.rowCount(), "")
    deep = args.docs * 6 // 10
    report(
        f"DocumentListModel.row_of(id {deep:,}) (loads rows)",
        lambda: DocumentListModel(documents).row_of(deep),
        repeat=3,
    )

    def open_to_list() -> int:
        fresh = Database.open(path)
        rows = DocumentListModel(DocumentList(fresh, ANNOTATOR)).rowCount()
        fresh.close()
        return rows

    report("open + first page of the model", open_to_list, "≤ 1000 ms", repeat=5)

    bare = sqlite3.connect(path)
    report(
        "bare sqlite3: SELECT id, external_id … LIMIT 200",
        lambda: bare.execute("SELECT id, external_id FROM documents ORDER BY id LIMIT 200").fetchall(),
        "(floor)",
        repeat=20,
    )
    bare.close()
    database.close()
    del app


if __name__ == "__main__":
    main()
