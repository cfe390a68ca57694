"""Counts for ``annotator stats``: documents by status, annotations per annotator."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from annotator.domain.model import Status
from annotator.store.database import Database
from annotator.store.tables import (
    AnnotatorRow,
    ClaimRow,
    DocumentRow,
    DocumentStateRow,
    EntityRow,
    SpeakerRow,
)


@dataclass(slots=True)
class AnnotatorStats:
    """One annotator's counts."""

    name: str
    statuses: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    speakers: int = 0
    claims: int = 0


@dataclass(slots=True)
class Stats:
    """The whole database's counts."""

    documents: int = 0
    untouched: int = 0
    model_entities: int = 0
    annotators: list[AnnotatorStats] = field(default_factory=list)


def collect_stats(database: Database) -> Stats:
    """Count documents by status and annotations per annotator, with grouped queries."""
    stats = Stats()
    with database.read() as session:
        stats.documents = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
        touched = session.scalar(select(func.count(func.distinct(DocumentStateRow.document_id)))) or 0
        stats.untouched = stats.documents - touched
        stats.model_entities = (
            session.scalar(select(func.count()).select_from(EntityRow).where(EntityRow.annotator_id.is_(None))) or 0
        )
        people = {row.id: AnnotatorStats(row.name) for row in session.scalars(select(AnnotatorRow))}
        grouped = select(DocumentStateRow.annotator_id, DocumentStateRow.status, func.count()).group_by(
            DocumentStateRow.annotator_id, DocumentStateRow.status
        )
        for person, status, count in session.execute(grouped):
            people[person].statuses[status] = count
        inherited = (
            select(DocumentStateRow.annotator_id, func.count(EntityRow.id))
            .join(EntityRow, EntityRow.document_id == DocumentStateRow.document_id)
            .where(EntityRow.annotator_id.is_(None), DocumentStateRow.entities_forked.is_(False))
            .group_by(DocumentStateRow.annotator_id)
        )
        for person, count in session.execute(inherited):
            people[person].entities += count
        for table, attribute in ((EntityRow, "entities"), (SpeakerRow, "speakers"), (ClaimRow, "claims")):
            query = (
                select(table.annotator_id, func.count())
                .where(table.annotator_id.is_not(None))
                .group_by(table.annotator_id)
            )
            for person, count in session.execute(query):
                setattr(people[person], attribute, getattr(people[person], attribute) + count)
    stats.annotators = sorted(people.values(), key=lambda item: item.name)
    return stats


STATUS_ORDER = [status.value for status in Status]
