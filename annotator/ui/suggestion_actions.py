"""The window's suggestion keys and panels: accept (A), reject (R), accept all (Shift+A), step (] and [).

Every change goes through the window's ``run_edit``, so it is committed,
recorded on the same undo stack as the other edits (Ctrl+Z brings a
rejected suggestion back, or removes an accepted one) and shown once saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from annotator.domain.errors import UserError
from annotator.domain.model import Span, Suggestion
from annotator.ui.suggestion_layer import SuggestionLayer
from annotator.ui.suggestions_panel import MissedClaimsPanel

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

Candidate = TypeVar("Candidate")


class SuggestionController:
    """The open document's pending suggestions in one window: drawn, stepped through, accepted or rejected."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.layer = SuggestionLayer(window.view)
        self.panel = MissedClaimsPanel(window)
        self.panel.sentenceActivated.connect(self._jump)
        self.seen: dict[int, Suggestion] = {}
        """Every suggestion shown for the open document, also those since covered by a claim (for the picker)."""
        self._seen_document: int | None = None

    @property
    def suggestions(self) -> list[Suggestion]:
        """The pending suggestions shown, in text order."""
        return self.layer.suggestions

    def refresh(self) -> None:
        """Load the open document's pending suggestions and missed sentences again (after opening or an edit)."""
        window = self.window
        document = window.document
        if document is None or document.id is None:
            self.layer.set_suggestions([])
            self.panel.set_document("", window.annotations)
            return
        suggestions = window.editor.suggestions(document.id, window.annotations)
        if self._seen_document != document.id:
            self.seen, self._seen_document = {}, document.id
        self.seen.update((s.id, s) for s in suggestions if s.id is not None)
        self.layer.set_suggestions(suggestions)
        self.panel.set_document(document.text, window.annotations)

    def accept(self) -> None:
        """A: accept the suggestion at the caret (or the next one after it); it becomes the current claim."""
        suggestion = self._here()
        assert suggestion.id is not None
        self.window.run_edit("accept suggestion", self.window.editor.accept_suggestion, suggestion.id)

    def reject(self) -> None:
        """R: reject the suggestion at the caret (or the next one after it); the caret moves to the next one."""
        suggestion = self._here()
        assert suggestion.id is not None
        self.window.run_edit("reject suggestion", self.window.editor.reject_suggestion, suggestion.id)
        following = self.layer.step(suggestion.span.start, forward=True)
        if following is not None:
            self.window.view.select_span(following.span)

    def accept_all(self) -> None:
        """Shift+A: accept every pending suggestion of the document, as one undo step."""
        ids = [s.id for s in self.suggestions if s.id is not None]
        if not ids:
            raise UserError("no suggestions left in this document")
        self.window.run_edit(f"accept {len(ids)} suggestions", self.window.editor.accept_suggestions, ids)

    def step(self, forward: bool) -> None:
        """] and [: select the content of the next (previous) suggestion."""
        window = self.window
        window._require_document()
        if not self.suggestions:
            raise UserError("no suggestions left in this document")
        target = self.layer.step(self._selection_start(), forward)
        if target is None:
            target = self.suggestions[0] if forward else self.suggestions[-1]  # wrap around
        window.view.select_span(target.span)

    def order_candidates(self, mention: Span, candidates: Sequence[Candidate]) -> list[Candidate]:
        """Put first the candidate named by the suggestion whose mention is ``mention`` (the picker preselects it).

        The suggestion may be pending or already covered by the claim being made (C, then S on its mention).
        """
        suggestion = next((s for s in self.seen.values() if s.mention == mention), None)
        ordered = list(candidates)
        if suggestion is None or not suggestion.speaker_name:
            return ordered
        name = suggestion.speaker_name
        preferred = [c for c in ordered if getattr(c, "name", None) == name]
        return preferred + [c for c in ordered if getattr(c, "name", None) != name]

    def _here(self) -> Suggestion:
        self.window._require_document()
        suggestion = self.layer.at_or_after(self._selection_start())
        if suggestion is None:
            raise UserError("no suggestion at or after the caret (] and [ step between suggestions)")
        return suggestion

    def _selection_start(self) -> int:
        view = self.window.view
        return view.offset_map().from_qt(view.textCursor().selectionStart())

    def _jump(self, start: int, end: int) -> None:
        view = self.window.view
        view.select_span(Span(start, end))
        view.setFocus()
