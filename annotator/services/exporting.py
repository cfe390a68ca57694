"""Exporting: one native JSONL line per (document, annotator), streamed, written atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Document, Status
from annotator.formats.native_jsonl import format_line
from annotator.store import repository
from annotator.store.database import Database
from annotator.store.tables import DocumentRow

CHUNK = 500
STDOUT = "-"


@dataclass(slots=True)
class ExportReport:
    """What an export wrote."""

    path: str
    lines: int = 0
    documents: int = 0


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


def export_jsonl(
    database: Database,
    out: str,
    *,
    status: Status | None = None,
    annotator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the native JSONL export to ``out`` (``-`` for standard output).

    A file is written to a temporary name in the same folder, flushed to disk,
    then renamed over ``out``: an interrupted export leaves the old file intact.
    """
    report = ExportReport(path=out)
    if out == STDOUT:
        _write(database, sys.stdout, report, status, annotator, progress)
        sys.stdout.flush()
        return report
    target = Path(out)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UserError(f"{out}: is a folder; give a file name for the export")
    if not folder.is_dir():
        raise UserError(f"{out}: folder {folder} does not exist")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise UserError(f"{out}: cannot write there ({error.strerror})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            _write(database, stream, report, status, annotator, progress)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return report


def _write(
    database: Database,
    stream: TextIO,
    report: ExportReport,
    status: Status | None,
    annotator: str | None,
    progress: Callable[[int], None] | None,
) -> None:
    last_document: int | None = None
    with database.read() as session:
        for document, aset in iter_annotations(session, status=status, annotator=annotator):
            stream.write(format_line(document, aset))
            report.lines += 1
            if document.id != last_document:
                report.documents += 1
                last_document = document.id
            if progress is not None and report.lines % 1000 == 0:
                progress(report.lines)


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
