"""Format names, and choosing a reader by name, file suffix or content."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from annotator.domain.errors import UserError
from annotator.formats import native_jsonl, plain_text
from annotator.formats.records import Record

AUTO = "auto"
TEXT = "text"
JSONL = "jsonl"
IMPORT_FORMATS = (AUTO, TEXT, JSONL)
EXPORT_FORMATS = (JSONL,)


def sniff(path: str, head: bytes) -> str:
    """Pick a format for ``path`` from its suffix, else from its first bytes."""
    lower = path.lower()
    if lower.endswith(plain_text.SUFFIXES):
        return TEXT
    if lower.endswith(native_jsonl.SUFFIXES):
        return JSONL
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return JSONL if stripped.startswith(b"{") else TEXT


def read_records(stream: BinaryIO, path: str, fmt: str) -> tuple[str, Iterator[Record]]:
    """Start reading ``stream`` in format ``fmt`` (``auto`` sniffs); returns the format chosen and the records."""
    if fmt not in IMPORT_FORMATS:
        raise UserError(f"unknown import format {fmt!r}; choose one of: {', '.join(IMPORT_FORMATS)}")
    if fmt == AUTO:
        peek = getattr(stream, "peek", None)
        if callable(peek):
            head = peek(64)
        else:  # a stream that cannot peek (io.BytesIO as stdin): read it, then sniff its start
            stream = io.BytesIO(stream.read())
            head = stream.getvalue()[:64]
        fmt = sniff(path, head[:64])
    if fmt == TEXT:
        return fmt, iter([plain_text.read_text(stream.read(), path)])
    return fmt, native_jsonl.read_jsonl(stream, path)
