"""Queries and bulk writes that move domain objects in and out of the tables.

Functions take an open :class:`~sqlalchemy.orm.Session` (from
:meth:`Database.read` / :meth:`Database.write`) and never commit: the caller's
block is the transaction. Bulk paths use executemany inserts, not ORM unit of
work, so an import stores thousands of articles per second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Entity,
    EntitySource,
    Relation,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
)
from annotator.store.snapshots import Snapshot
from annotator.store.tables import (
    AnnotatorRow,
    ClaimRow,
    DocumentRow,
    DocumentStateRow,
    EntityRow,
    MentionRow,
    RelationRow,
    SpeakerRow,
    utcnow,
)

_DOCUMENTS = cast(Table, DocumentRow.__table__)
_ENTITIES = cast(Table, EntityRow.__table__)
# The keys of entity_row(); the required ones are NOT NULL.
_ENTITY_COLUMNS = ("document_id", "annotator_id", "start", "end", "label", "source", "model_name", "model_version")
_ENTITY_REQUIRED = frozenset({"document_id", "start", "end", "label", "source"})


def annotator_id(session: Session, name: str, *, create: bool = True) -> int | None:
    """The id of annotator ``name``, created when missing (unless ``create`` is false)."""
    found = session.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == name))
    if found is not None or not create:
        return found
    result = session.execute(insert(AnnotatorRow).values(name=name).returning(AnnotatorRow.id))
    return int(result.scalar_one())


def annotator_names(session: Session) -> list[str]:
    """Every annotator's name, sorted."""
    return list(session.scalars(select(AnnotatorRow.name).order_by(AnnotatorRow.name)))


def documents_matching(
    session: Session, hashes: Iterable[str], external_ids: Iterable[str]
) -> list[tuple[int, str, str]]:
    """Stored ``(id, external_id, text_sha256)`` rows with any of the given hashes or ids."""
    hashes, external_ids = list(set(hashes)), list(set(external_ids))
    rows: dict[int, tuple[int, str, str]] = {}
    for column, values in ((DocumentRow.text_sha256, hashes), (DocumentRow.external_id, external_ids)):
        for chunk in _chunks(values, 500):
            query = select(DocumentRow.id, DocumentRow.external_id, DocumentRow.text_sha256).where(column.in_(chunk))
            for row in session.execute(query):
                rows[row[0]] = (row[0], row[1], row[2])
    return list(rows.values())


def insert_documents(session: Session, documents: Sequence[Document], entities_model: str | None = None) -> list[int]:
    """Insert ``documents`` in one executemany; sets and returns their new ids, in order."""
    if not documents:
        return []
    now = utcnow()
    rows = [
        {
            "external_id": doc.external_id,
            "text": doc.text,
            "text_sha256": doc.sha256,
            "meta": doc.meta,
            "imported_at": now,
            "entities_model": entities_model,
        }
        for doc in documents
    ]
    # One executemany, then the new ids by external id (unique): an INSERT ... RETURNING in
    # parameter order makes SQLAlchemy send SQLite one statement per row, several times slower.
    session.execute(_DOCUMENTS.insert(), rows)
    new_ids: dict[str, int] = {}
    columns = _DOCUMENTS.c
    for chunk in _chunks([doc.external_id for doc in documents], 500):
        query = select(columns.external_id, columns.id).where(columns.external_id.in_(chunk))
        new_ids.update((external_id, new_id) for external_id, new_id in session.execute(query))
    ids = [new_ids[doc.external_id] for doc in documents]
    for doc, new_id in zip(documents, ids, strict=True):
        doc.id = new_id
    return ids


def insert_entities(session: Session, document_id: int, annotator: int | None, entities: Iterable[Entity]) -> None:
    """Bulk-insert entities of one document into the model layer (``annotator`` None) or a person's."""
    insert_entities_many(session, [entity_row(document_id, annotator, entity) for entity in entities])


