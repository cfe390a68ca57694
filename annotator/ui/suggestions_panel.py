"""The "Missed claims" panel: sentences with a cue word or a quotation mark but no claim of this annotator."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from annotator.domain.model import AnnotationSet, Span
from annotator.services.missed_claims import MissedSentence, missed_claims
from annotator.ui.claims_panel import excerpt

_SPAN = Qt.ItemDataRole.UserRole


class _SentenceList(QListWidget):
    """A list whose Enter activates the current row (as a double click does)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Enter or Return: activate the current item."""
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.itemActivated.emit(item)
            return
        super().keyPressEvent(event)


MAX_LISTED = 500
"""Sentences listed at most: a list of thousands helps nobody, and costs time on every edit."""


class MissedClaimsPanel(QWidget):
    """The list of possibly missed claims; double click or Enter jumps to the sentence."""

    sentenceActivated = Signal(int, int)  # noqa: N815 start, end (domain offsets)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.list = _SentenceList(self)
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.missed: list[MissedSentence] = []

    def set_document(self, text: str, annotations: AnnotationSet) -> None:
        """List the sentences of ``text`` with a cue but none of ``annotations``' claims."""
        claimed = [piece for claim in annotations.claims for piece in claim.pieces]
        self.missed = missed_claims(text, claimed)
        self.list.clear()
        for sentence in self.missed[:MAX_LISTED]:
            words = excerpt(text[sentence.span.start : sentence.span.end], 160)
            item = QListWidgetItem(f"{words}\n    ({sentence.reason})")
            item.setData(_SPAN, (sentence.span.start, sentence.span.end))
            item.setToolTip(sentence.reason)
            self.list.addItem(item)
        count = len(self.missed)
        self.summary.setText(
            "No sentence with a cue lacks a claim."
            if not count
            else f"{count:,} sentence{'' if count == 1 else 's'} with a cue or quotation but no claim"
            + (f" (the first {MAX_LISTED:,} listed):" if count > MAX_LISTED else ":")
        )

    def sentences(self) -> list[Span]:
        """The listed sentences' spans, in text order."""
        return [sentence.span for sentence in self.missed]

    def _activated(self, item: QListWidgetItem) -> None:
        start, end = item.data(_SPAN)
        self.sentenceActivated.emit(start, end)
