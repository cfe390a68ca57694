"""A one-line editor bar under the article (stance target with completion, claim note).

Enter saves, Esc cancels; both give focus back to the article view. While it
has focus, letters type text: single-key bindings live on the article view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget


class InlineEditor(QWidget):
    """A label and a line edit that appear for one edit."""

    submitted = Signal(str, str)  # purpose, text
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.field = QLineEdit(self)
        self.field.setClearButtonEnabled(True)
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.label)
        layout.addWidget(self.field, 1)
        self.purpose = ""
        self.field.returnPressed.connect(self._submit)
        self.field.installEventFilter(self)
        self.hide()

    def edit(self, purpose: str, label: str, text: str, completions: list[str] | None = None) -> None:
        """Show the bar for ``purpose`` with ``text`` selected and focused."""
        self.purpose = purpose
        self.label.setText(label)
        self._completions.setStringList(completions or [])
        self.field.setText(text)
        self.field.selectAll()
        self.show()
        self.field.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Esc closes the bar without saving (unless the completion popup is open)."""
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key_event = event if isinstance(event, QKeyEvent) else None
            if key_event is not None and key_event.key() == Qt.Key.Key_Escape:
                popup = self.field.completer().popup() if self.field.completer() else None
                if popup is None or not popup.isVisible():
                    self.close_bar()
                    return True
        return super().eventFilter(watched, event)

    def close_bar(self) -> None:
        """Hide the bar and tell the window to focus the article again."""
        self.hide()
        self.closed.emit()

    def _submit(self) -> None:
        popup = self.field.completer().popup() if self.field.completer() else None
        if popup is not None and popup.isVisible():
            return
        purpose, text = self.purpose, self.field.text()
        self.hide()
        self.submitted.emit(purpose, text)
        self.closed.emit()
