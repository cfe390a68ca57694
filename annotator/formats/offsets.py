r"""Offset units other tools count in, converted to and from code points.

Annotator counts offsets in code points (Python ``str`` indexes). Tools
written in JavaScript count UTF-16 code units (an emoji is 2), and some
count user-perceived characters, graphemes (a family emoji or ``\r\n`` is
1). A :class:`SpanReader` reads one file's spans in a declared unit, or in
``auto`` finds the unit from the first span whose text tells them apart;
every span's text is then checked against the document, never repaired.
"""

from __future__ import annotations

from bisect import bisect_right
from enum import StrEnum

from annotator.domain.errors import InputError
from annotator.domain.model import Span
from annotator.domain.spans import grapheme_starts, validate_span


class OffsetUnit(StrEnum):
    """What a file's offsets count."""

    AUTO = "auto"
    CODEPOINTS = "codepoints"
    UTF16 = "utf16"
    GRAPHEMES = "graphemes"


OFFSET_UNITS = tuple(unit.value for unit in OffsetUnit)
_CONCRETE = (OffsetUnit.CODEPOINTS, OffsetUnit.UTF16, OffsetUnit.GRAPHEMES)
_UNIT_NAMES = {
    OffsetUnit.CODEPOINTS: "code points",
    OffsetUnit.UTF16: "UTF-16 code units",
    OffsetUnit.GRAPHEMES: "graphemes",
}


def describe_unit(unit: OffsetUnit) -> str:
    """How messages name a unit ("UTF-16 code units")."""
    return _UNIT_NAMES.get(unit, str(unit))


class OffsetTable:
    """Offsets of one text in a foreign unit, mapped to and from code points.

    ``starts[i]`` is the code point where unit ``i`` begins (plus the text's
    length at the end); a foreign offset that falls inside a code point (half
    a surrogate pair) or a grapheme has no code point and is refused.
    """

    def __init__(self, text: str, unit: OffsetUnit) -> None:
        self.text = text
        self.unit = unit
        self.starts: list[int] | None = None  # None: the unit agrees with code points on this text
        if unit == OffsetUnit.UTF16:
            if any(ord(char) > 0xFFFF for char in text):
                starts: list[int] = []
                for index, char in enumerate(text):
                    starts.append(index)
                    if ord(char) > 0xFFFF:
                        starts.append(-1)  # the low surrogate: inside the code point
                starts.append(len(text))
                self.starts = starts
        elif unit == OffsetUnit.GRAPHEMES:
            boundaries = grapheme_starts(text)
            if len(boundaries) != len(text):
                self.starts = [*boundaries, len(text)]

    @property
    def trivial(self) -> bool:
        """True when this unit counts exactly like code points on this text."""
        return self.starts is None

    def to_codepoint(self, offset: int) -> int | None:
        """The code point index of a foreign offset; ``None`` when it is out of range or inside a character."""
        if self.starts is None:
            return offset if 0 <= offset <= len(self.text) else None
        if not 0 <= offset < len(self.starts):
            return None
        value = self.starts[offset]
        return None if value < 0 else value

    def from_codepoint(self, index: int) -> int:
        """The foreign offset of a code point index (which must be a boundary in this unit)."""
        if self.starts is None:
            return index
        if self.unit == OffsetUnit.UTF16:
            return index + sum(1 for char in self.text[:index] if ord(char) > 0xFFFF)
        position = bisect_right(self.starts, index) - 1
        if self.starts[position] != index:
            raise ValueError(f"code point {index} is inside a grapheme")
        return position


