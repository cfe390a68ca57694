"""The typed ORM mapping of the database.

Entities with ``annotator_id`` NULL are the model's suggestions, shared by
everyone; once an annotator edits the entities of a document, their own copy
(rows with their ``annotator_id``) is their entity layer for it
(``DocumentState.entities_forked``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable migration names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentRow(Base):
    """An article; its text never changes after import."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(512), unique=True)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    entities_model: Mapped[str | None] = mapped_column(String(200), default=None)


class AnnotatorRow(Base):
    """A person who annotates, by name."""

    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class DocumentStateRow(Base):
    """One annotator's status and note on one document."""

    __tablename__ = "document_states"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    note: Mapped[str | None] = mapped_column(Text, default=None)
    entities_forked: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_document_states_annotator_status", "annotator_id", "status"),)


class EntityRow(Base):
    """A named-entity span (model suggestion when ``annotator_id`` is NULL)."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    start: Mapped[int]
    end: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default="model")
    model_name: Mapped[str | None] = mapped_column(String(200), default=None)
    model_version: Mapped[str | None] = mapped_column(String(50), default=None)

    __table_args__ = (Index("ix_entities_document_annotator", "document_id", "annotator_id"),)


class SpeakerRow(Base):
    """A speaker in one document, for one annotator."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="person")
    entity_label: Mapped[str | None] = mapped_column(String(100), default=None)

    mentions: Mapped[list[MentionRow]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", order_by="MentionRow.start"
    )

    __table_args__ = (Index("ix_speakers_document_annotator", "document_id", "annotator_id"),)


class MentionRow(Base):
    """A span that names a speaker (a name, a pronoun, a description)."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    start: Mapped[int]
    end: Mapped[int]

    speaker: Mapped[SpeakerRow] = relationship(back_populates="mentions")

    __table_args__ = (UniqueConstraint("speaker_id", "start", "end"),)


class ClaimRow(Base):
    """A claim: its span (and parts), speaker and mention, cue, stance and note."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    start: Mapped[int]
    end: Mapped[int]
    parts: Mapped[list[list[int]] | None] = mapped_column(JSON, default=None)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"), index=True)
    mention_start: Mapped[int | None] = mapped_column(default=None)
    mention_end: Mapped[int | None] = mapped_column(default=None)
    cue_start: Mapped[int | None] = mapped_column(default=None)
    cue_end: Mapped[int | None] = mapped_column(default=None)
    stance_label: Mapped[str | None] = mapped_column(String(100), default=None)
    stance_target: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_claims_document_annotator", "document_id", "annotator_id"),)


class RelationRow(Base):
    """A labelled link between two spans that is not a claim (other tools' relations, kept for round trips)."""

    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    head_start: Mapped[int]
    head_end: Mapped[int]
    child_start: Mapped[int]
    child_end: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))

    __table_args__ = (Index("ix_relations_document_annotator", "document_id", "annotator_id"),)


class SuggestionRow(Base):
    """A proposed attribution computed by ``model``; shared by everyone, never an annotation by itself."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(200))
    parts: Mapped[list[list[int]]] = mapped_column(JSON)
    cue_start: Mapped[int | None] = mapped_column(default=None)
    cue_end: Mapped[int | None] = mapped_column(default=None)
    mention_start: Mapped[int | None] = mapped_column(default=None)
    mention_end: Mapped[int | None] = mapped_column(default=None)
    speaker_name: Mapped[str | None] = mapped_column(String(500), default=None)
    speaker_kind: Mapped[str] = mapped_column(String(20), default="person")
    score: Mapped[float] = mapped_column(Float, default=0.0)


class SuggestionRejectionRow(Base):
    """An annotator's rejection of a suggestion (an accepted one becomes a claim instead)."""

    __tablename__ = "suggestion_rejections"

    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True)


class LabelRow(Base):
    """A label of the database's schema (entity or stance), in display order."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    color: Mapped[str] = mapped_column(String(20), default="#dddddd")
    description: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("kind", "name"),)
