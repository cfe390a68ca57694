"""One NLP pass over stored documents: the model's entities and the claim suggestions, from one parse.

Import, pre-annotation and ``annotator suggest`` all come here, so a
document is parsed once for both layers. Each chunk of documents is read in
one short transaction, parsed with no transaction open, and written in
another: a window on the same database keeps saving while the pass runs, and
a pass stopped half-way (cancelled, or the process killed) leaves every
chunk it wrote whole and the rest as it was.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select

from annotator.domain.schema import ENTITY
from annotator.services.preannotating import Annotator
from annotator.services.suggesting import store_suggestions
from annotator.store import labels, repository
from annotator.store.database import Database
from annotator.store.tables import DocumentRow, EntityRow

CHUNK = 64
"""Documents per chunk: a write transaction per chunk, short enough for a window to slip its edits between."""
MULTIPROCESS_CHUNK = 2048
"""Documents per chunk with several processes: spaCy starts its workers for each ``nlp.pipe`` call."""


class EntityLayer(enum.Enum):
    """Which documents get a new model layer of entities from the pass."""

    ALL = "all"
    """Every document's model layer is replaced (pre-annotation)."""
    MISSING = "missing"
    """Only documents without one (import: a file's own model layer is kept)."""
    NONE = "none"
    """None: the pass only suggests claims."""


@dataclass(slots=True)
class AnalysisReport:
    """What a pass did."""

    documents: int = 0
    entities: int = 0
    suggestions: int = 0
    too_long: int = 0
    """Documents longer than the model takes, left without new entities or suggestions."""
    model: str | None = None
    """The entity model ("en_core_web_sm 3.8.0"), ``None`` when the pass wrote no entities."""
    suggester: str | None = None
    """Model and suggester version of the suggestions, ``None`` when the pipeline cannot suggest."""
    without_suggestions: str | None = None
    """Why a pipeline asked to suggest could not (the model has no parser)."""
    cancelled: bool = False

    def describe(self) -> str:
        """One line: "12 documents: 340 entities by en_core_web_sm 3.8.0, 25 claims suggested"."""
        parts = [f"{_count(self.documents, 'document')}:"]
        if self.model is not None:
            parts.append(f"{_count(self.entities, 'entity', 'entities')} by {self.model},")
        if self.suggester is not None:
            parts.append(f"{_count(self.suggestions, 'claim')} suggested,")
        elif self.without_suggestions:
            parts.append(f"({self.without_suggestions}),")
        if self.too_long:
            parts.append(f"{_count(self.too_long, 'document')} too long for the model left as they were,")
        if self.cancelled:
            parts.append("stopped before the end,")
        return " ".join(parts).rstrip(",:")


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    text: str
    has_model_layer: bool


def analyse_documents(
    database: Database,
    annotator: Annotator,
    document_ids: Sequence[int] | None = None,
    *,
    entities: EntityLayer = EntityLayer.ALL,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> AnalysisReport:
    """Parse every document (or ``document_ids``) once; store its entities (as ``entities`` says) and suggestions.

    Suggestions are stored when the annotator's pipeline can make them
    (:attr:`Annotator.suggester`), replacing the document's old ones (see
    :func:`~annotator.services.suggesting.store_suggestions`, which keeps
    rejections). ``progress(done, total)`` after each chunk.
    """
    report = AnalysisReport(
        model=annotator.model if entities is not EntityLayer.NONE else None,
        suggester=annotator.suggester,
        without_suggestions=annotator.without_suggestions,
    )
    size = CHUNK if annotator.jobs == 1 else MULTIPROCESS_CHUNK
    for chunk, total in _chunks(database, document_ids, size):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        fits = [stored for stored in chunk if len(stored.text) <= annotator.max_length]
        report.too_long += len(chunk) - len(fits)
        results = list(annotator.analyse(stored.text for stored in fits))
        with database.write() as session:
            if entities is not EntityLayer.NONE:
                labels.ensure_labels(session, ENTITY, {e.label for found, _ in results for e in found})
            for stored, (found, suggestions) in zip(fits, results, strict=True):
                if entities is EntityLayer.ALL or (entities is EntityLayer.MISSING and not stored.has_model_layer):
                    repository.replace_model_entities(session, stored.id, found, annotator.model)
                    report.entities += len(found)
                if annotator.suggester is not None:
                    store_suggestions(session, stored.id, suggestions, annotator.suggester)
                    report.suggestions += len(suggestions)
        report.documents += len(fits)
        if progress is not None:
            progress(report.documents + report.too_long, total)
    return report


def _chunks(database: Database, document_ids: Sequence[int] | None, size: int) -> Iterator[tuple[list[_Stored], int]]:
    """The documents to parse, ``size`` at a time in id order, with the total count; each chunk read on its own."""
    has_model_layer = or_(
        DocumentRow.entities_model.is_not(None),
        exists().where(EntityRow.document_id == DocumentRow.id, EntityRow.annotator_id.is_(None)),
    )
    query = select(DocumentRow.id, DocumentRow.text, has_model_layer).order_by(DocumentRow.id)
    if document_ids is not None:
        ids = sorted(set(document_ids))
        for offset in range(0, len(ids), size):
            with database.read() as session:
                rows = session.execute(query.where(DocumentRow.id.in_(ids[offset : offset + size]))).all()
            yield [_Stored(*row) for row in rows], len(ids)
        return
    with database.read() as session:
        total = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
    last_id = 0
    while True:
        with database.read() as session:
            rows = session.execute(query.where(DocumentRow.id > last_id).limit(size)).all()
        if not rows:
            return
        last_id = rows[-1][0]
        yield [_Stored(*row) for row in rows], total


__all__ = ["AnalysisReport", "EntityLayer", "analyse_documents"]
