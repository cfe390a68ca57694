"""Undo commands: one per edit, each swapping a document's layer between two snapshots."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.domain.model import AnnotationSet
from annotator.services.editing import Editor, EditResult, Snapshot

Refresh = Callable[[int, AnnotationSet, int | None], None]
"""Shows a document's annotations after an undo or redo: (document id, annotations, claim to focus)."""


class EditCommand(QUndoCommand):
    """An edit already committed by a service; undo and redo restore the layer's snapshots.

    The edit happens before the command is pushed (so it is committed before
    the view shows it); the first ``redo()`` that ``QUndoStack.push`` calls is
    therefore skipped.
    """

    def __init__(self, editor: Editor, result: EditResult, text: str, refresh: Refresh) -> None:
        super().__init__(text)
        self.editor = editor
        self.document_id = result.document_id
        self.before: Snapshot = result.before
        self.after: Snapshot = result.after
        self.claim_id = result.claim_id
        self.refresh = refresh
        self._applied = True

    def redo(self) -> None:
        """Put the layer back as the edit left it."""
        if self._applied:
            self._applied = False
            return
        self.refresh(self.document_id, self.editor.restore(self.after), self.claim_id)

    def undo(self) -> None:
        """Put the layer back as it was before the edit."""
        self.refresh(self.document_id, self.editor.restore(self.before), self.claim_id)
