"""Fixtures for the Qt tests: the sample article and annotations on it."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
from pathlib import Path

import pytest

from annotator.domain.model import AnnotationSet, Claim, Entity, Span, Speaker, Stance

SAMPLE = Path(__file__).resolve().parents[2] / "seeds" / "000_ba5382ffd786d442.txt"


def sample_text() -> str:
    """The sample article as stored: without the leading ``date YYYY-MM-DD`` metadata."""
    return re.sub(r"^\s*date \d{4}-\d{2}-\d{2} ", "", SAMPLE.read_text(encoding="utf-8"))


def _find(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle))


@pytest.fixture
def article() -> str:
    return sample_text()


@pytest.fixture
def annotated(article: str) -> AnnotationSet:
    """Entities, one speaker with two claims (mention, cue, stance) on the sample article."""
    text = article
    entities = [
        Entity(*_bounds(_find(text, "Vladimir Putin")), "PERSON"),
        Entity(*_bounds(_find(text, "India")), "GPE"),
        Entity(*_bounds(_find(text, "Ajai Malhotra")), "PERSON"),
        Entity(*_bounds(_find(text, "ANI")), "ORG"),
        Entity(*_bounds(_find(text, "Malhotra", 1)), "PERSON"),
    ]
    speaker = Speaker("Ajai Malhotra", mentions=[_find(text, "Ajai Malhotra"), _find(text, "Malhotra", 1)])
    first = _find(text, "India's foreign policy is currently anchored on strategic autonomy and multi-alignment")
    he = text.index("He pointed out")  # a pronoun mention
    second = _find(text, "diversified international partnerships have strengthened India's position")
    claims = [
        Claim(
            *_bounds(first),
            speaker=speaker,
            mention=_find(text, "Malhotra", 1),
            cue=_find(text, "stated"),
            stance=Stance("support", "strategic autonomy"),
        ),
        Claim(
            *_bounds(second),
            speaker=speaker,
            mention=Span(he, he + len("He")),
            cue=_find(text, "pointed out"),
        ),
    ]
    return AnnotationSet(annotator="tester", entities=entities, speakers=[speaker], claims=claims)


def _bounds(span: Span) -> tuple[int, int]:
    return span.start, span.end
