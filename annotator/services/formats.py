"""The formats annotator reads and writes, and choosing one by name, file name or content.

Each format is one module (see :mod:`annotator.formats.interchange` for what
a module offers): in :mod:`annotator.formats`, or in :mod:`annotator.nlp`
for the one that needs spaCy. A module is imported only when used, so the
command line and the window start without loading every format.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from annotator.domain.errors import UserError
from annotator.formats.interchange import ReadOptions
from annotator.formats.offsets import OFFSET_UNITS, OffsetUnit
from annotator.formats.records import Record

AUTO = "auto"
TEXT = "text"
JSONL = "jsonl"
SNIFF_BYTES = 1 << 16
"""How much of a file ``auto`` looks at."""


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One format: its ``--format`` name, what it can do and how it is stored.

    ``output`` is ``"text"`` (a UTF-8 stream), ``"binary"`` or ``"folder"``;
    ``suffixes`` are the file name endings that mean this format (the first
    is what an export suggests); a folder format has none.
    """

    name: str
    title: str
    module: str
    reads: bool
    writes: bool
    output: str = "text"
    suffixes: tuple[str, ...] = ()

    @property
    def folder(self) -> bool:
        """True for a format stored as a folder of files (brat)."""
        return self.output == "folder"

    def load(self) -> ModuleType:
        """Import the format's module."""
        return importlib.import_module(self.module)

    @property
    def file_filter(self) -> str:
        """A Qt file-dialog filter for this format ("Prodigy JSONL (*.jsonl)")."""
        patterns = " ".join(f"*{suffix}" for suffix in self.suffixes) or "*"
        return f"{self.title} ({patterns})"


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec(
        JSONL,
        "annotator/v1 JSONL",
        "annotator.formats.native_jsonl",
        reads=True,
        writes=True,
        suffixes=(".jsonl", ".ndjson"),
    ),
    FormatSpec(
        TEXT, "Plain text articles", "annotator.formats.plain_text", reads=True, writes=False, suffixes=(".txt",)
    ),
    FormatSpec("prodigy", "Prodigy JSONL", "annotator.formats.prodigy", reads=True, writes=True, suffixes=(".jsonl",)),
    FormatSpec(
        "doccano", "doccano JSONL", "annotator.formats.doccano", reads=True, writes=True, suffixes=(".jsonl", ".json")
    ),
    FormatSpec(
        "labelstudio",
        "Label Studio JSON",
        "annotator.formats.labelstudio",
        reads=True,
        writes=True,
        suffixes=(".json",),
    ),
    FormatSpec("brat", "brat standoff folder", "annotator.formats.brat", reads=True, writes=True, output="folder"),
    FormatSpec("citron", "citron JSON", "annotator.formats.citron", reads=True, writes=True, suffixes=(".json",)),
    FormatSpec(
        "spacy", "spaCy DocBin", "annotator.nlp.docbin", reads=False, writes=True, output="binary", suffixes=(".spacy",)
    ),
)
BY_NAME = {spec.name: spec for spec in FORMATS}
IMPORT_FORMATS = (AUTO, *(spec.name for spec in FORMATS if spec.reads))
EXPORT_FORMATS = (AUTO, *(spec.name for spec in FORMATS if spec.writes))
_SNIFF_ORDER = ("prodigy", "doccano", "labelstudio", "citron", JSONL)
"""Content sniffing tries the formats with the most telling keys first; native JSONL takes any ``{"text": ...}``."""


def spec(name: str) -> FormatSpec:
    """The format called ``name``; :class:`UserError` listing the names when there is none."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise UserError(f"unknown format {name!r}; choose one of: {', '.join(BY_NAME)}") from None


def import_spec(name: str) -> FormatSpec:
    """The format called ``name``, which must be readable."""
    chosen = spec(name)
    if not chosen.reads:
        readable = ", ".join(s.name for s in FORMATS if s.reads)
        raise UserError(f"annotator cannot import the {chosen.title} format; it can import: {readable}")
    return chosen


def sniff(path: str, head: bytes) -> str:
    """Pick a readable format for the file ``path`` whose first bytes are ``head``."""
    lower = path.lower()
    if lower.endswith(".txt"):
        return TEXT
    if lower.endswith(".ann"):
        return "brat"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith((b"{", b"[")):
        return JSONL if lower.endswith((".jsonl", ".ndjson", ".json")) else TEXT  # a JSON name: say what is wrong
    for name in _SNIFF_ORDER:
        if BY_NAME[name].load().sniff(path, head):
            return name
    return JSONL


def is_brat_folder(folder: Path) -> bool:
    """True for a folder holding brat ``.ann`` files (outside hidden folders)."""
    return any(not any(p.startswith(".") for p in f.relative_to(folder).parts) for f in folder.rglob("*.ann"))


def read_records(stream: BinaryIO, path: str, fmt: str, options: ReadOptions) -> tuple[str, Iterator[Record]]:
    """Start reading ``stream`` in format ``fmt`` (``auto`` sniffs); returns the format chosen and the records."""
    if fmt == AUTO:
        peek = getattr(stream, "peek", None)
        if callable(peek):
            head = peek(SNIFF_BYTES)
        else:  # a stream that cannot peek (io.BytesIO as stdin): read it, then sniff its start
            stream = io.BytesIO(stream.read())
            head = stream.getvalue()[:SNIFF_BYTES]
        fmt = sniff(path, head[:SNIFF_BYTES])
    chosen = import_spec(fmt)
    if chosen.folder:
        return fmt, chosen.load().read_folder(Path(path), options)
    return fmt, chosen.load().read(stream, path, options)


def read_folder(folder: Path, fmt: str, options: ReadOptions) -> tuple[str, Iterator[Record]]:
    """Start reading a folder-format source (brat)."""
    chosen = import_spec("brat" if fmt == AUTO else fmt)
    if not chosen.folder:
        raise UserError(f"{folder}: the {chosen.title} format is read from files, not from a folder")
    return chosen.name, chosen.load().read_folder(folder, options)


def export_format_for(path: str, fmt: str) -> FormatSpec:
    """The format to export to ``path``: ``fmt``, or with ``auto`` the one its name (or being a folder) means."""
    if fmt != AUTO:
        chosen = spec(fmt)
        if not chosen.writes:
            writable = ", ".join(s.name for s in FORMATS if s.writes)
            raise UserError(f"annotator cannot export the {chosen.title} format; it can export: {writable}")
        return chosen
    lower = path.lower()
    if lower.endswith(".spacy"):
        return BY_NAME["spacy"]
    if lower.endswith((".jsonl", ".ndjson")) or path == "-":
        return BY_NAME[JSONL]
    if Path(path).is_dir() or lower.endswith(("/", "\\")):
        return BY_NAME["brat"]
    raise UserError(
        f"{path}: cannot tell the export format from the name; give --format "
        f"({', '.join(name for name in EXPORT_FORMATS if name != AUTO)})"
    )


__all__ = [
    "AUTO",
    "EXPORT_FORMATS",
    "FORMATS",
    "IMPORT_FORMATS",
    "JSONL",
    "OFFSET_UNITS",
    "TEXT",
    "FormatSpec",
    "OffsetUnit",
    "export_format_for",
    "import_spec",
    "is_brat_folder",
    "read_folder",
    "read_records",
    "sniff",
    "spec",
]
