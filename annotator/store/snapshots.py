"""Whole-layer snapshots of one person's annotations on one document, for undo and redo.

A snapshot holds the raw rows (with their ids) of the person's state, own
entities, speakers, mentions and claims on a document. Restoring one replaces
what is there with exactly those rows, ids included, so later undo commands
that name a claim or speaker by id keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from annotator.store.tables import ClaimRow, DocumentStateRow, EntityRow, MentionRow, SpeakerRow

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The rows of one (document, annotator) annotation layer at one moment."""

    document_id: int
    annotator_id: int
    state: Row | None
    entities: tuple[Row, ...]
    speakers: tuple[Row, ...]
    mentions: tuple[Row, ...]
    claims: tuple[Row, ...]


def _rows(session: Session, table: type[Any], *conditions: Any) -> tuple[Row, ...]:
    columns = table.__table__.columns
    result = session.execute(select(*columns).where(*conditions).order_by(*table.__table__.primary_key.columns))
    return tuple(dict(row._mapping) for row in result)


def take_snapshot(session: Session, document_id: int, annotator_id: int) -> Snapshot:
    """Copy the current rows of the layer."""
    states = _rows(
        session,
        DocumentStateRow,
        DocumentStateRow.document_id == document_id,
        DocumentStateRow.annotator_id == annotator_id,
    )
    speakers = _rows(
        session, SpeakerRow, SpeakerRow.document_id == document_id, SpeakerRow.annotator_id == annotator_id
    )
    speaker_ids = [row["id"] for row in speakers]
    return Snapshot(
        document_id=document_id,
        annotator_id=annotator_id,
        state=states[0] if states else None,
        entities=_rows(
            session, EntityRow, EntityRow.document_id == document_id, EntityRow.annotator_id == annotator_id
        ),
        speakers=speakers,
        mentions=_rows(session, MentionRow, MentionRow.speaker_id.in_(speaker_ids)) if speaker_ids else (),
        claims=_rows(session, ClaimRow, ClaimRow.document_id == document_id, ClaimRow.annotator_id == annotator_id),
    )


def restore_snapshot(session: Session, snapshot: Snapshot) -> None:
    """Make the layer exactly what ``snapshot`` holds (ids included)."""
    document_id, annotator_id = snapshot.document_id, snapshot.annotator_id
    mine = (ClaimRow.document_id == document_id, ClaimRow.annotator_id == annotator_id)
    session.execute(delete(ClaimRow).where(*mine))
    speaker_ids = select(SpeakerRow.id).where(
        SpeakerRow.document_id == document_id, SpeakerRow.annotator_id == annotator_id
    )
    session.execute(delete(MentionRow).where(MentionRow.speaker_id.in_(speaker_ids)))
    session.execute(
        delete(SpeakerRow).where(SpeakerRow.document_id == document_id, SpeakerRow.annotator_id == annotator_id)
    )
    session.execute(
        delete(EntityRow).where(EntityRow.document_id == document_id, EntityRow.annotator_id == annotator_id)
    )
    session.execute(
        delete(DocumentStateRow).where(
            DocumentStateRow.document_id == document_id, DocumentStateRow.annotator_id == annotator_id
        )
    )
    if snapshot.state is not None:
        session.execute(insert(DocumentStateRow), [snapshot.state])
    for table, rows in (
        (EntityRow, snapshot.entities),
        (SpeakerRow, snapshot.speakers),
        (MentionRow, snapshot.mentions),
        (ClaimRow, snapshot.claims),
    ):
        if rows:
            session.execute(insert(table), list(rows))
    session.expire_all()
