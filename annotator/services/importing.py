"""Importing files: all or nothing per file, duplicates skipped, then entities and suggestions from one parse.

Each file is one write transaction: a bad line anywhere rolls the whole file
back and the report names it; the other files of the same import go on.
The new documents are then parsed once, in short chunk transactions, for the
model's entities (where the file gave no model layer) and claim suggestions
(:mod:`annotator.services.analysing`), so a window on the same database is
never kept waiting for the parse.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy.orm import Session

from annotator.domain.errors import InputError, UserError
from annotator.domain.model import AnnotationSet
from annotator.domain.schema import ENTITY, STANCE, LabelSchema
from annotator.formats.interchange import ReadOptions
from annotator.formats.offsets import OffsetUnit
from annotator.formats.records import Record
from annotator.services import formats as registry
from annotator.services.formats import AUTO, read_folder, read_records
from annotator.services.sources import Source, expand, open_binary
from annotator.store import labels, repository
from annotator.store.database import Database

if TYPE_CHECKING:
    from annotator.services.analysing import AnalysisReport
    from annotator.services.preannotating import Annotator as EntityTagger

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called with the number of documents read so far."""


class ImportCancelled(UserError):  # noqa: N818 - a cancellation, not an error
    """The user cancelled an import; the file being imported was rolled back."""


@dataclass(slots=True)
class ImportOptions:
    """How to import: format, pre-annotation, who annotated, schema growth."""

    fmt: str = AUTO
    offsets: OffsetUnit = OffsetUnit.AUTO
    use_nlp: bool = True
    suggest: bool = True
    """With ``use_nlp``: also suggest claims (the model must have a parser; without one, entities only)."""
    model: str | None = None
    annotator: str | None = None
    add_labels: bool = False
    jobs: int = 1
    batch_size: int = 256


@dataclass(slots=True)
class FileOutcome:
    """What happened to one file."""

    path: str
    fmt: str = ""
    added: int = 0
    skipped: int = 0
    annotations_added: int = 0
    labels_added: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def failed(self) -> bool:
        """True when the file was rolled back."""
        return self.error is not None


@dataclass(slots=True)
class ImportReport:
    """What an import did, file by file."""

    files: list[FileOutcome] = field(default_factory=list)
    model: str | None = None
    model_note: str | None = None
    analysis: AnalysisReport | None = None
    """What the parse of the new documents did (``None`` without NLP or new documents)."""
    cancelled: bool = False

    @property
    def added(self) -> int:
        """Documents added, over all files."""
        return sum(f.added for f in self.files)

    @property
    def skipped(self) -> int:
        """Documents skipped as already present, over all files."""
        return sum(f.skipped for f in self.files)

    @property
    def document_ids(self) -> list[int]:
        """The database ids of the documents added, over all files."""
        return [doc_id for f in self.files if not f.failed for doc_id in f.document_ids]

    @property
    def failed(self) -> list[FileOutcome]:
        """The files that were rolled back."""
        return [f for f in self.files if f.failed]


