"""Edits one annotator makes on one document, each its own committed transaction.

Every edit returns an :class:`EditResult`: the layer's rows before and after
(for undo and redo, see :mod:`annotator.store.snapshots`) and the fresh
annotations to show. The first edit of a new document moves it to
``in_progress``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Document, EntitySource, Span, SpeakerKind, Status, Suggestion
from annotator.domain.schema import LabelSchema
from annotator.domain.spans import claim_extent
from annotator.services.speaker_matching import NewSpeaker, SpeakerGuess, match_speaker
from annotator.store import labels, repository
from annotator.store.database import Database
from annotator.store.snapshots import Snapshot, restore_snapshot, take_snapshot
from annotator.store.tables import (
    ClaimRow,
    DocumentRow,
    DocumentStateRow,
    EntityRow,
    MentionRow,
    SpeakerRow,
    SuggestionRejectionRow,
    SuggestionRow,
    utcnow,
)

__all__ = ["EditResult", "Editor", "NewSpeaker", "Snapshot", "SpeakerGuess"]


@dataclass(frozen=True, slots=True)
class EditResult:
    """What an edit changed: the layer before and after, the annotations now, the claim to focus."""

    document_id: int
    before: Snapshot
    after: Snapshot
    annotations: AnnotationSet
    claim_id: int | None = None


class Editor:
    """The edits of one annotator, over one database.

    ``wait_ms`` bounds how long an edit waits for another program's write
    lock (``None``: the database's default); past it the edit raises
    :class:`~annotator.store.database.StorageError` with nothing changed.
    """

    def __init__(self, database: Database, annotator: str, wait_ms: int | None = None) -> None:
        self.database = database
        self.annotator = annotator
        self.wait_ms = wait_ms
        with database.write() as session:
            person = repository.annotator_id(session, annotator)
        assert person is not None
        self.annotator_id = person

    # -------------------------------------------------------------- reading

    def load(self, document_id: int) -> tuple[Document, AnnotationSet]:
        """The document and this annotator's annotations on it."""
        with self.database.read() as session:
            document = repository.load_document(session, document_id)
            if document is None:
                raise UserError(f"document {document_id} no longer exists")
            return document, repository.load_annotation_set(session, document_id, self.annotator)

    def annotations(self, document_id: int) -> AnnotationSet:
        """The annotations of this annotator on a document."""
        with self.database.read() as session:
            return repository.load_annotation_set(session, document_id, self.annotator)

    def guess_speaker(self, document: Document, annotations: AnnotationSet, mention: Span) -> SpeakerGuess:
        """What selecting ``mention`` as the speaker mention would mean (join, create, or ask)."""
        return match_speaker(document.text, mention, annotations)

    def schema(self) -> LabelSchema:
        """The database's label schema."""
        with self.database.read() as session:
            return labels.load_schema(session)

    def stance_targets(self) -> list[str]:
        """Targets this annotator used before, most used first (for completion)."""
        from sqlalchemy import func

        with self.database.read() as session:
            query = (
                select(ClaimRow.stance_target, func.count())
                .where(ClaimRow.annotator_id == self.annotator_id, ClaimRow.stance_target.is_not(None))
                .group_by(ClaimRow.stance_target)
                .order_by(func.count().desc())
                .limit(500)
            )
            return [target for target, _ in session.execute(query) if target]

    # -------------------------------------------------------------- machinery

    def _edit(self, document_id: int, change: Callable[[Session], int | None], *, touch: bool = True) -> EditResult:
        with self.database.write(self.wait_ms) as session:
            before = take_snapshot(session, document_id, self.annotator_id)
            state = self._state(session, document_id)
            claim_id = change(session)
            if touch and state.status == Status.NEW.value:
                state.status = Status.IN_PROGRESS.value
            state.updated_at = utcnow()
            session.flush()
            after = take_snapshot(session, document_id, self.annotator_id)
            annotations = repository.annotation_set_from_snapshot(session, after, self.annotator)
        return EditResult(document_id, before, after, annotations, claim_id)

    def restore(self, snapshot: Snapshot) -> AnnotationSet:
        """Put a layer back as a snapshot holds it (undo/redo); returns the annotations now."""
        with self.database.write(self.wait_ms) as session:
            restore_snapshot(session, snapshot)
            return repository.annotation_set_from_snapshot(session, snapshot, self.annotator)

    def _state(self, session: Session, document_id: int) -> DocumentStateRow:
        state = session.get(DocumentStateRow, (document_id, self.annotator_id))
        if state is None:
            state = DocumentStateRow(document_id=document_id, annotator_id=self.annotator_id, status=Status.NEW.value)
            session.add(state)
            session.flush()
        return state

    def _claim(self, session: Session, claim_id: int) -> ClaimRow:
        claim = session.get(ClaimRow, claim_id)
        if claim is None or claim.annotator_id != self.annotator_id:
            raise UserError("that claim no longer exists (deleted elsewhere?); reopen the document")
        return claim

    def _speaker(self, session: Session, speaker_id: int) -> SpeakerRow:
        speaker = session.get(SpeakerRow, speaker_id)
        if speaker is None or speaker.annotator_id != self.annotator_id:
            raise UserError("that speaker no longer exists; reopen the document")
        return speaker

    def _fork_entities(self, session: Session, document_id: int) -> None:
        """Make this annotator's own copy of the model's entities before they change any."""
        state = self._state(session, document_id)
        if state.entities_forked:
            return
        for entity in repository.model_entities(session, document_id):
            session.add(
                EntityRow(
                    document_id=document_id,
                    annotator_id=self.annotator_id,
                    start=entity.start,
                    end=entity.end,
                    label=entity.label,
                    source=entity.source.value,
                    model_name=entity.model_name,
                    model_version=entity.model_version,
                )
            )
        state.entities_forked = True
        session.flush()

    # -------------------------------------------------------------- claims

    def create_claim(self, document_id: int, span: Span, parts: list[Span] | None = None) -> EditResult:
        """Add a claim over ``span`` (or over ``parts`` for a split claim); it becomes the focus."""

        def change(session: Session) -> int:
            extent = claim_extent(parts) if parts else span
            row = ClaimRow(
                document_id=document_id,
                annotator_id=self.annotator_id,
                start=extent.start,
                end=extent.end,
                parts=[[p.start, p.end] for p in sorted(parts)] if parts else None,
            )
            session.add(row)
            session.flush()
            return row.id

        return self._edit(document_id, change)

    def add_claim_part(self, document_id: int, claim_id: int, span: Span) -> EditResult:
        """Add ``span`` as another part of a claim ("India," he said, "should stay neutral")."""

        def change(session: Session) -> int:
            claim = self._claim(session, claim_id)
            pieces = [Span(s, e) for s, e in claim.parts] if claim.parts else [Span(claim.start, claim.end)]
            if any(piece.overlaps(span) for piece in pieces):
                raise UserError("the selection overlaps the claim; select the other part of it, outside")
            pieces = sorted([*pieces, span])
            extent = claim_extent(pieces)
            claim.start, claim.end = extent.start, extent.end
            claim.parts = [[piece.start, piece.end] for piece in pieces]
            claim.updated_at = utcnow()
            return claim.id

        return self._edit(document_id, change)

    def delete_claim(self, document_id: int, claim_id: int) -> EditResult:
        """Delete a claim (its speaker stays, with its mentions)."""

        def change(session: Session) -> None:
            session.delete(self._claim(session, claim_id))

        return self._edit(document_id, change)

    def set_speaker(
        self, document_id: int, claim_id: int, mention: Span | None, speaker: int | NewSpeaker | None
    ) -> EditResult:
        """Make ``mention`` the claim's speaker mention, of a known speaker (id) or a new one."""

        def change(session: Session) -> int:
            claim = self._claim(session, claim_id)
            if speaker is None:
                claim.speaker_id = None
            else:
                if isinstance(speaker, NewSpeaker):
                    row = SpeakerRow(
                        document_id=document_id,
                        annotator_id=self.annotator_id,
                        name=speaker.name,
                        kind=speaker.kind.value,
                        entity_label=speaker.entity_label,
                    )
                    session.add(row)
                    session.flush()
                else:
                    row = self._speaker(session, speaker)
                claim.speaker_id = row.id
                if mention is not None and not session.scalar(
                    select(MentionRow.id).where(
                        MentionRow.speaker_id == row.id,
                        MentionRow.start == mention.start,
                        MentionRow.end == mention.end,
                    )
                ):
                    session.add(MentionRow(speaker_id=row.id, start=mention.start, end=mention.end))
            claim.mention_start = mention.start if mention and speaker is not None else None
            claim.mention_end = mention.end if mention and speaker is not None else None
            claim.updated_at = utcnow()
            return claim.id

        return self._edit(document_id, change)

    def set_cue(self, document_id: int, claim_id: int, cue: Span | None) -> EditResult:
        """Set (or clear) the claim's cue."""

        def change(session: Session) -> int:
            claim = self._claim(session, claim_id)
            claim.cue_start, claim.cue_end = (cue.start, cue.end) if cue else (None, None)
            claim.updated_at = utcnow()
            return claim.id

        return self._edit(document_id, change)

    def set_stance(self, document_id: int, claim_id: int, label: str | None) -> EditResult:
        """Set (or clear, with ``None``) the claim's stance label."""

        def change(session: Session) -> int:
            if label is not None and label not in labels.load_schema(session).names("stance"):
                raise UserError(f"stance {label!r} is not in the label schema")
            claim = self._claim(session, claim_id)
            claim.stance_label = label
            claim.updated_at = utcnow()
            return claim.id

        return self._edit(document_id, change)

    def set_target(self, document_id: int, claim_id: int, target: str | None) -> EditResult:
        """Set (or clear) the claim's stance target (free text)."""

        def change(session: Session) -> int:
            claim = self._claim(session, claim_id)
            claim.stance_target = target.strip() if target and target.strip() else None
            claim.updated_at = utcnow()
            return claim.id

        return self._edit(document_id, change)

    def set_claim_note(self, document_id: int, claim_id: int, note: str | None) -> EditResult:
        """Set (or clear) the note on a claim."""

        def change(session: Session) -> int:
            claim = self._claim(session, claim_id)
            claim.note = note if note and note.strip() else None
            claim.updated_at = utcnow()
            return claim.id

        return self._edit(document_id, change)

    # -------------------------------------------------------------- speakers

    def rename_speaker(self, document_id: int, speaker_id: int, name: str) -> EditResult:
        """Give a speaker another name."""
        if not name.strip():
            raise UserError("a speaker needs a name")

        def change(session: Session) -> None:
            self._speaker(session, speaker_id).name = name.strip()

        return self._edit(document_id, change)

    def set_speaker_kind(self, document_id: int, speaker_id: int, kind: SpeakerKind) -> EditResult:
        """Change what sort of source a speaker is."""

        def change(session: Session) -> None:
            self._speaker(session, speaker_id).kind = kind.value

        return self._edit(document_id, change)

    def merge_speakers(self, document_id: int, keep_id: int, merge_id: int) -> EditResult:
        """Fold speaker ``merge_id`` into ``keep_id``: its mentions and claims move over."""
        if keep_id == merge_id:
            raise UserError("choose two different speakers to merge")

        def change(session: Session) -> None:
            keep, gone = self._speaker(session, keep_id), self._speaker(session, merge_id)
            existing = {(m.start, m.end) for m in keep.mentions}
            for mention in list(gone.mentions):
                if (mention.start, mention.end) not in existing:
                    keep.mentions.append(MentionRow(start=mention.start, end=mention.end))
            for claim in session.scalars(select(ClaimRow).where(ClaimRow.speaker_id == gone.id)):
                claim.speaker_id = keep.id
            session.flush()
            session.delete(gone)

        return self._edit(document_id, change)

    def add_entity(self, document_id: int, span: Span, label: str) -> EditResult:
        """Add an entity to this annotator's layer (a label new to the schema is refused)."""

        def change(session: Session) -> None:
            if label not in labels.load_schema(session).names("entity"):
                raise UserError(f"entity label {label!r} is not in the label schema")
            self._fork_entities(session, document_id)
            session.add(
                EntityRow(
                    document_id=document_id,
                    annotator_id=self.annotator_id,
                    start=span.start,
                    end=span.end,
                    label=label,
                    source=EntitySource.MANUAL.value,
                )
            )

        return self._edit(document_id, change)

    def relabel_entity(self, document_id: int, span: Span, old_label: str, new_label: str) -> EditResult:
        """Change the label of the entity at ``span``; it becomes the annotator's own."""

        def change(session: Session) -> None:
            if new_label not in labels.load_schema(session).names("entity"):
                raise UserError(f"entity label {new_label!r} is not in the label schema")
            row = self._own_entity(session, document_id, span, old_label)
            row.label = new_label
            row.source = EntitySource.MANUAL.value

        return self._edit(document_id, change)

    def delete_entity(self, document_id: int, span: Span, label: str) -> EditResult:
        """Remove the entity at ``span`` from this annotator's layer."""

        def change(session: Session) -> None:
            session.delete(self._own_entity(session, document_id, span, label))

        return self._edit(document_id, change)

    def accept_entities(self, document_id: int) -> EditResult:
        """Take the model's entities as this annotator's own layer, as they are."""
        return self._edit(document_id, lambda session: self._fork_entities(session, document_id))

    def _own_entity(self, session: Session, document_id: int, span: Span, label: str) -> EntityRow:
        self._fork_entities(session, document_id)
        row = session.scalar(
            select(EntityRow).where(
                EntityRow.document_id == document_id,
                EntityRow.annotator_id == self.annotator_id,
                EntityRow.start == span.start,
                EntityRow.end == span.end,
                EntityRow.label == label,
            )
        )
        if row is None:
            raise UserError("that entity no longer exists; reopen the document")
        return row

    # -------------------------------------------------------------- document

    def set_status(self, document_id: int, status: Status) -> EditResult:
        """Mark the document new, in progress, done or skipped for this annotator."""

        def change(session: Session) -> None:
            self._state(session, document_id).status = status.value

        return self._edit(document_id, change, touch=False)

    # -------------------------------------------------------------- suggestions

    def suggestions(self, document_id: int, annotations: AnnotationSet) -> list[Suggestion]:
        """The document's suggestions this annotator has not accepted, rejected or covered, in text order."""
        from annotator.services.suggesting import pending_suggestions

        with self.database.read() as session:
            return pending_suggestions(session, document_id, self.annotator_id, annotations)

    def accept_suggestion(self, document_id: int, suggestion_id: int) -> EditResult:
        """Make a suggestion one of this annotator's claims, with its speaker, mention and cue (one undo step)."""
        return self._edit(document_id, lambda session: self._accept(session, document_id, suggestion_id))

    def accept_suggestions(self, document_id: int, suggestion_ids: list[int]) -> EditResult:
        """Accept several suggestions in one edit (one undo step); focuses the last claim made."""

        def change(session: Session) -> int | None:
            claim_id = None
            for suggestion_id in suggestion_ids:
                claim_id = self._accept(session, document_id, suggestion_id)
            return claim_id

        return self._edit(document_id, change)

    def reject_suggestion(self, document_id: int, suggestion_id: int) -> EditResult:
        """Hide a suggestion from this annotator (undo brings it back)."""

        def change(session: Session) -> None:
            self._suggestion_row(session, document_id, suggestion_id)
            if session.get(SuggestionRejectionRow, (suggestion_id, self.annotator_id)) is None:
                session.add(SuggestionRejectionRow(suggestion_id=suggestion_id, annotator_id=self.annotator_id))

        return self._edit(document_id, change)

    def _suggestion_row(self, session: Session, document_id: int, suggestion_id: int) -> SuggestionRow:
        row = session.get(SuggestionRow, suggestion_id)
        if row is None or row.document_id != document_id:
            raise UserError("that suggestion is gone (suggestions were recomputed); reopen the document")
        return row

    def _accept(self, session: Session, document_id: int, suggestion_id: int) -> int:
        from annotator.services.suggesting import suggestion_from_row

        suggestion = suggestion_from_row(self._suggestion_row(session, document_id, suggestion_id))
        parts = sorted(suggestion.parts)
        extent = claim_extent(parts)
        claim = ClaimRow(
            document_id=document_id,
            annotator_id=self.annotator_id,
            start=extent.start,
            end=extent.end,
            parts=[[p.start, p.end] for p in parts] if len(parts) > 1 else None,
            cue_start=suggestion.cue.start if suggestion.cue else None,
            cue_end=suggestion.cue.end if suggestion.cue else None,
        )
        mention = suggestion.mention
        if mention is not None:
            text = session.get(DocumentRow, document_id)
            name = suggestion.speaker_name or (mention.text_in(text.text) if text is not None else "")
            speaker = self._speaker_named(session, document_id, name, suggestion.speaker_kind)
            if not session.scalar(
                select(MentionRow.id).where(
                    MentionRow.speaker_id == speaker.id,
                    MentionRow.start == mention.start,
                    MentionRow.end == mention.end,
                )
            ):
                session.add(MentionRow(speaker_id=speaker.id, start=mention.start, end=mention.end))
            claim.speaker_id = speaker.id
            claim.mention_start, claim.mention_end = mention.start, mention.end
        session.add(claim)
        session.flush()
        return claim.id

    def _speaker_named(self, session: Session, document_id: int, name: str, kind: SpeakerKind) -> SpeakerRow:
        """The annotator's speaker called ``name`` in the document (any case), made when there is none."""
        for row in session.scalars(
            select(SpeakerRow).where(
                SpeakerRow.document_id == document_id, SpeakerRow.annotator_id == self.annotator_id
            )
        ):
            if row.name.casefold() == name.casefold():
                return row
        entity_label = "PERSON" if kind == SpeakerKind.PERSON else None
        row = SpeakerRow(
            document_id=document_id,
            annotator_id=self.annotator_id,
            name=name,
            kind=kind.value,
            entity_label=entity_label,
        )
        session.add(row)
        session.flush()
        return row
