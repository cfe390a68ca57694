r"""Plain ``.txt`` articles: one file, one document.

A first line that begins with ``date YYYY-MM-DD`` gives ``meta.date`` and is
not part of the stored text (the sample article's layout). Line breaks are
normalised to ``\n`` before the text is stored, and ``meta.newlines_normalized``
says so when any were changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from annotator.domain.errors import InputError
from annotator.domain.model import Document, text_sha256
from annotator.formats.interchange import ReadOptions
from annotator.formats.records import Record
from annotator.formats.textio import check_text, decode_utf8

SUFFIXES = (".txt",)
_STDIN_NAMES = ("-", "<stdin>")
_DATE_PREFIX = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\r?\n\s*)")


def read_text(data: bytes, path: str, external_id: str | None = None) -> Record:
    """Read one article from the raw bytes of a text file named ``path``."""
    text = decode_utf8(data, path)
    from_stdin = path in _STDIN_NAMES
    meta: dict[str, object] = {"source": "stdin" if from_stdin else Path(path).name}
    match = _DATE_PREFIX.match(text)
    if match:
        meta["date"] = match.group(1)
        text = text[match.end() :]
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    if normalized != text:
        meta["newlines_normalized"] = True
        text = normalized
    text = text.strip()
    if not text.strip():
        raise InputError("is empty: no article text to import", path)
    try:
        check_text(text)
    except InputError as error:
        raise error.located(path) from None
    if external_id is None:
        external_id = text_sha256(text)[:16] if from_stdin else Path(path).stem
    return Record(Document(external_id=external_id, text=text, meta=meta), line=None)


def read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]:
    """The registry's reader: the whole stream is one article."""
    del options
    yield read_text(stream.read(), path)
