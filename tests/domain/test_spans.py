"""Span rules: validation against a text, and snapping a selection to token edges."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.domain.errors import InputError
from annotator.domain.model import Span
from annotator.domain.spans import claim_extent, snap_to_tokens, validate_span

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧, five code points
THUMBS = "\U0001f44d\U0001f3fd"  # 👍🏽
FLAG_IN = "\U0001f1ee\U0001f1f3"  # 🇮🇳
FLAG_US = "\U0001f1fa\U0001f1f8"
E_ACUTE = "e\u0301"  # e + combining acute


# ------------------------------------------------------------------ validate_span


def test_validate_span_returns_the_span() -> None:
    assert validate_span("Hello world", 6, 11, "world") == Span(6, 11)
    assert validate_span("Hello world", 0, 5) == Span(0, 5)  # no text given: offsets only


@pytest.mark.parametrize(
    ("start", "end", "expected", "problem"),
    [
        (0, 50, None, "out of range"),
        (-1, 3, None, "out of range"),
        (5, 2, None, "reversed"),
        (3, 3, None, "empty"),
        (0, 5, "Hullo", "has text 'Hullo' but the document has 'Hello' there"),
        (0, 5, 5, "not a string"),
        ("0", 5, None, "must be integers"),
        (0.0, 5, None, "must be integers"),
        (True, 5, None, "must be integers"),
        (None, 5, None, "must be integers"),
    ],
)
def test_validate_span_refuses(start: object, end: object, expected: object, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_span("Hello world", start, end, expected, what="claims[2]")
    assert problem in str(caught.value)
    assert "claims[2]" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_validate_span_never_repairs_a_shifted_span() -> None:
    text = "a \U0001f600 b Putin said"
    # A UTF-16 offset (the emoji counts twice) is one too far: refused, not fixed.
    with pytest.raises(InputError, match="has text 'Putin' but the document has 'utin '"):
        validate_span(text, 7, 12, "Putin")
    assert validate_span(text, 6, 11, "Putin") == Span(6, 11)


def test_claim_extent_runs_from_first_start_to_last_end() -> None:
    assert claim_extent([Span(10, 20), Span(2, 5), Span(30, 31)]) == Span(2, 31)


# ------------------------------------------------------------------ snap_to_tokens


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (1, 3, "Hello"),  # inside a word: the whole word
        (0, 5, "Hello"),  # already whole
        (3, 8, "Hello world"),  # across words: both, whole
        (5, 8, "world"),  # leading space trimmed, word completed
        (8, 5, "world"),  # reversed selection
        (-4, 100, "Hello world, again"),  # clamped to the text
        (13, 15, "again"),
    ],
)
def test_snap_grows_to_whole_words(start: int, end: int, expected: str) -> None:
    text = "Hello world, again"
    span = snap_to_tokens(text, start, end)
    assert span is not None
    assert span.text_in(text) == expected


def test_snap_whitespace_only_selections() -> None:
    text = "Hello \t\n  world"
    assert snap_to_tokens(text, 5, 10) is None
    assert snap_to_tokens(text, 2, 2) is None
    assert snap_to_tokens("", 0, 0) is None


def _cluster_cases() -> list[tuple[str, str]]:
    return [
        ("zwj", FAMILY),
        ("skin tone", THUMBS),
        ("flag", FLAG_IN),
        ("combining", "caf" + E_ACUTE),
        ("cjk", "北京市"),
    ]


@pytest.mark.parametrize(("name", "cluster"), _cluster_cases(), ids=[name for name, _ in _cluster_cases()])
def test_snap_never_splits_a_cluster(name: str, cluster: str) -> None:
    text = f"x {cluster} y"
    first, last = 2, 2 + len(cluster)
    for start in range(first, last):
        for end in range(start + 1, last + 1):
            span = snap_to_tokens(text, start, end)
            assert span == Span(first, last), (name, start, end, span)


def test_snap_keeps_a_combining_mark_with_its_letter() -> None:
    text = "le caf" + E_ACUTE + " noir"
    mark = text.index("\u0301")
    span = snap_to_tokens(text, mark, mark + 1)  # only the combining mark selected
    assert span is not None and span.text_in(text) == "caf" + E_ACUTE
    span = snap_to_tokens(text, 3, mark)  # "caf" + base letter, mark left out
    assert span is not None and span.text_in(text) == "caf" + E_ACUTE


def test_snap_flag_pairs_stay_whole_when_separated() -> None:
    text = f"{FLAG_IN} and {FLAG_US}"
    assert snap_to_tokens(text, 1, 2) == Span(0, 2)  # second indicator of the first flag
    us = text.index(FLAG_US)
    assert snap_to_tokens(text, us, us + 1) == Span(us, us + 2)


def test_snap_skin_tone_modifier_alone() -> None:
    text = f"ok {THUMBS} fine"
    assert snap_to_tokens(text, 4, 5) == Span(3, 5)  # the modifier pulls its base in
    assert snap_to_tokens(text, 3, 4) == Span(3, 5)  # the base pulls its modifier in


def test_snap_right_to_left_words() -> None:
    text = "قال الوزير إن الاتفاق مهم"
    inside = text.index("الوزير") + 2
    span = snap_to_tokens(text, inside, inside + 1)
    assert span is not None and span.text_in(text) == "الوزير"
    hebrew = "אמר השר כי"
    span = snap_to_tokens(hebrew, 5, 6)
    assert span is not None and span.text_in(hebrew) == "השר"


# A text made of clusters whose boundaries we know; snapping may only land on them.
CLUSTERS = st.sampled_from(
    [" ", " ", "\n", "a", "Z", "7", "中", "ש", "ع", E_ACUTE, FAMILY, THUMBS, FLAG_IN, "\u2603\ufe0f", ",", "."]
)


@settings(max_examples=200, deadline=None)
@given(clusters=st.lists(CLUSTERS, min_size=1, max_size=25), data=st.data())
def test_snap_lands_on_cluster_edges_and_covers_the_selection(clusters: list[str], data: st.DataObject) -> None:
    text = "".join(clusters)
    edges = {0}
    position = 0
    for cluster in clusters:
        position += len(cluster)
        edges.add(position)
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(0, len(text)), label="end")
    span = snap_to_tokens(text, start, end)
    low, high = min(start, end), max(start, end)
    selected = text[low:high]
    if not selected.strip():
        assert span is None
        return
    assert span is not None
    assert span.start in edges and span.end in edges, (text, start, end, span)
    assert not text[span.start].isspace() and not text[span.end - 1].isspace()
    # Every non-space character selected is inside the snapped span.
    first = low + (len(selected) - len(selected.lstrip()))
    last = high - (len(selected) - len(selected.rstrip()))
    assert span.start <= first and last <= span.end
