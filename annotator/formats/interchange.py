"""What every format module shares: read options with a notes sink, write options with a losses tally.

A format module offers some of:

- ``read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]``
  for a format stored in one file, or ``read_folder(folder: Path, options)``
  for one stored as a folder (brat);
- ``write(pairs: Iterable[ExportItem], sink, options: WriteOptions) -> None``,
  where ``sink`` is a text stream, a binary stream or an empty folder, as its
  :class:`~annotator.services.formats.FormatSpec` says;
- ``sniff(path: str, head: bytes) -> bool``, True when a file looks like it.

Readers raise :class:`~annotator.domain.errors.InputError` with the line on
the first bad record; writers call :meth:`ExportLosses.lose` for everything
the format cannot carry, so an export never drops data silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotator.domain.model import AnnotationSet, Document
from annotator.domain.schema import LabelSchema, default_schema
from annotator.formats.offsets import OffsetUnit, SpanReader

ExportItem = tuple[Document, AnnotationSet]
"""One document with one annotator's set (``annotator`` None: the model's entities only)."""


@dataclass(slots=True)
class ReadOptions:
    """How to read one file: the offset unit, and where to say what was skipped or converted.

    ``spans`` reads every span of the file (in the declared unit, or the one it
    detects); a reader uses it for each span it takes from the file.
    """

    offsets: OffsetUnit = OffsetUnit.AUTO
    notes: Counter[str] = field(default_factory=Counter)
    spans: SpanReader = field(init=False)

    def __post_init__(self) -> None:
        self.spans = SpanReader(self.offsets)

    def note(self, what: str, count: int = 1) -> None:
        """Count something the import did that the user should hear about ("rejected records skipped")."""
        self.notes[what] += count

    def report(self) -> list[str]:
        """The notes as lines, each with its count (and how offsets were converted)."""
        if self.spans.note:
            self.notes[self.spans.note] = 1
        return [f"{what}: {count:,}" if count > 1 else what for what, count in self.notes.items()]


LOSS_ENTITY_SOURCES = "whether entities came from the model or a person: {n} entities written, to read back as imported"
"""The loss every span tool shares: it has no field for an entity's source."""


@dataclass(slots=True)
class ExportLosses:
    """A tally of what an export could not carry into its format, for the export-time warning."""

    fmt: str
    counts: Counter[str] = field(default_factory=Counter)

    def lose(self, what: str, count: int = 1) -> None:
        """Record that ``count`` items of ``what`` ("stance targets") were not written.

        A ``what`` holding ``{n}`` says itself what the count is (for a detail
        lost from items that are written); otherwise the message ends in
        "N not written".
        """
        if count > 0:
            self.counts[what] += count

    def lose_all(self, items: Iterable[str]) -> None:
        """Record one loss for each item named."""
        for what in items:
            self.lose(what)

    def messages(self) -> list[str]:
        """One line per kind of loss, most frequent first."""
        lines = []
        for what, count in self.counts.most_common():
            said = what.replace("{n}", f"{count:,}") if "{n}" in what else f"{what}: {count:,} not written"
            lines.append(f"{self.fmt} cannot carry {said} (see docs/formats.md)")
        return lines


@dataclass(slots=True)
class WriteOptions:
    """How to write: the offset unit of the target tool, the label schema, and the losses tally."""

    losses: ExportLosses
    offsets: OffsetUnit = OffsetUnit.CODEPOINTS
    schema: LabelSchema = field(default_factory=default_schema)


__all__ = ["LOSS_ENTITY_SOURCES", "ExportItem", "ExportLosses", "ReadOptions", "WriteOptions"]
