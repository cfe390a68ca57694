"""Whole-layer snapshots of one person's annotations on one document, for undo and redo.

A snapshot holds the raw rows (with their ids) of the person's state, own
entities, speakers, mentions, claims and relations on a document, and their
rejections of the document's suggestions. Restoring one replaces
what is there with exactly those rows, ids included, so later undo commands
that name a claim or speaker by id keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Delete, Select, Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from annotator.store.tables import (
    ClaimRow,
    DocumentStateRow,
    EntityRow,
    MentionRow,
    RelationRow,
    SpeakerRow,
    SuggestionRejectionRow,
    SuggestionRow,
)

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
    relations: tuple[Row, ...] = ()
    rejections: tuple[Row, ...] = ()


def _select(table: Table, *conditions: Any) -> Select[Any]:
    return select(*table.columns).where(*conditions).order_by(*table.primary_key.columns)


def _mine(table: Table) -> tuple[Any, Any]:
    return table.c.document_id == bindparam("document_id"), table.c.annotator_id == bindparam("annotator_id")


_STATE, _ENTITY, _SPEAKER, _MENTION, _CLAIM, _RELATION, _REJECTION = range(7)


@cache
def _tables() -> tuple[Table, ...]:
    """The layer's tables, in the order of the indexes above."""
    rows = (DocumentStateRow, EntityRow, SpeakerRow, MentionRow, ClaimRow, RelationRow, SuggestionRejectionRow)
    return tuple(cast(Table, row.__table__) for row in rows)


def _document_suggestions() -> Select[Any]:
    return select(SuggestionRow.id).where(SuggestionRow.document_id == bindparam("document_id"))


# The statements are built once (on first use, not at import: the window's start path imports this module),
# with bound parameters, and run on the session's connection (Core, not ORM): every edit takes two
# snapshots and every undo restores one, and building statements and going through the ORM cost more
# than the queries themselves.
@cache
def _selects() -> tuple[Select[Any], ...]:
    tables = _tables()
    mention = tables[_MENTION]  # a mention has no document or annotator: it is its speaker's
    rejection = tables[_REJECTION]  # a rejection's document is its suggestion's
    selects: list[Select[Any]] = []
    for table in tables:
        if table is mention:
            selects.append(_select(mention, mention.c.speaker_id.in_(bindparam("speaker_ids", expanding=True))))
        elif table is rejection:
            selects.append(
                _select(
                    rejection,
                    rejection.c.annotator_id == bindparam("annotator_id"),
                    rejection.c.suggestion_id.in_(_document_suggestions()),
                )
            )
        else:
            selects.append(_select(table, *_mine(table)))
    return tuple(selects)


@cache
def _deletes() -> tuple[Delete, ...]:
    """The layer's rows, deleted in this order: what refers to a row goes before it."""
    tables = _tables()
    speakers = select(tables[_SPEAKER].c.id).where(*_mine(tables[_SPEAKER]))
    rejection = tables[_REJECTION]
    return (
        delete(rejection).where(
            rejection.c.annotator_id == bindparam("annotator_id"),
            rejection.c.suggestion_id.in_(_document_suggestions()),
        ),
        delete(tables[_RELATION]).where(*_mine(tables[_RELATION])),
        delete(tables[_CLAIM]).where(*_mine(tables[_CLAIM])),
        delete(tables[_MENTION]).where(tables[_MENTION].c.speaker_id.in_(speakers)),
        delete(tables[_SPEAKER]).where(*_mine(tables[_SPEAKER])),
        delete(tables[_ENTITY]).where(*_mine(tables[_ENTITY])),
        delete(tables[_STATE]).where(*_mine(tables[_STATE])),
    )


def _rows(connection: Connection, statement: Select[Any], parameters: dict[str, Any]) -> tuple[Row, ...]:
    return tuple(dict(row._mapping) for row in connection.execute(statement, parameters))


def take_snapshot(session: Session, document_id: int, annotator_id: int) -> Snapshot:
    """Copy the current rows of the layer."""
    session.flush()  # the statements below bypass the ORM's autoflush
    connection = session.connection()
    selects = _selects()
    layer = {"document_id": document_id, "annotator_id": annotator_id}
    states = _rows(connection, selects[_STATE], layer)
    speakers = _rows(connection, selects[_SPEAKER], layer)
    speaker_ids = [row["id"] for row in speakers]
    return Snapshot(
        document_id=document_id,
        annotator_id=annotator_id,
        state=states[0] if states else None,
        entities=_rows(connection, selects[_ENTITY], layer),
        speakers=speakers,
        mentions=_rows(connection, selects[_MENTION], {"speaker_ids": speaker_ids}) if speaker_ids else (),
        claims=_rows(connection, selects[_CLAIM], layer),
        relations=_rows(connection, selects[_RELATION], layer),
        rejections=_rows(connection, selects[_REJECTION], layer),
    )


def _still_suggested(connection: Connection, snapshot: Snapshot) -> tuple[Row, ...]:
    """The snapshot's rejections whose suggestion still exists (a recomputation may have dropped some)."""
    if not snapshot.rejections:
        return ()
    existing = set(connection.execute(_document_suggestions(), {"document_id": snapshot.document_id}).scalars())
    return tuple(row for row in snapshot.rejections if row["suggestion_id"] in existing)


def restore_snapshot(session: Session, snapshot: Snapshot) -> None:
    """Make the layer exactly what ``snapshot`` holds (ids included): each table's rows in one executemany."""
    session.flush()
    connection = session.connection()
    layer = {"document_id": snapshot.document_id, "annotator_id": snapshot.annotator_id}
    for statement in _deletes():
        connection.execute(statement, layer)
    tables = _tables()
    for table, rows in (
        (tables[_STATE], (snapshot.state,) if snapshot.state is not None else ()),
        (tables[_ENTITY], snapshot.entities),
        (tables[_SPEAKER], snapshot.speakers),
        (tables[_MENTION], snapshot.mentions),
        (tables[_CLAIM], snapshot.claims),
        (tables[_RELATION], snapshot.relations),
        (tables[_REJECTION], _still_suggested(connection, snapshot)),
    ):
        if rows:
            connection.execute(insert(table), list(rows))
    session.expire_all()
