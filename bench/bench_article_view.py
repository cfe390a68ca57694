"""Time loading and painting the article view, beside a bare QPlainTextEdit with the same text.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_article_view.py``
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from annotator.domain.model import AnnotationSet, Claim, Entity, Span, Speaker, Stance  # noqa: E402
from annotator.domain.schema import default_schema  # noqa: E402
from annotator.ui.article_view import ArticleView  # noqa: E402

SAMPLE = ROOT / "seeds" / "000_ba5382ffd786d442.txt"
NAMES = {
    "Vladimir Putin": "PERSON",
    "Ajai Malhotra": "PERSON",
    "Malhotra": "PERSON",
    "India": "GPE",
    "Russia": "GPE",
    "US": "GPE",
    "ANI": "ORG",
    "WTO": "ORG",
    "Ukraine": "GPE",
    "Russian": "NORP",
    "Indian": "NORP",
    "six decades": "DATE",
}
NAME_PATTERN = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, NAMES), key=len, reverse=True)) + r")\b")
CUE_PATTERN = re.compile(r"\b(stated|pointed out|stressed|suggested|maintained|highlighted)\b")


def sample_text() -> str:
    """Return the sample article without its ``date`` prefix."""
    raw = SAMPLE.read_text(encoding="utf-8")
    return re.sub(r"^\s*date \d{4}-\d{2}-\d{2} ", "", raw)


def annotate(text: str, max_entities: int, max_claims: int) -> AnnotationSet:
    """Return entities at name matches and claims at the sentences with a reporting verb."""
    entities = [
        Entity(match.start(), match.end(), NAMES[match.group()])
        for match, _ in zip(NAME_PATTERN.finditer(text), range(max_entities), strict=False)
    ]
    speaker = Speaker("Ajai Malhotra")
    claims: list[Claim] = []
    for match in CUE_PATTERN.finditer(text):
        if len(claims) >= max_claims:
            break
        end = text.find(".", match.end())
        if end == -1:
            break
        mention_start = text.rfind("Malhotra", 0, match.start())
        mention = Span(mention_start, mention_start + len("Malhotra")) if mention_start >= 0 else None
        claims.append(
            Claim(
                match.end() + 1,
                end,
                speaker=speaker,
                mention=mention,
                cue=Span(match.start(), match.end()),
                stance=Stance("support", "strategic autonomy"),
            )
        )
    return AnnotationSet(entities=entities, speakers=[speaker], claims=claims)


def best_of(runs: int, action: Callable[[], None]) -> float:
    """Return the median wall time of ``action`` in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print one row per case: the view's time, the bare editor's, their ratio and the target."""
    app = QApplication.instance() or QApplication(sys.argv)
    schema = default_schema()
    article = sample_text()
    words = len(article.split())
    small = "\n\n".join([article] * max(1, round(1000 / words)))
    big_parts: list[str] = []
    size = 0
    while size < 1_000_000:
        big_parts.append(article)
        size += len(article) + 2
    big = "\n\n".join(big_parts)[:1_000_000]
    cases = [
        ("1,000 words, 60 entities, 10 claims", small, annotate(small, 60, 10), 20.0, 30),
        ("1 MB, 10,000 entities", big, annotate(big, 10_000, 10), 500.0, 5),
    ]
    view = ArticleView()
    view.resize(1000, 800)
    view.show()
    bare = QPlainTextEdit()
    bare.resize(1000, 800)
    bare.show()
    app.processEvents()
    print(f"{'case':<38} {'view ms':>9} {'bare ms':>9} {'ratio':>6} {'target ms':>10}  ok")
    for name, text, spans, target, runs in cases:

        def load_view(text: str = text, spans: AnnotationSet = spans) -> None:
            view.set_document(text, spans, schema)
            view.set_current_claim(spans.claims[0] if spans.claims else None)
            view.viewport().repaint()

        def load_bare(text: str = text) -> None:
            bare.setPlainText(text)
            bare.viewport().repaint()

        load_view()
        load_bare()
        view_ms = best_of(runs, load_view)
        bare_ms = best_of(runs, load_bare)
        counts = f"{len(text.split())} words, {len(spans.entities)} entities, {len(spans.claims)} claims"
        ok = "yes" if view_ms <= target else "NO"
        print(f"{name:<38} {view_ms:9.1f} {bare_ms:9.1f} {view_ms / bare_ms:6.2f} {target:10.0f}  {ok}   ({counts})")

    claims = cases[0][2].claims
    view.set_document(cases[0][1], cases[0][2], schema)
    index = iter(range(10**9))

    def switch_claim() -> None:
        view.set_current_claim(claims[next(index) % len(claims)])
        view.viewport().repaint()

    print(f"{'current claim change + repaint (1,000 words)':<46} {best_of(30, switch_claim):6.1f} ms (target 16)")
    claims = cases[1][2].claims
    view.set_document(cases[1][1], cases[1][2], schema)
    print(f"{'current claim change + repaint (1 MB)':<46} {best_of(10, switch_claim):6.1f} ms (target 16)")
    big_annotations = cases[1][2]
    extra = Entity(0, len("Russian"), "NORP")

    def add_entity() -> None:
        big_annotations.entities.append(extra)
        view.refresh_annotations(big_annotations)
        big_annotations.entities.remove(extra)
        view.refresh_annotations(big_annotations)
        view.viewport().repaint()

    print(f"{'add + remove an entity, repaint (1 MB)':<46} {best_of(10, add_entity):6.1f} ms (two refreshes)")


if __name__ == "__main__":
    main()
