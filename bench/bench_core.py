"""Time import (with and without pre-annotation) and export against DESIGN.md's "Speed" targets.

Each figure is printed beside a bare-library baseline measured in the same
process on the same articles (FNC-1 training bodies from ``shared/samples``):

1. import with pre-annotation vs bare ``nlp.pipe`` of the same pipeline object
   (one process, and ``--jobs`` processes);
2. import without NLP (bare lines, and annotator/v1 lines carrying the model's
   entities) vs raw ``sqlite3`` ``executemany`` inserts of the same rows, for
   N and 4×N articles (a small import also pays the per-run fixed costs);
3. export vs a plain ``sqlite3`` SELECT + ``json.dumps`` of the same rows, and
   the export's peak Python memory (tracemalloc) for N, 4×N (and 16×N while N
   is smaller than one export chunk) documents.

Run from the repository root::

    .venv/bin/python bench/bench_core.py [--articles N] [--jobs 2] [--repeat 5] [--nlp-repeat 3]

Every figure is the best of its runs; the runs of a product figure and of its
baseline are interleaved so that a busy spell of the machine hits both. The
parallel CPU capacity (how many cores a CPU-bound process actually gets now)
is printed too: the ``--jobs`` figure cannot beat it. This is a benchmark,
not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared/samples/corpus/fnc1_train_bodies.csv"

from annotator.services.exporting import CHUNK as EXPORT_CHUNK  # noqa: E402
from annotator.services.exporting import export_jsonl  # noqa: E402
from annotator.services.importing import ImportOptions, ImportReport, import_paths  # noqa: E402
from annotator.services.preannotating import BATCH_SEVERAL_PROCESSES  # noqa: E402
from annotator.store.database import Database  # noqa: E402

# DESIGN.md, "Speed".
NLP_RATIO_TARGET = 0.9
NLP_JOBS_TARGET = 1.6
IMPORT_TARGET = 5_000.0
EXPORT_TARGET = 8_000.0
# "Memory flat in corpus size": a bigger corpus may peak at most this much above the reference one.
MEMORY_GROWTH_LIMIT = 1.5


@dataclass(slots=True)
class Row:
    """One line of the result table."""

    what: str
    value: float
    unit: str
    baseline_what: str = ""
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None

    def render(self) -> str:
        """The line as printed."""
        base = f"{self.baseline_what:<22} {self.baseline:9.1f} {self.unit}" if self.baseline is not None else ""
        ratio = f"ratio {self.value / self.baseline:5.2f}" if self.baseline else ""
        verdict = {True: "OK", False: "MISS", None: ""}[self.ok]
        line = f"{self.what:<34} {self.value:9.1f} {self.unit:<7} {base:<40} {ratio:<11} {self.target:<22} {verdict}"
        return line.rstrip()


# ---------------------------------------------------------------- inputs


def load_articles(count: int) -> list[str]:
    """The first ``count`` distinct, non-blank FNC-1 article bodies."""
    csv.field_size_limit(sys.maxsize)
    texts: list[str] = []
    seen: set[str] = set()
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row["articleBody"]
            if text.strip() and text not in seen:
                seen.add(text)
                texts.append(text)
                if len(texts) == count:
                    break
    return texts


def write_jsonl(path: Path, objects: list[dict[str, Any]]) -> Path:
    """Write one JSON object per line."""
    with path.open("w", encoding="utf-8") as out:
        for obj in objects:
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL file as an object."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def copies(lines: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` copies of exported lines, each with its own id and text (entity offsets stay valid)."""
    result = []
    for k in range(count):
        for line in lines:
            text = f"{line['text']} (copy {k})"
            result.append(
                {
                    **line,
                    "id": f"{line['id']}-copy{k}",
                    "text": text,
                    "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                }
            )
    return result


def bare(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same articles as bare ``{"id", "text"}`` lines."""
    return [{"id": line["id"], "text": line["text"]} for line in lines]


class Scratch:
    """Fresh database and file names inside one temporary folder."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench_core_"))
        self.last: Path | None = None
        self._count = 0

    def path(self, stem: str, suffix: str) -> Path:
        """A new, unused path."""
        self._count += 1
        return self.folder / f"{self._count:03d}_{stem}{suffix}"

    def database(self, stem: str = "db") -> tuple[Database, Path]:
        """A freshly created annotator database."""
        path = self.path(stem, ".sqlite3")
        return Database.open(path), path

    def cleanup(self) -> None:
        """Remove everything."""
        shutil.rmtree(self.folder, ignore_errors=True)


