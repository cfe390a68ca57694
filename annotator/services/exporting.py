"""Exporting in any writable format, streamed, written atomically.

A file is written under a temporary name in the same folder, flushed to
disk, then renamed over the target; a folder format (brat) is written into a
temporary folder that then takes the target's place. An interrupted export
leaves the previous one intact. Temporary names carry the writing process's
id, so the next export removes what a killed one left behind (and puts back a
previous folder export caught between its two renames). What the format cannot carry is tallied and
reported as warnings, never dropped silently.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Document, Status
from annotator.formats.interchange import ExportItem, ExportLosses, WriteOptions
from annotator.formats.offsets import OffsetUnit
from annotator.services import formats as registry
from annotator.services.formats import FormatSpec
from annotator.store import labels, repository
from annotator.store.database import Database
from annotator.store.tables import DocumentRow

CHUNK = 500
STDOUT = "-"


@dataclass(slots=True)
class ExportReport:
    """What an export wrote: (document, annotator) pairs as ``lines``, and what the format could not carry."""

    path: str
    fmt: str = registry.JSONL
    lines: int = 0
    documents: int = 0
    warnings: list[str] = field(default_factory=list)


def iter_annotations(
    session: Session, *, status: Status | None = None, annotator: str | None = None
) -> Iterator[tuple[Document, AnnotationSet]]:
    """Every (document, annotation set) pair matching the filters, in document order, chunk by chunk."""
    last_id = 0
    while True:
        rows = list(
            session.scalars(select(DocumentRow).where(DocumentRow.id > last_id).order_by(DocumentRow.id).limit(CHUNK))
        )
        if not rows:
            return
        last_id = rows[-1].id
        documents = [repository.document_from_row(row) for row in rows]
        session.expunge_all()
        sets = repository.load_annotation_sets(session, [d.id for d in documents if d.id is not None], annotator)
        for document in documents:
            assert document.id is not None
            for aset in sets[document.id]:
                if status is None or aset.status == status:
                    yield document, aset


def export_annotations(
    database: Database,
    out: str,
    *,
    fmt: str = registry.AUTO,
    status: Status | None = None,
    annotator: str | None = None,
    offsets: OffsetUnit | str = OffsetUnit.CODEPOINTS,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the annotations to ``out`` (``-`` for standard output) in format ``fmt``; see the module docstring.

    ``auto`` takes the format from ``out``'s name; ``offsets`` is the unit the
    target tool counts in (ignored by formats whose offsets are code points
    by definition).
    """
    chosen = registry.export_format_for(out, fmt)
    report = ExportReport(path=out, fmt=chosen.name)
    losses = ExportLosses(chosen.title)
    writer: Any = chosen.load()
    with database.read() as session:
        schema = labels.load_schema(session)
    options = WriteOptions(losses=losses, offsets=OffsetUnit(offsets), schema=schema)
    items = _counted(database, report, status, annotator, progress)
    if out == STDOUT:
        if chosen.output != "text":
            raise UserError(f"the {chosen.title} format cannot be written to standard output; give a file name")
        writer.write(items, sys.stdout, options)
        sys.stdout.flush()
    elif chosen.folder:
        _write_folder(Path(out), lambda folder: writer.write(items, folder, options))
    else:
        _write_file(Path(out), chosen, lambda stream: writer.write(items, stream, options))
    report.warnings = losses.messages()
    return report


def export_jsonl(
    database: Database,
    out: str,
    *,
    status: Status | None = None,
    annotator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the native ``annotator/v1`` JSONL export to ``out`` (``-`` for standard output)."""
    return export_annotations(database, out, fmt=registry.JSONL, status=status, annotator=annotator, progress=progress)


def _counted(
    database: Database,
    report: ExportReport,
    status: Status | None,
    annotator: str | None,
    progress: Callable[[int], None] | None,
) -> Iterator[ExportItem]:
    last_document: int | None = None
    with database.read() as session:
        for document, aset in iter_annotations(session, status=status, annotator=annotator):
            yield document, aset
            report.lines += 1
            if document.id != last_document:
                report.documents += 1
                last_document = document.id
            if progress is not None and report.lines % 1000 == 0:
                progress(report.lines)


def _write_file(target: Path, chosen: FormatSpec, write: Callable[[Any], None]) -> None:
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UserError(f"{target}: is a folder; give a file name for the {chosen.title} export")
    if not folder.is_dir():
        raise UserError(f"{target}: folder {folder} does not exist")
    _remove_leftovers(target)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".part", dir=folder)
        if hasattr(os, "fchmod"):
            os.fchmod(handle, _new_file_mode(target))
    except OSError as error:
        raise UserError(f"{target}: cannot write there ({error.strerror})") from None
    try:
        stream: TextIO | BinaryIO
        if chosen.output == "binary":
            stream = os.fdopen(handle, "wb")
        else:
            stream = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        with stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise UserError(
            f"{target}: the export could not be written ({error.strerror}); the previous file is unchanged"
        ) from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _write_folder(target: Path, write: Callable[[Path], None]) -> None:
    """Write into a fresh temporary folder beside ``target``, then swap it in (the old one is removed last)."""
    parent = target.parent if str(target.parent) else Path(".")
    if target.exists() and not target.is_dir():
        raise UserError(f"{target}: is a file; a folder format needs a folder name")
    if target.is_dir() and any(target.iterdir()) and not _is_export_folder(target):
        raise UserError(
            f"{target}: folder is not empty and holds other files than an export; choose an empty or new folder"
        )
    if not parent.is_dir():
        raise UserError(f"{target}: folder {parent} does not exist")
    _remove_leftovers(target)
    try:
        temp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".part", dir=parent))
    except OSError as error:
        raise UserError(f"{target}: cannot write there ({error.strerror})") from None
    old: Path | None = None
    try:
        write(temp)
        for path in temp.rglob("*"):
            if path.is_file():
                _fsync_file(path)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".old", dir=parent))
            os.replace(target, old / "previous")
        os.replace(temp, target)
    except OSError as error:
        if old is not None and not target.exists():
            os.replace(old / "previous", target)
        shutil.rmtree(temp, ignore_errors=True)
        raise UserError(
            f"{target}: the export could not be written ({error.strerror}); the previous one is unchanged"
        ) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        if old is not None and target.exists():
            shutil.rmtree(old, ignore_errors=True)
    _fsync_folder(parent)


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _remove_leftovers(target: Path) -> None:
    """Remove the temporary files and folders of earlier exports to ``target`` whose process is gone.

    A folder export killed between moving the previous export aside and
    moving the new one in left no ``target``: the previous one is put back.
    """
    parent = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    try:
        leftovers = [p for p in parent.iterdir() if p.name.startswith(prefix) and p.suffix in (".part", ".old")]
    except OSError:
        return
    for path in sorted(leftovers, key=lambda p: p.suffix != ".old"):  # restore before removing
        pid = path.name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        if path.suffix == ".old" and (path / "previous").is_dir() and not target.exists():
            os.replace(path / "previous", target)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":  # os.kill would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _new_file_mode(target: Path) -> int:
    """The mode the export gets: the previous file's, else what the umask gives a new file (not mkstemp's 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


EXPORT_MARKER = "annotation.conf"
"""A folder that holds this file was written by a folder export (brat) and may be replaced by the next one."""


def _is_export_folder(folder: Path) -> bool:
    return (folder / EXPORT_MARKER).is_file()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
