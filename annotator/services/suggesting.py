"""Claim suggestions: computed from the parse, stored per document and model, reviewed by annotators.

A suggestion is never an annotation: it is shown to each annotator until
they accept it (it becomes one of their claims, with speaker, mention and
cue), reject it (a rejection row, part of their layer, so undo brings it
back), or make a claim over the same text themselves. Recomputing keeps the
row (and so its rejections) of every suggestion whose content parts are
proposed again, and drops the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Span, SpeakerKind, Suggestion
from annotator.store.database import Database
from annotator.store.tables import SuggestionRejectionRow, SuggestionRow

Pipeline = Any
"""A spaCy ``Language`` (spaCy's types stay in the nlp layer)."""

if TYPE_CHECKING:
    from annotator.services.analysing import AnalysisReport

SUGGESTER_VERSION = "suggest/2"
"""Bumped when the suggester's method changes, so stored suggestions say what made them."""


def suggester_identity(nlp: Pipeline) -> str:
    """``model version + suggester version``, stored with each suggestion."""
    from annotator.nlp.pipeline import model_identity

    name, version = model_identity(nlp)
    return f"{name} {version} {SUGGESTER_VERSION}"


def compute_suggestions(
    database: Database,
    model: str | None = None,
    *,
    document_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> AnalysisReport:
    """(Re)compute the suggestions of every document (or of ``document_ids``); entities stay as they are.

    :class:`UserError` when no model is installed or the model cannot parse.
    """
    from annotator.services.analysing import EntityLayer, analyse_documents
    from annotator.services.preannotating import load_annotator

    annotator = load_annotator(model, suggest=True)
    if annotator is None:
        raise UserError("no spaCy model is installed; suggestions need one (install en_core_web_sm or pass --model)")
    if annotator.suggester is None:
        raise UserError(annotator.without_suggestions or f"{annotator.model} cannot suggest claims")
    return analyse_documents(
        database, annotator, document_ids, entities=EntityLayer.NONE, progress=progress, cancelled=cancelled
    )


def store_suggestions(session: Session, document_id: int, suggestions: Iterable[Suggestion], model: str) -> None:
    """Make ``suggestions`` the document's stored ones.

    A new suggestion over the same content parts as a stored one updates that
    row in place, so annotators' rejections of it (and undo snapshots that
    name it) survive a recomputation; stored suggestions not proposed again
    are deleted with their rejections.
    """
    stored: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for row_id, parts in session.execute(
        select(SuggestionRow.id, SuggestionRow.parts)
        .where(SuggestionRow.document_id == document_id)
        .order_by(SuggestionRow.id)
    ):
        stored.setdefault(_parts_key(parts), []).append(row_id)
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for suggestion in suggestions:
        row = _suggestion_values(document_id, suggestion, model)
        same_content = stored.get(_parts_key(row["parts"]))
        if same_content:
            updates.append({"id": same_content.pop(0), **row})
        else:
            inserts.append(row)
    gone = [row_id for ids in stored.values() for row_id in ids]
    if gone:
        session.execute(delete(SuggestionRow).where(SuggestionRow.id.in_(gone)))
    if updates:
        session.execute(update(SuggestionRow), updates)
    if inserts:
        session.execute(insert(SuggestionRow), inserts)


def _parts_key(parts: Iterable[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(start), int(end)) for start, end in parts)


def _suggestion_values(document_id: int, suggestion: Suggestion, model: str) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "model": model,
        "parts": [[part.start, part.end] for part in suggestion.parts],
        "cue_start": suggestion.cue.start if suggestion.cue else None,
        "cue_end": suggestion.cue.end if suggestion.cue else None,
        "mention_start": suggestion.mention.start if suggestion.mention else None,
        "mention_end": suggestion.mention.end if suggestion.mention else None,
        "speaker_name": suggestion.speaker_name,
        "speaker_kind": suggestion.speaker_kind.value,
        "score": float(suggestion.score),
    }


def suggestion_from_row(row: SuggestionRow) -> Suggestion:
    """The domain :class:`Suggestion` of a row."""
    return Suggestion(
        parts=[Span(start, end) for start, end in row.parts],
        cue=Span(row.cue_start, row.cue_end) if row.cue_start is not None and row.cue_end is not None else None,
        mention=Span(row.mention_start, row.mention_end)
        if row.mention_start is not None and row.mention_end is not None
        else None,
        speaker_name=row.speaker_name,
        speaker_kind=SpeakerKind(row.speaker_kind),
        score=row.score,
        id=row.id,
    )


def pending_suggestions(
    session: Session, document_id: int, annotator_id: int | None, annotations: AnnotationSet
) -> list[Suggestion]:
    """The document's suggestions an annotator has not rejected, nor covered with a claim, in text order."""
    rows = session.scalars(
        select(SuggestionRow).where(SuggestionRow.document_id == document_id).order_by(SuggestionRow.id)
    ).all()
    rejected: set[int] = set()
    if annotator_id is not None and rows:
        rejected = set(
            session.scalars(
                select(SuggestionRejectionRow.suggestion_id).where(
                    SuggestionRejectionRow.annotator_id == annotator_id,
                    SuggestionRejectionRow.suggestion_id.in_([row.id for row in rows]),
                )
            )
        )
    claimed = [piece for claim in annotations.claims for piece in claim.pieces]
    pending = [
        suggestion
        for suggestion in map(suggestion_from_row, rows)
        if suggestion.id not in rejected and not any(p.overlaps(c) for p in suggestion.parts for c in claimed)
    ]
    return sorted(pending, key=lambda s: (s.span.start, s.span.end))


def accept_all_suggestions(database: Database, annotator: str) -> int:
    """Store every pending suggestion of every document as ``annotator``'s claims; returns how many.

    One transaction per document, through the same edit the window's Shift+A makes.
    """
    from annotator.services.editing import Editor

    editor = Editor(database, annotator)
    with database.read() as session:
        document_ids = list(
            session.scalars(select(SuggestionRow.document_id).distinct().order_by(SuggestionRow.document_id))
        )
    accepted = 0
    for document_id in document_ids:
        pending = editor.suggestions(document_id, editor.annotations(document_id))
        ids = [s.id for s in pending if s.id is not None]
        if ids:
            editor.accept_suggestions(document_id, ids)
            accepted += len(ids)
    return accepted


def has_suggestions(database: Database) -> bool:
    """True when any document has stored suggestions."""
    with database.read() as session:
        return session.scalar(select(SuggestionRow.id).limit(1)) is not None


__all__ = [
    "SUGGESTER_VERSION",
    "accept_all_suggestions",
    "compute_suggestions",
    "has_suggestions",
    "pending_suggestions",
    "store_suggestions",
    "suggester_identity",
    "suggestion_from_row",
]
