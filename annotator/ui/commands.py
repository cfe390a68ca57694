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
    therefore skipped. The window commits an undo or redo with :meth:`prepare`
    *before* moving the stack, so a write that fails (disk full, read-only)
    leaves the stack where it was.
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
        self._prepared: AnnotationSet | None = None

    def prepare(self, undo: bool) -> None:
        """Commit the undo (or redo) now; the next :meth:`undo` (:meth:`redo`) only shows it.

        Raises what the editor raises (a storage failure) with nothing changed.
        """
        self._prepared = self.editor.restore(self.before if undo else self.after)

    def redo(self) -> None:
        """Put the layer back as the edit left it."""
        if self._applied:
            self._applied = False
            return
        self.refresh(self.document_id, self._result(self.after), self.claim_id)

    def undo(self) -> None:
        """Put the layer back as it was before the edit."""
        self.refresh(self.document_id, self._result(self.before), self.claim_id)

    def _result(self, snapshot: Snapshot) -> AnnotationSet:
        prepared, self._prepared = self._prepared, None
        return prepared if prepared is not None else self.editor.restore(snapshot)
