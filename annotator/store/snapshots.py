"""Whole-layer snapshots of one person's annotations on one document, for undo and redo.

A snapshot holds the raw rows (with their ids) of the person's state, own
entities, speakers, mentions and claims on a document. Restoring one replaces
what is there with exactly those rows, ids included, so later undo commands
that name a claim or speaker by id keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Delete, Select, Table, bindparam, delete, insert, select
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


def _select(table: Table, *conditions: Any) -> Select[Any]:
    return select(*table.columns).where(*conditions).order_by(*table.primary_key.columns)


def _mine(table: Table) -> tuple[Any, Any]:
    return table.c.document_id == bindparam("document_id"), table.c.annotator_id == bindparam("annotator_id")


_STATE, _ENTITY, _SPEAKER, _MENTION, _CLAIM = range(5)


@cache
def _tables() -> tuple[Table, ...]:
    """The layer's tables, in the order of the indexes above."""
    return tuple(cast(Table, row.__table__) for row in (DocumentStateRow, EntityRow, SpeakerRow, MentionRow, ClaimRow))


# The statements are built once (on first use, not at import: the window's start path imports this module),
# with bound parameters, and run on the session's connection (Core, not ORM): every edit takes two
# snapshots and every undo restores one, and building statements and going through the ORM cost more
# than the queries themselves.
@cache
def _selects() -> tuple[Select[Any], ...]:
    mention = _tables()[_MENTION]  # a mention has no document or annotator: it is its speaker's
    return tuple(
        _select(mention, mention.c.speaker_id.in_(bindparam("speaker_ids", expanding=True)))
        if table is mention
        else _select(table, *_mine(table))
        for table in _tables()
    )


@cache
def _deletes() -> tuple[Delete, ...]:
    """The layer's rows, deleted in this order: what refers to a row goes before it."""
    tables = _tables()
    speakers = select(tables[_SPEAKER].c.id).where(*_mine(tables[_SPEAKER]))
    return (
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
    )


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
    ):
        if rows:
            connection.execute(insert(table), list(rows))
    session.expire_all()
