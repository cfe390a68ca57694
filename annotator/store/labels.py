"""The label schema stored in each database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.domain.schema import LABEL_KINDS, LabelDef, LabelSchema, default_schema
from annotator.store.tables import LabelRow


def seed_default_schema(session: Session) -> None:
    """Fill an empty label table from the schema shipped in resources/."""
    if session.scalar(select(func.count()).select_from(LabelRow)):
        return
    schema = default_schema()
    for kind in LABEL_KINDS:
        for position, label in enumerate(schema.labels(kind)):
            session.add(
                LabelRow(
                    kind=kind, name=label.name, position=position, color=label.color, description=label.description
                )
            )


def load_schema(session: Session) -> LabelSchema:
    """The database's label schema, in display order."""
    schema = LabelSchema()
    rows = session.scalars(select(LabelRow).order_by(LabelRow.kind, LabelRow.position, LabelRow.id))
    for row in rows:
        if row.kind in LABEL_KINDS:
            schema.labels(row.kind).append(LabelDef(row.name, row.color, row.description))
    return schema


def add_labels(session: Session, kind: str, names: list[str]) -> list[str]:
    """Append ``names`` missing from the schema's ``kind`` labels; returns those added."""
    existing = set(session.scalars(select(LabelRow.name).where(LabelRow.kind == kind)))
    position = session.scalar(select(func.max(LabelRow.position)).where(LabelRow.kind == kind))
    position = -1 if position is None else position
    added = []
    for name in names:
        if name in existing:
            continue
        position += 1
        session.add(LabelRow(kind=kind, name=name, position=position))
        existing.add(name)
        added.append(name)
    session.flush()
    return added


def ensure_labels(session: Session, kind: str, names: set[str]) -> list[str]:
    """Add whichever of ``names`` the schema lacks (for labels a model produces); returns those added."""
    if not names:
        return []
    missing = load_schema(session).missing(kind, names)
    return add_labels(session, kind, missing) if missing else []