class SpanReader:
    """Reads the spans of one file into code points, in a declared or detected unit.

    With :attr:`OffsetUnit.AUTO`, offsets are taken as code points until a
    span's text disagrees; then UTF-16 units and graphemes are tried, and the
    first that makes the span's text match is kept for the rest of the file
    (``detected``). Spans without a text cannot tell units apart and are read
    in the unit found so far.
    """

    def __init__(self, unit: OffsetUnit | str = OffsetUnit.AUTO) -> None:
        self.declared = OffsetUnit(unit)
        self.detected: OffsetUnit | None = None
        self._tables: dict[OffsetUnit, OffsetTable] = {}

    @property
    def unit(self) -> OffsetUnit:
        """The unit spans are read in now."""
        if self.declared != OffsetUnit.AUTO:
            return self.declared
        return self.detected or OffsetUnit.CODEPOINTS

    @property
    def note(self) -> str | None:
        """A line for the import report when the unit was detected as other than code points."""
        if self.declared == OffsetUnit.AUTO and self.detected not in (None, OffsetUnit.CODEPOINTS):
            assert self.detected is not None
            return f"offsets counted in {describe_unit(self.detected)} (detected) were converted to code points"
        return None

    def span(
        self,
        text: str,
        start: object,
        end: object,
        expected: object = None,
        what: str = "span",
        *,
        loose_whitespace: bool = False,
    ) -> Span:
        """Check ``[start, end)`` in the file's unit against ``text`` and return it in code points.

        ``expected`` is the span's own text when the file gives one; with
        ``loose_whitespace`` it only has to match up to runs of white space
        (for tools that write it collapsed), and the offsets are trusted.
        Raises :class:`InputError` naming ``what`` when no unit fits.
        """
        first = self.unit
        try:
            return self._read(text, start, end, expected, what, first, loose_whitespace)
        except InputError:
            if self.declared != OffsetUnit.AUTO or expected is None or self.detected is not None:
                raise
            for unit in _CONCRETE:
                if unit == first or self._table(text, unit).trivial:
                    continue
                try:
                    span = self._read(text, start, end, expected, what, unit, loose_whitespace)
                except InputError:
                    continue
                self.detected = unit
                return span
            raise

    def _read(
        self,
        text: str,
        start: object,
        end: object,
        expected: object,
        what: str,
        unit: OffsetUnit,
        loose_whitespace: bool,
    ) -> Span:
        check = None if loose_whitespace else expected
        table = self._table(text, unit)
        if table.trivial or not (isinstance(start, int) and isinstance(end, int)):
            span = validate_span(text, start, end, check, what)
        else:
            first, last = table.to_codepoint(start), table.to_codepoint(end)
            if first is None or last is None:
                bad = start if first is None else end
                raise InputError(
                    f"{what} [{start}, {end}): offset {bad} is out of range or inside a character "
                    f"when counted in {describe_unit(unit)}"
                )
            try:
                span = validate_span(text, first, last, check, what)
            except InputError as error:
                raise InputError(
                    f"{what} [{start}, {end}) in {describe_unit(unit)} is [{first}, {last}) in code points: "
                    + error.problem.split(") ", 1)[-1]
                ) from None
        if loose_whitespace and expected is not None:
            _check_loosely(text, span, expected, what, (start, end))
        return span

    def _table(self, text: str, unit: OffsetUnit) -> OffsetTable:
        table = self._tables.get(unit)
        if table is None or table.text is not text:
            table = OffsetTable(text, unit)
            self._tables[unit] = table
        return table


def _check_loosely(text: str, span: Span, expected: object, what: str, given: tuple[object, object]) -> None:
    if not isinstance(expected, str):
        raise InputError(f"{what} {list(given)} has a text that is not a string: {expected!r}")
    actual = span.text_in(text)
    if actual.split() != expected.split():
        raise InputError(f"{what} {list(given)} has text {expected!r} but the document has {actual!r} there")


class SpanWriter:
    """Writes code-point spans in the unit a target tool counts in."""

    def __init__(self, unit: OffsetUnit | str = OffsetUnit.CODEPOINTS) -> None:
        chosen = OffsetUnit(unit)
        self.unit = OffsetUnit.CODEPOINTS if chosen == OffsetUnit.AUTO else chosen
        self._table: OffsetTable | None = None

    def offsets(self, text: str, span: Span) -> tuple[int, int]:
        """``span``'s start and end in this writer's unit."""
        if self.unit == OffsetUnit.CODEPOINTS:
            return span.start, span.end
        if self._table is None or self._table.text is not text:
            self._table = OffsetTable(text, self.unit)
        return self._table.from_codepoint(span.start), self._table.from_codepoint(span.end)


__all__ = ["OFFSET_UNITS", "OffsetTable", "OffsetUnit", "SpanReader", "SpanWriter", "describe_unit"]
