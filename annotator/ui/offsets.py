r"""Conversion between domain offsets (code points) and Qt document positions.

The domain counts Python ``str`` indexes; a :class:`QTextDocument` filled
with ``setPlainText(text)`` counts UTF-16 code units and stores every line
break as one paragraph separator. Measured with PySide6 6.11:

- a character above U+FFFF (emoji, some CJK, flags' regional indicators)
  takes two positions (a surrogate pair);
- ``"\r\n"`` becomes *one* block break, so the ``"\n"`` of the pair has no
  position of its own; a lone ``"\r"``, ``"\n"``, U+2029 and U+FDD0/U+FDD1
  each become one block break (one position, text changes, offsets don't);
- U+2028 stays a character inside its block (one position);
- a lone surrogate in the Python string is one position.

So only two things shift positions: non-BMP characters (+1 after each) and
CRLF pairs (-1 after each). :class:`OffsetMap` records where those occur,
once per text, and converts with a binary search. This is the only module in
``annotator.ui`` that does arithmetic between the two kinds of offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate, islice
from typing import Literal

from annotator.domain.model import Span
from annotator.domain.spans import snap_to_tokens

Side = Literal["left", "right"]

_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")


class OffsetMap:
    """Converts between code-point offsets of ``text`` and Qt positions of ``setPlainText(text)``.

    Building is O(n) in C-speed string scans (a pure ASCII text without CRLF
    costs one ``isascii`` call); lookups are O(log k) for k shifting
    characters, O(1) when there are none.
    """

    __slots__ = ("_cp_events", "_deltas", "_qt_events", "_qt_length", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # A non-BMP character at index k shifts every offset after k by +1.
        wide: list[int] = []
        if not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
            wide = [match.start() for match in _NON_BMP.finditer(text)]
        # The "\n" of a CRLF (index k) has no Qt position: offsets after k shift by -1.
        crlf = [match.start() + 1 for match in _CRLF.finditer(text)] if "\r\n" in text else []
        if wide and crlf:
            events = sorted([(cp, 1) for cp in wide] + [(cp, -1) for cp in crlf])
            self._cp_events = [cp for cp, _ in events]
            steps = [delta for _, delta in events]
        else:
            self._cp_events = wide or crlf
            steps = [1 if wide else -1] * len(self._cp_events)
        # _deltas[j]: the total shift of the offsets after the first j events.
        self._deltas = list(accumulate(steps, initial=0))
        # _qt_events[j]: the Qt position of offset cp_events[j] + 1, the first one the j-th shift applies to.
        after = islice(self._deltas, 1, None)
        self._qt_events = [cp + 1 + delta for cp, delta in zip(self._cp_events, after, strict=True)]
        self._qt_length = len(text) + self._deltas[-1]

    @property
    def qt_length(self) -> int:
        """The number of Qt positions the text takes (without the document's final separator)."""
        return self._qt_length

    @property
    def is_identity(self) -> bool:
        """True when offsets and Qt positions coincide (no non-BMP characters, no CRLF)."""
        return not self._cp_events

    def to_qt(self, offset: int) -> int:
        r"""Return the Qt position of code-point ``offset`` (clamped to the text).

        The offset between the ``"\r"`` and ``"\n"`` of a CRLF maps to the
        position after the block break, the same as the offset after the ``"\n"``.
        """
        offset = min(max(offset, 0), len(self.text))
        if not self._cp_events:
            return offset
        return offset + self._deltas[bisect_left(self._cp_events, offset)]

    def from_qt(self, position: int, side: Side = "left") -> int:
        """Return the code-point offset of Qt ``position`` (clamped to the text).

        A position between the two halves of a surrogate pair is not a
        character boundary: it moves to the start of that character with
        ``side="left"`` and to its end with ``side="right"`` (use ``"left"``
        for the start of a selection and ``"right"`` for its end, so the
        selection grows outward). Never returns the offset between CR and LF.
        """
        position = min(max(position, 0), self._qt_length)
        if not self._cp_events:
            return position
        j = bisect_right(self._qt_events, position)
        offset = position - self._deltas[j]
        if (
            j < len(self._qt_events)
            and self._qt_events[j] == position + 1
            and self._deltas[j + 1] > self._deltas[j]
            and side == "left"
        ):
            # Inside the surrogate pair of the non-BMP character at offset - 1.
            return offset - 1
        return offset

    def to_qt_many(self, offsets: list[int]) -> list[int]:
        """Return :meth:`to_qt` of each offset, faster than one call each."""
        if not self._cp_events:
            limit = len(self.text)
            return [min(max(offset, 0), limit) for offset in offsets]
        events, deltas, limit = self._cp_events, self._deltas, len(self.text)
        return [
            clamped + deltas[bisect_left(events, clamped)]
            for clamped in (min(max(offset, 0), limit) for offset in offsets)
        ]

    def span_to_qt(self, span: Span) -> tuple[int, int]:
        """Return the Qt positions ``(start, end)`` of a code-point span."""
        return self.to_qt(span.start), self.to_qt(span.end)

    def qt_to_span(self, start: int, end: int) -> Span:
        """Return the code-point span covering Qt positions ``[start, end)``, grown outward at split surrogates."""
        low, high = min(start, end), max(start, end)
        return Span(self.from_qt(low, "left"), self.from_qt(high, "right"))

    def selection_to_span(self, anchor: int, position: int) -> Span | None:
        """Return the span of a Qt selection from ``anchor`` to ``position``, snapped outward to whole tokens.

        Returns ``None`` for an empty selection or one of only white space.
        """
        if anchor == position:
            return None
        span = self.qt_to_span(anchor, position)
        return snap_to_tokens(self.text, span.start, span.end)
