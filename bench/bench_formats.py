"""Import and export throughput of every interchange format, in spans per second, beside the native format.

A generated corpus (``--docs`` documents of made-up words, ~30 spans each:
entities, speaker mentions, claims with a split one, cues, relations) is
imported from native JSONL into a database once. Then, for each format:

- export: ``export_annotations`` of the whole database to that format;
- import: importing that export into a fresh database (no NLP).

Spans are counted as the native format counts them (entities, mentions,
claim parts, cues, relation ends), so every figure is comparable with the
native row, which is the baseline of each ratio. A bare-library baseline
(``json.dumps``/``json.loads`` of the native lines) is printed too.

Run from the repository root::

    .venv/bin/python bench/bench_formats.py [--docs 10000] [--formats prodigy,brat]

This is a benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.services.exporting import export_annotations  # noqa: E402
from annotator.services.formats import FORMATS  # noqa: E402
from annotator.services.importing import ImportOptions, import_paths  # noqa: E402
from annotator.store.database import Database  # noqa: E402

SENTENCE = "the minister said talks would resume next week while officials warned that a deal was far off"
WORDS = SENTENCE.split()
NAMES = ["Ajai Malhotra", "Maria Silva", "Chen Wei", "Amara Okafor", "Lars Nilsson", "Priya Raman"]
ENTITY_LABELS = ["PERSON", "ORG", "GPE", "DATE", "NORP"]


def generate_line(index: int, rng: random.Random) -> tuple[dict[str, Any], int]:
    """One native line with ~30 spans over ~300 made-up words; returns it and its span count."""
    pieces: list[str] = []
    position = 0
    entities: list[dict[str, Any]] = []
    mentions: list[tuple[int, int, str]] = []

    def add(text: str) -> tuple[int, int]:
        nonlocal position
        start = position
        pieces.append(text + " ")
        position += len(text) + 1
        return start, start + len(text)

    speakers: dict[str, list[dict[str, Any]]] = {}
    claims: list[dict[str, Any]] = []
    for sentence in range(12):
        for _ in range(rng.randint(6, 12)):
            add(rng.choice(WORDS))
        if sentence % 3 == 0:
            name = rng.choice(NAMES)
            start, end = add(name)
            mentions.append((start, end, name))
            speakers.setdefault(name, []).append({"start": start, "end": end, "text": name})
            entities.append({"start": start, "end": end, "text": name, "label": "PERSON", "source": "model"})
            cue_start, cue_end = add("said")
            first = add("talks would resume")
            parts = [first]
            if sentence == 3:
                add(", he added,")
                parts.append(add("and a deal was near"))
            claims.append({"name": name, "mention": (start, end), "cue": (cue_start, cue_end), "parts": parts})
        else:
            label = rng.choice(ENTITY_LABELS)
            start, end = add(rng.choice(["Geneva", "Monday", "the ministry", "European", "Delhi"]))
            entities.append({"start": start, "end": end, "text": "", "label": label, "source": "model"})
        add(".")
    text = "".join(pieces).rstrip()
    for entity in entities:
        entity["text"] = text[entity["start"] : entity["end"]]
    speaker_keys = {name: f"s{number}" for number, name in enumerate(speakers, start=1)}
    line_claims = []
    for number, claim in enumerate(claims, start=1):
        parts = claim["parts"]
        item: dict[str, Any] = {
            "id": f"c{number}",
            "start": parts[0][0],
            "end": parts[-1][1],
            "text": text[parts[0][0] : parts[-1][1]],
            "speaker": {
                "id": speaker_keys[claim["name"]],
                "mention": {"start": claim["mention"][0], "end": claim["mention"][1], "text": claim["name"]},
            },
            "cue": {"start": claim["cue"][0], "end": claim["cue"][1], "text": "said"},
            "stance": {"label": "neutral", "target": "the talks"},
        }
        if len(parts) > 1:
            item["parts"] = [{"start": s, "end": e, "text": text[s:e]} for s, e in parts]
        line_claims.append(item)
    relations = []
    if len(entities) >= 2:
        head, child = entities[0], entities[1]
        relations.append(
            {
                "head": {k: head[k] for k in ("start", "end", "text")},
                "child": {k: child[k] for k in ("start", "end", "text")},
                "label": "near",
            }
        )
    line = {
        "format": "annotator/v1",
        "id": f"gen-{index:06d}",
        "text": text,
        "annotator": "bench",
        "status": "done",
        "entities": entities,
        "speakers": [
            {"id": speaker_keys[name], "name": name, "kind": "person", "mentions": spans}
            for name, spans in speakers.items()
        ],
        "claims": line_claims,
        "relations": relations,
    }
    span_count = (
        len(entities)
        + sum(len(spans) for spans in speakers.values())
        + sum(len(c["parts"]) + 1 for c in claims)
        + 2 * len(relations)
    )
    return line, span_count


def timed(action: Any) -> float:
    """Seconds one call of ``action`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure_export(database: Database, out: Path, fmt: str) -> tuple[float, list[str]]:
    """Seconds to export the database to ``out`` in ``fmt``, and the export's warnings."""
    start = time.perf_counter()
    report = export_annotations(database, str(out), fmt=fmt)
    return time.perf_counter() - start, report.warnings


def measure_import(db_file: Path, source: Path, fmt: str) -> tuple[float, list[str]]:
    """Seconds to import ``source`` in ``fmt`` into a fresh database, and the errors of failed files."""
    fresh = Database.open(db_file)
    try:
        options = ImportOptions(fmt=fmt, use_nlp=False, annotator="bench", add_labels=True)
        start = time.perf_counter()
        report = import_paths(fresh, [str(source)], options)
        return time.perf_counter() - start, [f.error or "" for f in report.failed]
    finally:
        fresh.close()


def main() -> int:
    """Generate the corpus, measure every format, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--formats", help="comma-separated format names (default: every writable format)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    wanted = args.formats.split(",") if args.formats else [spec.name for spec in FORMATS if spec.writes]
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    try:
        lines, spans = [], 0
        for index in range(args.docs):
            line, count = generate_line(index, rng)
            lines.append(line)
            spans += count
        source = work / "corpus.jsonl"
        dumped: list[str] = []
        bare_dump = timed(lambda: dumped.extend(json.dumps(line, ensure_ascii=False) for line in lines))
        source.write_text("\n".join(dumped) + "\n", encoding="utf-8")
        bare_load = timed(lambda: [json.loads(raw) for raw in dumped])
        database = Database.open(work / "corpus.sqlite3")
        import_paths(database, [str(source)], ImportOptions(fmt="jsonl", use_nlp=False))
        print(f"corpus: {args.docs:,} documents, {spans:,} spans ({spans / args.docs:.1f} per document)")
        print(
            f"bare json.dumps {spans / bare_dump:12,.0f} spans/s   bare json.loads {spans / bare_load:12,.0f} spans/s"
        )
        print(
            f"{'format':<12} {'export spans/s':>15} {'vs native':>10} {'import spans/s':>15} {'vs native':>10}  notes"
        )
        native: tuple[float, float] | None = None
        for name in ["jsonl", *[n for n in wanted if n != "jsonl"]]:
            spec = next(s for s in FORMATS if s.name == name)
            out = work / (f"out-{name}" + (spec.suffixes[0] if spec.suffixes else ""))
            export_seconds, warnings = measure_export(database, out, name)
            export_rate = spans / export_seconds
            import_rate = float("nan")
            if spec.reads:
                import_seconds, failures = measure_import(work / f"in-{name}.sqlite3", out, name)
                import_rate = spans / import_seconds
                if failures:
                    warnings.append(f"import failed: {failures[0]}")
            if native is None:
                native = (export_rate, import_rate)
            ratio_export = export_rate / native[0]
            ratio_import = import_rate / native[1] if spec.reads else float("nan")
            note = "; ".join(w.split(":")[0] for w in warnings[:2]) if warnings else ""
            import_text = (
                f"{import_rate:15,.0f} {ratio_import:10.2f}" if spec.reads else f"{'(write only)':>15} {'':>10}"
            )
            print(f"{name:<12} {export_rate:15,.0f} {ratio_export:10.2f} {import_text}  {note}")
        database.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
