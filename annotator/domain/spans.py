"""Rules for spans: validation against a text, and snapping to token edges."""

from __future__ import annotations

import unicodedata

from annotator.domain.errors import InputError
from annotator.domain.model import Span

# Characters that continue the grapheme before them: a span must not start
# or end between them and their base character.
_JOINERS = {"\u200d", "\u200c"}


def validate_span(text: str, start: object, end: object, expected: object = None, what: str = "span") -> Span:
    """Check that ``[start, end)`` is a non-empty range of ``text`` whose text is ``expected``.

    ``expected`` is the span's ``text`` field when the file gave one (``None``
    when it did not). Raises :class:`InputError` naming ``what`` and the
    problem; never repairs the span.
    """
    if not _is_int(start) or not _is_int(end):
        raise InputError(f"{what} offsets must be integers, got start={start!r} end={end!r}")
    assert isinstance(start, int) and isinstance(end, int)
    if start > end:
        raise InputError(f"{what} [{start}, {end}) is reversed (start after end)")
    if start < 0 or end > len(text):
        raise InputError(f"{what} [{start}, {end}) is out of range for a text of {len(text)} characters")
    if start == end:
        raise InputError(f"{what} [{start}, {end}) is empty")
    if expected is not None:
        if not isinstance(expected, str):
            raise InputError(f"{what} [{start}, {end}) has a text that is not a string: {expected!r}")
        actual = text[start:end]
        if actual != expected:
            raise InputError(f"{what} [{start}, {end}) has text {expected!r} but the document has {actual!r} there")
    return Span(start, end)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_word_char(char: str) -> bool:
    """True for characters that belong inside a token (letters, digits, marks, joiners)."""
    if char.isalnum() or char in "_'’-" or char in _JOINERS:
        return True
    return unicodedata.category(char) in {"Mn", "Mc", "Me", "Sk", "So", "Cf"}


def _continues_grapheme(char: str) -> bool:
    """True for characters that attach to the character before them."""
    if char in _JOINERS or "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff":
        return True
    if "\U000e0020" <= char <= "\U000e007f":  # emoji tag sequences
        return True
    return unicodedata.category(char) in {"Mn", "Mc", "Me"}


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def snap_to_tokens(text: str, start: int, end: int) -> Span | None:
    """Grow ``[start, end)`` outward to whole tokens and trim surrounding white space.

    A selection that starts or ends inside a word, a grapheme cluster (emoji
    with ZWJ or skin tone, a flag, a base letter with combining marks) is
    extended to include all of it; leading and trailing white space is
    dropped. Returns ``None`` when nothing but white space is selected.
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    while start > 0 and (
        _continues_grapheme(text[start])
        or (is_word_char(text[start - 1]) and is_word_char(text[start]))
        or (text[start - 1] in _JOINERS)
    ):
        start -= 1
    if start > 0 and _is_regional_indicator(text[start]) and _is_regional_indicator(text[start - 1]):
        # A flag is a pair of regional indicators; count the run to find the pair's start.
        run = 0
        while start - run - 1 >= 0 and _is_regional_indicator(text[start - run - 1]):
            run += 1
        if run % 2 == 1:
            start -= 1
    while end < len(text) and (
        _continues_grapheme(text[end])
        or (is_word_char(text[end - 1]) and is_word_char(text[end]))
        or text[end - 1] in _JOINERS
    ):
        end += 1
    if end < len(text) and _is_regional_indicator(text[end]) and _is_regional_indicator(text[end - 1]):
        run = 0
        while end - run - 1 >= 0 and _is_regional_indicator(text[end - run - 1]):
            run += 1
        if run % 2 == 1:
            end += 1
    return Span(start, end)


def grapheme_starts(text: str) -> list[int]:
    r"""The code point index where each grapheme (user-perceived character) of ``text`` begins.

    A grapheme is a base character with what attaches to it: combining marks,
    variation selectors, skin tones, emoji tags, characters joined by ZWJ; a
    pair of regional indicators (a flag); ``\r\n``. (Hangul jamo sequences
    and prepended marks count as several; they do not occur in news text.)
    """
    starts: list[int] = []
    regional_run = 0
    for index, char in enumerate(text):
        previous = text[index - 1] if index else ""
        regional = _is_regional_indicator(char)
        joined = index > 0 and (
            (previous == "\r" and char == "\n")
            or _continues_grapheme(char)
            or previous == "\u200d"
            or (regional and regional_run % 2 == 1)
        )
        regional_run = regional_run + 1 if regional else 0
        if not joined:
            starts.append(index)
    return starts


def claim_extent(parts: list[Span]) -> Span:
    """The overall extent of a split claim: first part's start to last part's end."""
    return Span(min(p.start for p in parts), max(p.end for p in parts))
