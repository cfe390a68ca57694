"""Time the claim suggester against its targets (issue 7), beside bare ``nlp.pipe``.

1. Suggestion time for a 1,000-word article beyond the parse: articles of
   about 1,000 words are made of consecutive paragraphs of real news texts
   (PolNeAR dev, else the FNC-1 bodies, from ``shared/samples``), parsed
   once, then :func:`annotator.nlp.suggest.suggest` is timed alone on each
   parse (best of ``--repeat`` runs per article). Target: ≤ 100 ms.
2. Pre-annotation throughput with suggestions: the project's one pass
   (:func:`annotator.nlp.preannotate.analyse_texts`: entities and
   suggestions from each parse) over the articles, beside bare ``nlp.pipe``
   with the same components (:data:`annotator.nlp.suggest.SUGGEST_COMPONENTS`)
   on the same texts, one process. The runs alternate so a busy spell of the
   machine hits both; each figure is the best of its runs. Target: ≥ 0.9 ×
   the bare figure (DESIGN.md's target for pre-annotation).
3. The same articles imported end to end (``import_paths`` of a JSONL file
   into a new SQLite database: documents, then entities and suggestions
   stored from one parse), beside the same bare ``nlp.pipe`` figure.

Run from the repository root::

    .venv/bin/python bench/bench_suggest.py [--articles 20] [--repeat 5] [--pipe-repeat 3]

A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT.parent / "shared" / "samples"

from annotator.nlp.cue_lexicon import load_lexicon  # noqa: E402
from annotator.nlp.pipeline import load_pipeline, model_identity  # noqa: E402
from annotator.nlp.preannotate import analyse_texts  # noqa: E402
from annotator.nlp.suggest import SUGGEST_COMPONENTS, suggest  # noqa: E402
from annotator.services.database import Database  # noqa: E402
from annotator.services.importing import ImportOptions, import_paths  # noqa: E402
from annotator.services.preannotating import Annotator  # noqa: E402

SUGGEST_MS_TARGET = 100.0
THROUGHPUT_RATIO_TARGET = 0.9
WORDS = 1000


def paragraphs() -> list[str]:
    """Paragraphs of real news text, in article order."""
    dev = SAMPLES / "polnear" / "dev" / "text"
    texts: list[str] = []
    if dev.is_dir():
        texts = [path.read_text(encoding="utf-8") for path in sorted(dev.glob("*.txt"))]
    else:
        corpus = SAMPLES / "corpus" / "fnc1_train_bodies.csv"
        if corpus.is_file():
            csv.field_size_limit(10**8)
            with corpus.open(encoding="utf-8", newline="") as handle:
                texts = [row[-1] for row, _ in zip(csv.reader(handle), range(400), strict=False)][1:]
    if not texts:
        texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))] * 40
    return [p.strip() for text in texts for p in text.split("\n\n") if p.strip()]


def articles(count: int) -> list[str]:
    """``count`` texts of about :data:`WORDS` words, each made of whole consecutive paragraphs."""
    out: list[str] = []
    current: list[str] = []
    words = 0
    for paragraph in paragraphs():
        current.append(paragraph)
        words += len(paragraph.split())
        if words >= WORDS:
            out.append("\n\n".join(current))
            current, words = [], 0
            if len(out) == count:
                break
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5, help="runs of suggest() per article (best kept)")
    parser.add_argument("--pipe-repeat", type=int, default=3, help="runs of each throughput figure (best kept)")
    parser.add_argument("--model", help="spaCy model (default: the installed one)")
    args = parser.parse_args()

    nlp = load_pipeline(args.model, components=SUGGEST_COMPONENTS)
    if nlp is None:
        print("no spaCy model installed: nothing to measure")
        return 0
    lexicon = load_lexicon()
    texts = articles(args.articles)
    words = [len(t.split()) for t in texts]
    name, version = model_identity(nlp)
    print(
        f"{len(texts)} articles of {min(words)}-{max(words)} words (mean {statistics.mean(words):.0f}); "
        f"{name} {version}"
    )
    print(f"pipeline components: {', '.join(nlp.pipe_names)}")

    # 1. suggest() alone, per 1,000 words.
    docs = list(nlp.pipe(texts, batch_size=16))
    suggest(docs[0], lexicon)  # warm up (lexicon, caches)
    per_article: list[float] = []
    counts: list[int] = []
    for doc, n_words in zip(docs, words, strict=True):
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = suggest(doc, lexicon)
            best = min(best, time.perf_counter() - started)
        per_article.append(1000 * best * WORDS / n_words)
        counts.append(len(found))
    median, worst = statistics.median(per_article), max(per_article)
    parse_ms = []
    for text in texts[:5]:
        started = time.perf_counter()
        nlp(text)
        parse_ms.append(1000 * (time.perf_counter() - started))
    print(
        f"suggest per 1,000-word article, beyond the parse: median {median:.1f} ms, worst {worst:.1f} ms "
        f"(target ≤ {SUGGEST_MS_TARGET:.0f} ms: {'met' if worst <= SUGGEST_MS_TARGET else 'MISSED'}); "
        f"baseline: the parse itself takes {statistics.median(parse_ms):.0f} ms; "
        f"{statistics.mean(counts):.1f} suggestions per article"
    )

    # 2. Throughput: the one pass (entities + suggestions) vs bare nlp.pipe, alternating; 3. the import.
    tagger = Annotator(nlp, suggest=True)
    bare_best = with_best = import_best = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "articles.jsonl"
        source.write_text("".join(json.dumps({"text": text}) + "\n" for text in texts), encoding="utf-8")
        for run in range(args.pipe_repeat):
            started = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=tagger.batch_size):
                pass
            bare_best = min(bare_best, time.perf_counter() - started)
            started = time.perf_counter()
            for _found in analyse_texts(nlp, texts, batch_size=tagger.batch_size, suggest=True):
                pass
            with_best = min(with_best, time.perf_counter() - started)
            database = Database.open(Path(folder) / f"run{run}.sqlite3")
            started = time.perf_counter()
            report = import_paths(database, [str(source)], ImportOptions(), tagger=tagger)
            import_best = min(import_best, time.perf_counter() - started)
            database.close()
            assert report.added == len(texts) and report.analysis is not None and report.analysis.suggestions
    bare_rate, with_rate, import_rate = (len(texts) / best for best in (bare_best, with_best, import_best))
    ratio = with_rate / bare_rate
    print(
        f"pre-annotation with suggestions: {with_rate:.2f} articles/s; baseline bare nlp.pipe (same components): "
        f"{bare_rate:.2f} articles/s; ratio {ratio:.3f} "
        f"(target ≥ {THROUGHPUT_RATIO_TARGET}: {'met' if ratio >= THROUGHPUT_RATIO_TARGET else 'MISSED'})"
    )
    print(
        f"import with entities and suggestions (one parse each): {import_rate:.2f} articles/s; "
        f"baseline bare nlp.pipe: {bare_rate:.2f} articles/s; ratio {import_rate / bare_rate:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
