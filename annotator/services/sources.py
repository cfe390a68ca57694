"""Finding the files an import names: paths, folders (recursively) and ``-`` (stdin)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from annotator.domain.errors import InputError
from annotator.services import formats as registry

IMPORTABLE_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".json")
STDIN = "-"
READ_BUFFER = registry.SNIFF_BYTES


@dataclass(frozen=True, slots=True)
class Source:
    """One file to import (``path`` is ``"-"`` for standard input), or a folder in a folder format (brat)."""

    path: str
    folder: bool = False

    @property
    def name(self) -> str:
        """How messages name this source."""
        return "<stdin>" if self.path == STDIN else self.path


def expand(paths: list[str], fmt: str = registry.AUTO) -> Iterator[Source | InputError]:
    """The sources named by ``paths``, folders expanded; an :class:`InputError` for each bad path.

    A folder is one source when ``fmt`` is a folder format, or is ``auto``
    and the folder holds brat ``.ann`` files; otherwise its importable files
    are, recursively.
    """
    folder_format = fmt != registry.AUTO and registry.spec(fmt).folder
    for raw in paths:
        if raw == STDIN:
            yield Source(STDIN)
            continue
        path = Path(raw)
        if not path.exists():
            yield InputError("does not exist", raw)
        elif path.is_dir() and (folder_format or (fmt == registry.AUTO and registry.is_brat_folder(path))):
            yield Source(str(path), folder=True)
        elif folder_format:
            yield Source(str(path))
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in IMPORTABLE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                suffixes = ", ".join(IMPORTABLE_SUFFIXES)
                yield InputError(f"is a folder with no importable files ({suffixes})", raw)
            yield from (Source(str(p)) for p in found)
        elif not path.is_file():
            yield InputError("is not a regular file", raw)
        else:
            yield Source(str(path))


def open_binary(source: Source, stdin: BinaryIO | None = None) -> BinaryIO:
    """Open a source for reading bytes (standard input is not closed by the caller's ``with``)."""
    if source.path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        return _Unclosable(stream)  # type: ignore[return-value]
    try:
        return open(source.path, "rb", buffering=READ_BUFFER)
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source.path) from None


class _Unclosable:
    """Wraps standard input so that leaving a ``with`` block does not close it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    def __enter__(self) -> _Unclosable:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None