def import_paths(
    database: Database,
    paths: Sequence[str],
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    stdin: BinaryIO | None = None,
    tagger: EntityTagger | None = None,
    analysis_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import files, folders and ``-`` into ``database``; see the module docstring.

    ``tagger`` is an already-loaded pre-annotator; otherwise one is loaded
    when ``options.use_nlp`` is set and documents were added.
    ``progress(read)`` follows the reading, ``analysis_progress(done, total)``
    the parse that follows it. When ``cancelled()`` turns true, the file being
    imported is rolled back, the files after it are not started, and the
    report says ``cancelled``; during the parse, the chunks done are kept and
    a note says how many documents were left without entities and suggestions.
    """
    options = options or ImportOptions()
    report = ImportReport()
    state = _ImportState(options, progress, cancelled)
    if options.fmt != AUTO:
        registry.import_spec(options.fmt)  # an unknown or write-only format is refused before any file
    for item in expand(list(paths), options.fmt):
        if isinstance(item, InputError):
            report.files.append(FileOutcome(path=item.path or "", error=item.message))
            continue
        outcome = FileOutcome(path=item.name)
        report.files.append(outcome)
        try:
            _import_file(database, item, state, outcome, stdin)
        except ImportCancelled:
            outcome.error = f"{item.name}: cancelled; nothing from this file was imported"
            outcome.added = outcome.skipped = outcome.annotations_added = 0
            report.cancelled = True
            break
        except InputError as error:
            outcome.error = error.located(item.name).message
            outcome.added = outcome.skipped = outcome.annotations_added = 0
            outcome.labels_added = []
            outcome.notes = []
            outcome.document_ids = []
    if options.use_nlp and not report.cancelled and report.document_ids:
        _analyse_new_documents(database, report, options, tagger, analysis_progress, cancelled)
    return report


def _analyse_new_documents(
    database: Database,
    report: ImportReport,
    options: ImportOptions,
    tagger: EntityTagger | None,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    """Parse the documents the import added: the model's entities where the file gave none, and suggestions."""
    from annotator.services.analysing import EntityLayer, analyse_documents
    from annotator.services.preannotating import load_annotator

    if tagger is None:
        tagger = load_annotator(options.model, options.jobs, suggest=options.suggest)
    if tagger is None:
        report.model_note = "no spaCy model is installed: imported without entity pre-highlighting or suggestions"
        return
    report.model = tagger.model
    if options.suggest and tagger.without_suggestions:
        report.model_note = tagger.without_suggestions
    ids = report.document_ids
    analysis = analyse_documents(
        database, tagger, ids, entities=EntityLayer.MISSING, progress=progress, cancelled=cancelled
    )
    report.analysis = analysis
    if analysis.cancelled:
        left = len(ids) - analysis.documents - analysis.too_long
        report.model_note = (
            f"pre-annotation stopped: {left} imported document{'' if left == 1 else 's'} "
            "without entities or suggestions yet (annotator preannotate fills them in)"
        )
    if analysis.too_long:
        _note_too_long(database, report, tagger.max_length)


def _note_too_long(database: Database, report: ImportReport, max_length: int) -> None:
    """Say, per file, which new documents were too long for the model (imported, but not pre-annotated)."""
    from sqlalchemy import func, select

    from annotator.store.tables import DocumentRow

    for outcome in report.files:
        if outcome.failed or not outcome.document_ids:
            continue
        with database.read() as session:
            long_ids = [
                external_id
                for (external_id,) in session.execute(
                    select(DocumentRow.external_id)
                    .where(DocumentRow.id.in_(outcome.document_ids), func.length(DocumentRow.text) > max_length)
                    .order_by(DocumentRow.id)
                )
            ]
        if long_ids:
            outcome.notes.append(
                f"{len(long_ids)} document{'' if len(long_ids) == 1 else 's'} longer than the model takes "
                f"({max_length:,} characters) imported without entity pre-highlighting or suggestions "
                f"(first: {long_ids[0]!r})"
            )


@dataclass(slots=True)
class _ImportState:
    options: ImportOptions
    progress: Progress | None
    cancelled: Callable[[], bool] | None
    read: int = 0


def _import_file(
    database: Database, source: Source, state: _ImportState, outcome: FileOutcome, stdin: BinaryIO | None
) -> None:
    read_options = ReadOptions(offsets=state.options.offsets)
    with contextlib.ExitStack() as stack:
        if source.folder:
            outcome.fmt, records = read_folder(Path(source.path), state.options.fmt, read_options)
        else:
            stream = stack.enter_context(open_binary(source, stdin))
            outcome.fmt, records = read_records(stream, source.name, state.options.fmt, read_options)
        session = stack.enter_context(database.write())
        schema = labels.load_schema(session)
        for batch in _batched(records, state.options.batch_size):
            if state.cancelled is not None and state.cancelled():
                raise ImportCancelled("import cancelled")
            _store_batch(session, batch, schema, state, outcome)
            state.read += len(batch)
            if state.progress is not None:
                state.progress(state.read)
    outcome.notes = [*read_options.report(), *outcome.notes]  # the reader's notes, then the import's


def _store_batch(
    session: Session,
    batch: list[Record],
    schema: LabelSchema,
    state: _ImportState,
    outcome: FileOutcome,
) -> None:
    # Documents of earlier batches of this file are in the transaction already, so the query below finds
    # them; only this batch's new documents need remembering (memory stays flat however long the file is).
    seen_ids: dict[str, str] = {}
    seen_hashes: set[str] = set()
    options = state.options
    for record in batch:
        _assign_annotator(record, options.annotator)
        _check_labels(session, record, schema, options.add_labels, outcome)
    stored = repository.documents_matching(
        session, (r.document.sha256 for r in batch), (r.document.external_id for r in batch)
    )
    by_hash = {sha: doc_id for doc_id, _, sha in stored}
    hash_of_id = {external_id: sha for _, external_id, sha in stored}
    new_records: list[Record] = []
    new_by_hash: dict[str, Record] = {}
    for record in batch:
        document = record.document
        sha = document.sha256
        known_sha = hash_of_id.get(document.external_id) or seen_ids.get(document.external_id)
        if known_sha is not None and known_sha != sha:
            raise InputError(
                f"id {document.external_id!r} is already used by a different text; give this document another id",
                line=record.line,
            )
        if sha in by_hash:  # stored already (before this file, or by an earlier batch of it)
            added = _add_missing_annotations(session, by_hash[sha], record)
            outcome.annotations_added += added
            if not added:
                outcome.skipped += 1
            continue
        if sha in seen_hashes:  # another line for a document new in this batch (one line per annotator)
            if not _merge_annotations(new_by_hash[sha], record):
                outcome.skipped += 1
            continue
        seen_hashes.add(sha)
        seen_ids[document.external_id] = sha
        new_by_hash[sha] = record
        new_records.append(record)
    if not new_records:
        return
    documents = [r.document for r in new_records]
    repository.insert_documents(session, documents, None)
    model_rows: list[dict[str, Any]] = []  # the files' model layers, one executemany for the batch
    people_sets: list[tuple[int, AnnotationSet]] = []  # and the people's sets, one executemany per table
    for record in new_records:
        document_id = record.document.id
        assert document_id is not None
        for aset in record.annotations:
            if aset.annotator is None:
                model_rows.extend(repository.entity_row(document_id, None, entity) for entity in aset.entities)
            else:
                people_sets.append((document_id, aset))
    repository.insert_entities_many(session, model_rows)
    repository.insert_annotation_sets(session, people_sets)
    outcome.annotations_added += len(people_sets)
    outcome.added += len(new_records)
    outcome.document_ids.extend(r.document.id for r in new_records if r.document.id is not None)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters: a label or a name holding one would break one-line messages and could drive a terminal."""


def _refuse_control(value: str, what: str, line: int | None) -> None:
    if _CONTROL.search(value):
        raise InputError(
            f"{what} {value!r} contains control characters (line breaks, tabs, escapes); fix the file",
            line=line,
        )


def _assign_annotator(record: Record, annotator: str | None) -> None:
    """Give nameless annotation sets to ``--annotator``, or refuse claims nobody made."""
    for aset in record.annotations:
        if aset.annotator is not None:
            _refuse_control(aset.annotator, "annotator name", record.line)
            continue
        if annotator is not None:
            aset.annotator = annotator
        elif aset.claims or aset.speakers or aset.relations or aset.note:
            raise InputError(
                "has claims, speakers or relations but no annotator; name one with --annotator NAME", line=record.line
            )


def _check_labels(session: Session, record: Record, schema: LabelSchema, add: bool, outcome: FileOutcome) -> None:
    entity_labels = {e.label for a in record.annotations for e in a.entities}
    stance_labels = {c.stance.label for a in record.annotations for c in a.claims if c.stance and c.stance.label}
    relation_labels = {r.label for a in record.annotations for r in a.relations}
    for kind, found in ((ENTITY, entity_labels), (STANCE, stance_labels), ("relation", relation_labels)):
        for name in found:
            _refuse_control(name, f"{kind} label", record.line)
    missing = [(ENTITY, schema.missing(ENTITY, entity_labels)), (STANCE, schema.missing(STANCE, stance_labels))]
    if not any(names for _, names in missing):
        return
    if not add:
        described = "; ".join(f"{kind} labels {', '.join(names)}" for kind, names in missing if names)
        raise InputError(
            f"{described} not in the label schema; add them with --add-labels or fix the file", line=record.line
        )
    for kind, names in missing:
        if names:
            labels.add_labels(session, kind, names)
            outcome.labels_added.extend(f"{kind}:{name}" for name in names)
    fresh = labels.load_schema(session)
    schema.entity_labels[:], schema.stance_labels[:] = fresh.entity_labels, fresh.stance_labels


def _add_missing_annotations(session: Session, document_id: int, record: Record) -> int:
    """Add the annotators' sets that the stored document lacks; returns how many were added."""
    present = repository.annotated_by(session, document_id)
    added = 0
    for aset in record.annotations:
        if aset.annotator is None:
            if aset.entities and not repository.has_model_entities(session, document_id):
                repository.insert_annotation_set(session, document_id, aset)
                added += 1
        elif aset.annotator not in present:
            repository.insert_annotation_set(session, document_id, aset)
            present.add(aset.annotator)
            added += 1
    return added


def _merge_annotations(target: Record, record: Record) -> bool:
    """Add to a not yet stored ``target`` the sets of ``record`` (same text) that it lacks; True if any."""
    present = {aset.annotator for aset in target.annotations if aset.annotator is not None}
    has_model_layer = any(aset.annotator is None and aset.entities for aset in target.annotations)
    merged = False
    for aset in record.annotations:
        if aset.annotator is None:
            if aset.entities and not has_model_layer:
                target.annotations.append(aset)
                has_model_layer = merged = True
        elif aset.annotator not in present:
            target.annotations.append(aset)
            present.add(aset.annotator)
            merged = True
    return merged


def _batched(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


__all__ = [
    "FileOutcome",
    "ImportCancelled",
    "ImportOptions",
    "ImportReport",
    "import_paths",
]