# ---------------------------------------------------------------- timing


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` takes (garbage collected before, not during)."""
    gc.collect()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best_rates(count: int, repeat: int, runs: dict[str, Callable[[], float]]) -> dict[str, float]:
    """The best ``count / seconds`` of each run over ``repeat`` rounds, interleaved; runs return their seconds."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            best[name] = max(best.get(name, 0.0), count / run())
    return best


def _spin(_: int) -> float:
    """CPU-bound work for :func:`parallel_capacity`; returns its own seconds."""
    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.perf_counter() - start


def parallel_capacity(jobs: int) -> float:
    """How many cores ``jobs`` CPU-bound processes get right now (``jobs`` on an idle machine)."""
    alone = _spin(0)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        together = pool.map(_spin, range(jobs))
    return jobs * alone / max(together)


def checked(report: ImportReport, expected: int) -> ImportReport:
    """Fail loudly when an import did not add every document."""
    if report.failed or report.added != expected:
        problems = "; ".join(f.error or "" for f in report.failed)
        raise SystemExit(f"import added {report.added} of {expected} documents: {problems}")
    return report


def import_seconds(scratch: Scratch, source: Path, expected: int, options: ImportOptions) -> float:
    """Import ``source`` into a fresh database (kept as ``scratch.last``); seconds spent in ``import_paths``."""
    database, scratch.last = scratch.database()
    try:
        return timed(lambda: checked(import_paths(database, [str(source)], options), expected))
    finally:
        database.close()


# ---------------------------------------------------------------- bare baselines


def bare_pipe_seconds(nlp: Any, texts: list[str], n_process: int = 1, batch_size: int | None = None) -> float:
    """Seconds for plain ``nlp.pipe`` over ``texts`` (spaCy's defaults unless given), reading each doc's entities."""

    def run() -> None:
        for doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
            [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]

    return timed(run)


def connect(path: Path) -> sqlite3.Connection:
    """A raw sqlite3 connection with the pragmas the product's engine sets."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def raw_insert_seconds(scratch: Scratch, lines: list[dict[str, Any]]) -> float:
    """Seconds for raw sqlite3 executemany inserts of these documents and their entities, one transaction.

    The database is created by the product first, so the tables, indexes and
    pragmas are the same as an import writes to; the rows hold what the
    import stores for such lines.
    """
    database, path = scratch.database("raw")
    database.close()
    connection = connect(path)

    def run() -> None:
        now = datetime.now(UTC).isoformat()
        connection.execute("BEGIN IMMEDIATE")
        first = (connection.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0]) + 1
        documents = [
            (first + i, line["id"], line["text"], hashlib.sha256(line["text"].encode()).hexdigest(), "{}", now)
            for i, line in enumerate(lines)
        ]
        connection.executemany(
            "INSERT INTO documents (id, external_id, text, text_sha256, meta, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
            documents,
        )
        entities = [
            (first + i, e["start"], e["end"], e["label"], e.get("source", "import"))
            for i, line in enumerate(lines)
            for e in line.get("entities", ())
        ]
        connection.executemany(
            'INSERT INTO entities (document_id, start, "end", label, source) VALUES (?, ?, ?, ?, ?)', entities
        )
        connection.execute("COMMIT")

    try:
        return timed(run)
    finally:
        connection.close()


def raw_export(path: Path, out: Path) -> int:
    """Plain sqlite3 SELECTs + ``json.dumps`` of the same line objects the export writes; returns lines."""
    connection = sqlite3.connect(path)
    lines = 0
    try:
        with out.open("w", encoding="utf-8", newline="\n") as stream:
            last = 0
            while True:
                documents = connection.execute(
                    "SELECT id, external_id, text, text_sha256, meta FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                    (last, EXPORT_CHUNK),
                ).fetchall()
                if not documents:
                    break
                last = documents[-1][0]
                marks = ",".join("?" * len(documents))
                entities: dict[int, list[tuple[int, int, str, str]]] = {}
                for doc_id, start, end, label, source in connection.execute(
                    f'SELECT document_id, start, "end", label, source FROM entities WHERE document_id IN ({marks})'
                    ' AND annotator_id IS NULL ORDER BY start, "end", id',
                    [d[0] for d in documents],
                ):
                    entities.setdefault(doc_id, []).append((start, end, label, source))
                for doc_id, external_id, text, sha, meta in documents:
                    obj = {
                        "format": "annotator/v1",
                        "id": external_id,
                        "text": text,
                        "text_sha256": sha,
                        "meta": json.loads(meta) if meta else {},
                        "annotator": None,
                        "status": "new",
                        "updated_at": None,
                        "entities": [
                            {"id": f"e{i}", "start": s, "end": e, "text": text[s:e], "label": lab, "source": src}
                            for i, (s, e, lab, src) in enumerate(entities.get(doc_id, ()), start=1)
                        ],
                        "speakers": [],
                        "claims": [],
                        "note": None,
                    }
                    stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
                    lines += 1
    finally:
        connection.close()
    return lines


# ---------------------------------------------------------------- export


def export_run(database: Database, out: Path) -> int:
    """Export ``database`` to ``out``; returns the lines written."""
    return export_jsonl(database, str(out)).lines


def export_rate(scratch: Scratch, db_path: Path, repeat: int) -> tuple[float, float, int]:
    """Best lines/s of the product export and of the raw baseline (interleaved), and the line count."""
    database = Database.open(db_path)
    try:
        lines = export_run(database, scratch.path("warm", ".jsonl"))
        raw_export(db_path, scratch.path("rawwarm", ".jsonl"))
        best = best_rates(
            lines,
            repeat,
            {
                "product": lambda: timed(lambda: export_run(database, scratch.path("exp", ".jsonl"))),
                "raw": lambda: timed(lambda: raw_export(db_path, scratch.path("raw", ".jsonl"))),
            },
        )
    finally:
        database.close()
    return best["product"], best["raw"], lines


def export_peak(scratch: Scratch, db_path: Path) -> int:
    """Peak bytes of Python memory allocated during one export (tracemalloc), after a warm-up export."""
    database = Database.open(db_path)
    try:
        export_run(database, scratch.path("warm", ".jsonl"))
        gc.collect()
        tracemalloc.start()
        try:
            export_run(database, scratch.path("mem", ".jsonl"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        database.close()
    return peak


# ---------------------------------------------------------------- the three steps


def measure_nlp(rows: list[Row], scratch: Scratch, texts: list[str], bare_lines: Path, jobs: int, repeat: int) -> Path:
    """Step 1: import with pre-annotation vs bare ``nlp.pipe``; returns the database of one such import.

    The runs are interleaved (bare, import, bare with ``jobs`` processes,
    import with ``jobs``), ``repeat`` rounds; each figure is its best round.
    """
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    if nlp is None:
        raise SystemExit("no spaCy model installed: cannot time pre-annotation")
    for _ in nlp.pipe(texts[:50]):  # warm-up
        pass
    count = len(texts)
    best: dict[str, float] = {}
    capacity = 0.0

    def keep(name: str, seconds: float) -> None:
        best[name] = max(best.get(name, 0.0), count / seconds)

    database: Path | None = None
    for _ in range(repeat):
        keep("bare", bare_pipe_seconds(nlp, texts))
        keep("single", import_seconds(scratch, bare_lines, count, ImportOptions(jobs=1)))
        database = scratch.last
        if jobs > 1:
            capacity = max(capacity, parallel_capacity(jobs))
            keep("bare multi", bare_pipe_seconds(nlp, texts, n_process=jobs, batch_size=BATCH_SEVERAL_PROCESSES))
            keep("multi", import_seconds(scratch, bare_lines, count, ImportOptions(jobs=jobs)))
    if load_pipeline() is not nlp:
        raise SystemExit("the import did not use the same pipeline object")
    base = best["bare"]
    rows.append(
        Row(
            "import+NER (1 proc)",
            best["single"],
            "art/s",
            "bare nlp.pipe",
            base,
            f"≥ {NLP_RATIO_TARGET:.2f} × bare",
            best["single"] >= NLP_RATIO_TARGET * base,
        )
    )
    if jobs > 1:
        rows.append(
            Row(
                f"import+NER ({jobs} proc)",
                best["multi"],
                "art/s",
                "bare nlp.pipe (1 proc)",
                base,
                f"≥ {NLP_JOBS_TARGET:.2f} × bare",
                best["multi"] >= NLP_JOBS_TARGET * base,
            )
        )
        rows.append(
            Row(
                f"  (info) bare pipe, {jobs} proc",
                best["bare multi"],
                "art/s",
                "bare nlp.pipe (1 proc)",
                base,
                f"batch {BATCH_SEVERAL_PROCESSES}",
            )
        )
        rows.append(Row(f"  (info) CPU capacity of {jobs} proc", capacity, "cores", target="best seen"))
    assert database is not None
    return database


def measure_import(rows: list[Row], scratch: Scratch, v1_lines: list[dict[str, Any]], repeat: int) -> None:
    """Step 2: import without NLP of N and 4×N articles, bare and with entities, vs raw inserts."""
    per_article = sum(len(line["entities"]) for line in v1_lines) / max(1, len(v1_lines))
    for factor in (1, 4):
        _measure_import_of(rows, scratch, copies(v1_lines, factor) if factor > 1 else v1_lines, per_article, repeat)


def _measure_import_of(
    rows: list[Row], scratch: Scratch, with_entities: list[dict[str, Any]], per_article: float, repeat: int
) -> None:
    """Step 2 for one set of articles."""
    no_nlp = ImportOptions(use_nlp=False)
    plain = bare(with_entities)
    count = len(plain)
    plain_path = write_jsonl(scratch.path("bare", ".jsonl"), plain)
    entities_path = write_jsonl(scratch.path("v1", ".jsonl"), with_entities)
    import_seconds(scratch, plain_path, count, no_nlp)  # warm-up
    best = best_rates(
        count,
        repeat,
        {
            "plain": lambda: import_seconds(scratch, plain_path, count, no_nlp),
            "raw plain": lambda: raw_insert_seconds(scratch, plain),
            "entities": lambda: import_seconds(scratch, entities_path, count, no_nlp),
            "raw entities": lambda: raw_insert_seconds(scratch, with_entities),
        },
    )
    rows.append(
        Row(
            f"import no NLP, {count} bare",
            best["plain"],
            "art/s",
            "raw sqlite3 docs",
            best["raw plain"],
            f"≥ {IMPORT_TARGET:,.0f}/s",
            best["plain"] >= IMPORT_TARGET,
        )
    )
    rows.append(
        Row(
            f"import no NLP, {count} × {per_article:.0f} ents",
            best["entities"],
            "art/s",
            "raw sqlite3 docs+ents",
            best["raw entities"],
            f"≥ {IMPORT_TARGET:,.0f}/s",
            best["entities"] >= IMPORT_TARGET,
        )
    )


def measure_export(rows: list[Row], scratch: Scratch, v1_lines: list[dict[str, Any]], repeat: int) -> None:
    """Step 3: export of N and 4×N documents built the same way, and its peak memory."""
    count = len(v1_lines)
    factors = (1, 4) if count >= EXPORT_CHUNK else (1, 4, 16)
    peaks: dict[int, int] = {}
    for factor in factors:
        source = write_jsonl(scratch.path(f"copies{factor}", ".jsonl"), copies(v1_lines, factor))
        database, db_path = scratch.database(f"export{factor}")
        checked(import_paths(database, [str(source)], ImportOptions(use_nlp=False)), factor * count)
        database.close()
        if factor <= 4:
            product, raw, lines = export_rate(scratch, db_path, repeat)
            rows.append(
                Row(
                    f"export, {lines} lines",
                    product,
                    "lines/s",
                    "sqlite3+json.dumps",
                    raw,
                    f"≥ {EXPORT_TARGET:,.0f}/s",
                    product >= EXPORT_TARGET,
                )
            )
        peaks[factor] = export_peak(scratch, db_path)
    # Memory grows until the corpus fills one export chunk, then stays flat: compare with the first that does.
    reference = next(f for f in factors if f * count >= EXPORT_CHUNK)
    for factor in factors:
        growth = peaks[factor] / peaks[reference]
        judged = factor > reference
        rows.append(
            Row(
                f"export peak memory, {factor * count} docs",
                peaks[factor] / 2**20,
                "MiB",
                target=f"{growth:.2f} × {reference * count} docs' ≤ {MEMORY_GROWTH_LIMIT}"
                if judged
                else ("(under one chunk)" if factor < reference else "reference"),
                ok=growth <= MEMORY_GROWTH_LIMIT if judged else None,
            )
        )


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="articles to use (default 300)")
    parser.add_argument("--jobs", type=int, default=2, help="also time the import with this many processes")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each fast figure (default 5)")
    parser.add_argument("--nlp-repeat", type=int, default=3, help="rounds of the pre-annotation figures (default 3)")
    parser.add_argument("--skip-nlp", action="store_true", help="skip timing step 1 (its import still runs once)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    if not CORPUS.is_file():
        print(f"bench_core: corpus not found at {CORPUS}; nothing to measure")
        return 0
    texts = load_articles(args.articles)
    count = len(texts)
    load_before = os.getloadavg()[0]
    scratch = Scratch()
    rows: list[Row] = []
    try:
        bare_lines = write_jsonl(
            scratch.path("bare", ".jsonl"), [{"id": f"fnc1-{i}", "text": text} for i, text in enumerate(texts)]
        )
        if args.skip_nlp:
            database, nlp_db = scratch.database("nlp")
            checked(import_paths(database, [str(bare_lines)], ImportOptions(jobs=1)), count)
            database.close()
        else:
            nlp_db = measure_nlp(rows, scratch, texts, bare_lines, args.jobs, args.nlp_repeat)

        # The model's entities as annotator/v1 lines (annotator null), by the product's own export.
        database = Database.open(nlp_db)
        v1_path = scratch.path("v1", ".jsonl")
        export_jsonl(database, str(v1_path))
        database.close()
        v1_lines = read_jsonl(v1_path)
        per_article = sum(len(line["entities"]) for line in v1_lines) / max(1, len(v1_lines))

        measure_import(rows, scratch, v1_lines, args.repeat)
        measure_export(rows, scratch, v1_lines, args.repeat)
    finally:
        scratch.cleanup()

    print(
        f"bench_core: {count} FNC-1 articles ({sum(map(len, texts)) / count:,.0f} characters, "
        f"{per_article:.1f} model entities each); best of {args.nlp_repeat} rounds (NLP) / {args.repeat} (others); "
        f"{os.cpu_count()} CPUs, load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    for row in rows:
        print(row.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