def insert_entities_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert prepared entity rows (see :func:`entity_row`) of many documents in one executemany.

    The rows go straight to the DB-API cursor's ``executemany`` (the statement
    compiled for the session's dialect): SQLAlchemy's per-row parameter
    processing costs more than the insert itself, and entity columns are
    plain integers and strings that need none. Columns that are NULL in every
    row are left out of the statement (they are NULL by default), which
    SQLite inserts noticeably faster.
    """
    if not rows:
        return
    columns = [c for c in _ENTITY_COLUMNS if c in _ENTITY_REQUIRED or any(row[c] is not None for row in rows)]
    connection = session.connection()
    compiled = _ENTITIES.insert().compile(dialect=connection.dialect, column_keys=columns)
    if compiled.positional:
        values = itemgetter(*compiled.positiontup or ())
        connection.exec_driver_sql(compiled.string, [values(row) for row in rows])
    else:
        connection.exec_driver_sql(compiled.string, [{c: row[c] for c in columns} for row in rows])


def entity_row(document_id: int, annotator: int | None, entity: Entity) -> dict[str, Any]:
    """The column values of one entity row, for bulk inserts."""
    return {
        "document_id": document_id,
        "annotator_id": annotator,
        "start": entity.start,
        "end": entity.end,
        "label": entity.label,
        "source": entity.source._value_,  # what .value returns, without the property call (a hot loop)
        "model_name": entity.model_name,
        "model_version": entity.model_version,
    }


def replace_model_entities(session: Session, document_id: int, entities: Iterable[Entity], model: str | None) -> None:
    """Replace the model layer of one document (people's own entity layers stay as they are)."""
    session.execute(delete(EntityRow).where(EntityRow.document_id == document_id, EntityRow.annotator_id.is_(None)))
    insert_entities(session, document_id, None, entities)
    session.execute(update(DocumentRow).where(DocumentRow.id == document_id).values(entities_model=model))


def set_entities_model(session: Session, document_ids: list[int], model: str | None) -> None:
    """Record which model made the model layer of these documents."""
    for chunk in _chunks(document_ids, 500):
        session.execute(update(DocumentRow).where(DocumentRow.id.in_(chunk)).values(entities_model=model))


def annotated_by(session: Session, document_id: int) -> set[str | None]:
    """Names of annotators with a state on the document, plus ``None`` if it has model-layer entities only."""
    query = (
        select(AnnotatorRow.name)
        .join(DocumentStateRow, DocumentStateRow.annotator_id == AnnotatorRow.id)
        .where(DocumentStateRow.document_id == document_id)
    )
    return set(session.scalars(query))


def has_model_entities(session: Session, document_id: int) -> bool:
    """True when the document has any model-layer entity."""
    query = select(EntityRow.id).where(EntityRow.document_id == document_id, EntityRow.annotator_id.is_(None)).limit(1)
    return session.scalar(query) is not None


def insert_annotation_set(session: Session, document_id: int, aset: AnnotationSet) -> None:
    """Store a person's annotation set on a document (they must have none there yet).

    A set with ``annotator`` None holds only model-layer entities.
    """
    if aset.annotator is None:
        insert_entities(session, document_id, None, aset.entities)
        return
    insert_annotation_sets(session, [(document_id, aset)])


def insert_annotation_sets(session: Session, items: Sequence[tuple[int, AnnotationSet]]) -> None:
    """Store many people's annotation sets (each person has none on its document yet), table by table.

    Each table gets one executemany for the whole batch (speakers with
    ``RETURNING`` their ids, in parameter order), not a statement per row: an
    import of annotated files spends its time here. Speakers get their new
    ``id``. Sets with ``annotator`` None are not allowed here.
    """
    if not items:
        return
    connection = session.connection()
    people: dict[str, int] = {}
    for _, aset in items:
        assert aset.annotator is not None, "a model layer goes through insert_entities"
        if aset.annotator not in people:
            person = annotator_id(session, aset.annotator)
            assert person is not None
            people[aset.annotator] = person
    now = utcnow()
    states: list[dict[str, Any]] = []
    entity_rows: list[dict[str, Any]] = []
    speaker_rows: list[dict[str, Any]] = []
    owners: list[Speaker] = []
    for document_id, aset in items:
        person = people[aset.annotator or ""]
        states.append(
            {
                "document_id": document_id,
                "annotator_id": person,
                "status": aset.status.value,
                "note": aset.note,
                "entities_forked": True,
                "updated_at": aset.updated_at or now,
            }
        )
        entity_rows.extend(entity_row(document_id, person, entity) for entity in aset.entities)
        for speaker in aset.speakers:
            speaker_rows.append(
                {
                    "document_id": document_id,
                    "annotator_id": person,
                    "name": speaker.name,
                    "kind": speaker.kind.value,
                    "entity_label": speaker.entity_label,
                }
            )
            owners.append(speaker)
    connection.execute(_table(DocumentStateRow).insert(), states)
    insert_entities_many(session, entity_rows)
    speaker_ids: dict[int, int] = {}
    if speaker_rows:
        speakers = _table(SpeakerRow)
        returning = speakers.insert().returning(speakers.c.id, sort_by_parameter_order=True)
        for speaker, (new_id,) in zip(owners, connection.execute(returning, speaker_rows), strict=True):
            speaker.id = new_id
            speaker_ids[id(speaker)] = new_id
    mention_rows = [
        {"speaker_id": speaker_ids[id(speaker)], "start": m.start, "end": m.end}
        for speaker in owners
        for m in sorted(set(speaker.mentions))
    ]
    claim_rows: list[dict[str, Any]] = []
    relation_rows: list[dict[str, Any]] = []
    for document_id, aset in items:
        person = people[aset.annotator or ""]
        claim_rows.extend(_claim_row(document_id, person, claim, speaker_ids) for claim in aset.claims)
        relation_rows.extend(relation_row(document_id, person, relation) for relation in aset.relations)
    for row_class, rows in ((MentionRow, mention_rows), (ClaimRow, claim_rows), (RelationRow, relation_rows)):
        if rows:
            connection.execute(_table(row_class).insert(), rows)


def _table(row_class: type[Any]) -> Table:
    return cast(Table, row_class.__table__)


def relation_row(document_id: int, person: int, relation: Relation) -> dict[str, Any]:
    """The column values of a relation row."""
    return {
        "document_id": document_id,
        "annotator_id": person,
        "head_start": relation.head.start,
        "head_end": relation.head.end,
        "child_start": relation.child.start,
        "child_end": relation.child.end,
        "label": relation.label,
    }


def relation_from_fields(head_start: int, head_end: int, child_start: int, child_end: int, label: str) -> Relation:
    """The domain :class:`Relation` of a row's columns."""
    return Relation(Span(head_start, head_end), Span(child_start, child_end), label)


def _claim_row(document_id: int, person: int, claim: Claim, speaker_ids: dict[int, int]) -> dict[str, Any]:
    now = utcnow()
    return {
        "document_id": document_id,
        "annotator_id": person,
        "start": claim.start,
        "end": claim.end,
        "parts": [[p.start, p.end] for p in claim.parts] if claim.parts else None,
        "speaker_id": speaker_ids[id(claim.speaker)] if claim.speaker is not None else None,
        "mention_start": claim.mention.start if claim.mention else None,
        "mention_end": claim.mention.end if claim.mention else None,
        "cue_start": claim.cue.start if claim.cue else None,
        "cue_end": claim.cue.end if claim.cue else None,
        "stance_label": claim.stance.label if claim.stance else None,
        "stance_target": claim.stance.target if claim.stance else None,
        "note": claim.note,
        "created_at": claim.created_at or now,
        "updated_at": claim.updated_at or now,
    }


# ---------------------------------------------------------------- reading


def document_from_row(row: DocumentRow) -> Document:
    """The domain :class:`Document` of a row."""
    return Document(external_id=row.external_id, text=row.text, meta=dict(row.meta or {}), id=row.id)


def load_document(session: Session, document_id: int) -> Document | None:
    """The document with database id ``document_id``, or ``None``."""
    row = session.get(DocumentRow, document_id)
    return document_from_row(row) if row else None


def find_document(session: Session, external_id: str) -> Document | None:
    """The document with external id ``external_id``, or ``None``."""
    row = session.scalar(select(DocumentRow).where(DocumentRow.external_id == external_id))
    return document_from_row(row) if row else None


def load_annotation_sets(
    session: Session, document_ids: Sequence[int], annotator_filter: str | None = None, *, fallback: bool = False
) -> dict[int, list[AnnotationSet]]:
    """The annotation sets of many documents at once, keyed by document id.

    Each document gets one set per annotator with a state on it; a document
    nobody has a state on gets one set with ``annotator`` None holding the
    model's entities (unless ``annotator_filter`` asks for one person; with
    ``fallback``, a document that person has no state on then gets one set
    in their name holding the model's entities, as :func:`load_annotation_set`).
    """
    if not document_ids:
        return {}
    ids = list(document_ids)
    states: dict[int, list[tuple[int, str, DocumentStateRow]]] = defaultdict(list)
    query = (
        select(DocumentStateRow, AnnotatorRow.name)
        .join(AnnotatorRow, AnnotatorRow.id == DocumentStateRow.annotator_id)
        .where(DocumentStateRow.document_id.in_(ids))
        .order_by(DocumentStateRow.document_id, AnnotatorRow.name)
    )
    if annotator_filter is not None:
        query = query.where(AnnotatorRow.name == annotator_filter)
    for state, name in session.execute(query):
        states[state.document_id].append((state.annotator_id, name, state))

    entities: dict[tuple[int, int | None], list[Entity]] = defaultdict(list)
    # A Core select of the table's columns (the states query above has autoflushed):
    # entity rows are the bulk of an export, and ORM row processing costs several times the query.
    columns = _ENTITIES.c
    entity_query = (
        select(columns.document_id, columns.annotator_id, *(columns[f.key] for f in _ENTITY_FIELDS))
        .where(columns.document_id.in_(ids))
        .order_by(columns.start, columns.end, columns.id)
    )
    sources = _ENTITY_SOURCES
    for document_id, person, entity_id, start, end, label, source, model_name, model_version in session.execute(
        entity_query
    ).all():  # fetchall, not row by row; _entity_from_fields inlined
        kind = sources.get(source) or EntitySource(source)
        entities[(document_id, person)].append(Entity(start, end, label, kind, model_name, model_version, entity_id))

    speakers: dict[tuple[int, int], list[Speaker]] = defaultdict(list)
    speakers_by_id: dict[int, Speaker] = {}
    speaker_query = select(SpeakerRow).where(SpeakerRow.document_id.in_(ids)).order_by(SpeakerRow.id)
    speaker_rows = list(session.scalars(speaker_query))
    mentions: dict[int, list[Span]] = defaultdict(list)
    if speaker_rows:
        mention_query = (
            select(MentionRow.speaker_id, MentionRow.start, MentionRow.end)
            .join(SpeakerRow, SpeakerRow.id == MentionRow.speaker_id)
            .where(SpeakerRow.document_id.in_(ids))
            .order_by(MentionRow.start, MentionRow.end)
        )
        for speaker_id, start, end in session.execute(mention_query):
            mentions[speaker_id].append(Span(start, end))
    for row in speaker_rows:
        speaker = Speaker(
            name=row.name,
            kind=SpeakerKind(row.kind),
            entity_label=row.entity_label,
            mentions=mentions.get(row.id, []),
            id=row.id,
        )
        speakers[(row.document_id, row.annotator_id)].append(speaker)
        speakers_by_id[row.id] = speaker

    claims: dict[tuple[int, int], list[Claim]] = defaultdict(list)
    claim_query = (
        select(ClaimRow).where(ClaimRow.document_id.in_(ids)).order_by(ClaimRow.start, ClaimRow.end, ClaimRow.id)
    )
    for claim_row in session.scalars(claim_query):
        claims[(claim_row.document_id, claim_row.annotator_id)].append(claim_from_row(claim_row, speakers_by_id))

    relations: dict[tuple[int, int], list[Relation]] = defaultdict(list)
    relation_query = (
        select(RelationRow.document_id, RelationRow.annotator_id, *_RELATION_FIELDS)
        .where(RelationRow.document_id.in_(ids))
        .order_by(RelationRow.id)
    )
    for document_id, person, *fields in session.execute(relation_query):
        relations[(document_id, person)].append(relation_from_fields(*fields))

    result: dict[int, list[AnnotationSet]] = {}
    for document_id in ids:
        sets = []
        for person, name, state in states.get(document_id, []):
            layer = (document_id, person) if state.entities_forked else (document_id, None)
            sets.append(
                AnnotationSet(
                    annotator=name,
                    status=Status(state.status),
                    entities=list(entities.get(layer, [])),
                    speakers=speakers.get((document_id, person), []),
                    claims=claims.get((document_id, person), []),
                    relations=relations.get((document_id, person), []),
                    note=state.note,
                    updated_at=_aware(state.updated_at),
                )
            )
        if not sets and (annotator_filter is None or fallback):
            model_layer = list(entities.get((document_id, None), []))
            sets.append(AnnotationSet(annotator=annotator_filter, entities=model_layer))
        result[document_id] = sets
    return result


def load_annotation_set(session: Session, document_id: int, annotator: str) -> AnnotationSet:
    """One person's annotations on one document (the model's entities when they have none yet)."""
    # With fallback, the model's entities read for the set are used (not read a second time).
    return load_annotation_sets(session, [document_id], annotator, fallback=True)[document_id][0]


def annotation_set_from_snapshot(session: Session, snapshot: Snapshot, annotator: str) -> AnnotationSet:
    """The annotations a layer's snapshot holds, as :func:`load_annotation_set` would read them.

    An edit takes a snapshot of the layer after it anyway; building what the
    window shows from its rows saves reading the layer a second time (only
    the model's entities are read, when the layer has no entities of its own).
    """
    state = snapshot.state
    if state is not None and state["entities_forked"]:
        entities = sorted(
            (
                _entity_from_fields(
                    r["id"], r["start"], r["end"], r["label"], r["source"], r["model_name"], r["model_version"]
                )
                for r in snapshot.entities
            ),
            key=lambda entity: (entity.start, entity.end, entity.id or 0),
        )
    else:
        entities = model_entities(session, snapshot.document_id)
    mentions: dict[int, list[Span]] = defaultdict(list)
    for row in sorted(snapshot.mentions, key=lambda r: (r["start"], r["end"])):
        mentions[row["speaker_id"]].append(Span(row["start"], row["end"]))
    speakers = [
        Speaker(
            name=row["name"],
            kind=SpeakerKind(row["kind"]),
            entity_label=row["entity_label"],
            mentions=mentions.get(row["id"], []),
            id=row["id"],
        )
        for row in sorted(snapshot.speakers, key=lambda r: r["id"])
    ]
    speakers_by_id = {speaker.id: speaker for speaker in speakers if speaker.id is not None}
    claims = [
        claim_from_row(SimpleNamespace(**row), speakers_by_id)
        for row in sorted(snapshot.claims, key=lambda r: (r["start"], r["end"], r["id"]))
    ]
    return AnnotationSet(
        annotator=annotator,
        status=Status(state["status"]) if state is not None else Status.NEW,
        entities=entities,
        speakers=speakers,
        claims=claims,
        relations=[
            relation_from_fields(*(row[f.key] for f in _RELATION_FIELDS))
            for row in sorted(snapshot.relations, key=lambda r: r["id"])
        ],
        note=state["note"] if state is not None else None,
        updated_at=_aware(state["updated_at"]) if state is not None else None,
    )


def model_entities(session: Session, document_id: int) -> list[Entity]:
    """The model layer of one document, in text order."""
    query = (
        select(*_ENTITY_FIELDS)
        .where(EntityRow.document_id == document_id, EntityRow.annotator_id.is_(None))
        .order_by(EntityRow.start, EntityRow.end, EntityRow.id)
    )
    return [_entity_from_fields(*fields) for fields in session.execute(query)]


# Entities are read as plain column tuples, not ORM objects: a document can
# have thousands, and building ORM instances costs several times the query.
_ENTITY_FIELDS = (
    EntityRow.id,
    EntityRow.start,
    EntityRow.end,
    EntityRow.label,
    EntityRow.source,
    EntityRow.model_name,
    EntityRow.model_version,
)
_ENTITY_SOURCES = {source.value: source for source in EntitySource}
_RELATION_FIELDS = (
    RelationRow.head_start,
    RelationRow.head_end,
    RelationRow.child_start,
    RelationRow.child_end,
    RelationRow.label,
)


def _entity_from_fields(
    entity_id: int, start: int, end: int, label: str, source: str, model_name: str | None, model_version: str | None
) -> Entity:
    """The domain :class:`Entity` of the columns :data:`_ENTITY_FIELDS` select."""
    kind = _ENTITY_SOURCES.get(source) or EntitySource(source)  # an unknown value raises as before
    return Entity(start, end, label, kind, model_name, model_version, entity_id)


def claim_from_row(row: ClaimRow | SimpleNamespace, speakers_by_id: dict[int, Speaker]) -> Claim:
    """The domain :class:`Claim` of a row (or of its columns as attributes), its speaker from ``speakers_by_id``."""
    return Claim(
        start=row.start,
        end=row.end,
        parts=[Span(s, e) for s, e in row.parts] if row.parts else None,
        speaker=speakers_by_id.get(row.speaker_id) if row.speaker_id is not None else None,
        mention=Span(row.mention_start, row.mention_end)
        if row.mention_start is not None and row.mention_end is not None
        else None,
        cue=Span(row.cue_start, row.cue_end) if row.cue_start is not None and row.cue_end is not None else None,
        stance=Stance(row.stance_label, row.stance_target)
        if row.stance_label is not None or row.stance_target
        else None,
        note=row.note,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
        id=row.id,
    )


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _chunks(values: list[Any], size: int) -> Iterable[list[Any]]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


__all__ = [
    "annotated_by",
    "annotation_set_from_snapshot",
    "annotator_id",
    "annotator_names",
    "claim_from_row",
    "document_from_row",
    "documents_matching",
    "entity_row",
    "find_document",
    "has_model_entities",
    "insert_annotation_set",
    "insert_documents",
    "insert_entities",
    "insert_entities_many",
    "load_annotation_set",
    "load_annotation_sets",
    "load_document",
    "model_entities",
    "replace_model_entities",
    "set_entities_model",
]
