"""Small choosers that follow a key: the speaker picker (S on "He") and the entity label picker (E).

Both open without blocking (``open()``, not ``exec()``) and report through
their ``chosen`` signal; the first row is preselected so Enter accepts it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from annotator.domain.model import Speaker, SpeakerKind
from annotator.services.speaker_matching import NewSpeaker


class _ListPicker(QDialog):
    """A filterable list; Enter or a double click accepts the current row."""

    chosen = Signal(object)

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.prompt = QLabel(prompt, self)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("type to filter")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self.accept)
        self.list.itemActivated.connect(lambda _item: self.accept())
        self.resize(360, 300)

    def add_choice(self, text: str, value: object) -> None:
        """Add a row showing ``text`` (plain) that stands for ``value``."""
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        self.list.addItem(item)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)

    def start(self) -> None:
        """Show the picker with the first row selected and the list focused."""
        self.list.setCurrentRow(0)
        self.open()
        self.list.setFocus()

    def accept(self) -> None:
        """Emit the current row's value and close."""
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return
        value = item.data(Qt.ItemDataRole.UserRole)
        super().accept()
        self.chosen.emit(value)

    def _apply_filter(self, text: str) -> None:
        needle = text.casefold()
        first_visible = -1
        for row in range(self.list.count()):
            item = self.list.item(row)
            hidden = needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first_visible < 0:
                first_visible = row
        if first_visible >= 0:
            self.list.setCurrentRow(first_visible)


class SpeakerPicker(_ListPicker):
    """Who a pronoun or description refers to: known speakers nearest first, or a new speaker."""

    def __init__(
        self, mention_text: str, candidates: list[Speaker | NewSpeaker], parent: QWidget | None = None
    ) -> None:
        super().__init__("Speaker", f"Who is “{mention_text}”?", parent)
        for candidate in candidates:
            if isinstance(candidate, Speaker):
                self.add_choice(f"{candidate.name} ({candidate.kind.value})", candidate.id)
            else:
                self.add_choice(f"{candidate.name} (new {candidate.kind.value})", candidate)
        self.add_choice(f"New speaker “{mention_text}”", NewSpeaker(mention_text))
        self.add_choice("New anonymous speaker", NewSpeaker(mention_text, kind=SpeakerKind.ANONYMOUS))


class LabelPicker(_ListPicker):
    """Which entity label the selection gets."""

    def __init__(self, selection_text: str, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__("Entity label", f"Label for “{selection_text}”", parent)
        for label in labels:
            self.add_choice(label, label)
