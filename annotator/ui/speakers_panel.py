"""The document's speakers with their kind and mentions: rename, change kind, merge."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import AnnotationSet, Speaker, SpeakerKind
from annotator.ui import plain
from annotator.ui.claims_panel import excerpt

_NAME, _KIND, _MENTIONS = range(3)


class SpeakersPanel(QWidget):
    """A table of speakers; the name cell renames, the kind box changes kind, Merge folds one into another."""

    renamed = Signal(int, str)
    kindChanged = Signal(int, object)  # noqa: N815 speaker id, SpeakerKind
    mergeRequested = Signal(int, int)  # noqa: N815 keep id, merged id
    speakerSelected = Signal(int)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Speaker", "Kind", "Mentions"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(_MENTIONS, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(_NAME, 170)
        self.table.setColumnWidth(_KIND, 120)
        self.merge_button = QPushButton("Merge into…", self)
        self.merge_button.setToolTip("Fold another speaker into the selected one (its mentions and claims move)")
        self.merge_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._speakers: list[Speaker] = []
        # What the table shows, to skip rebuilding it when that did not change.
        self._shown: list[tuple[int | None, str, SpeakerKind, list[str]]] | None = None
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.merge_button.clicked.connect(self._show_merge_menu)

    def set_speakers(self, annotations: AnnotationSet, text: str) -> None:
        """Show the speakers of ``annotations`` with their mentions' texts.

        The table is rebuilt only when what it shows changed (most edits leave the speakers as they were).
        """
        self._speakers = list(annotations.speakers)
        shown = [(s.id, s.name, s.kind, [text[m.start : m.end] for m in s.mentions]) for s in self._speakers]
        if shown == self._shown:
            self.merge_button.setEnabled(self.selected_speaker_id() is not None and len(self._speakers) > 1)
            return
        self._shown = shown
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(self._speakers))
            for row, speaker in enumerate(self._speakers):
                name = QTableWidgetItem(speaker.name)
                name.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, _NAME, name)
                kind_item = QTableWidgetItem("")
                kind_item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, _KIND, kind_item)
                self.table.setCellWidget(row, _KIND, self._kind_combo(speaker))
                mentions = ", ".join(excerpt(text[m.start : m.end], 30) for m in speaker.mentions)
                item = QTableWidgetItem(mentions or "(no mention)")
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(plain.tooltip(mentions))
                self.table.setItem(row, _MENTIONS, item)
        self.merge_button.setEnabled(self.selected_speaker_id() is not None and len(self._speakers) > 1)

    def selected_speaker_id(self) -> int | None:
        """The id of the selected speaker, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self._speakers[rows[0].row()].id if rows else None

    def select_speaker(self, speaker_id: int) -> None:
        """Select the row of ``speaker_id``."""
        for row, speaker in enumerate(self._speakers):
            if speaker.id == speaker_id:
                self.table.selectRow(row)

    def merge_menu(self) -> QMenu:
        """The menu of speakers that can be merged into the selected one."""
        menu = QMenu(self)
        keep = self.selected_speaker_id()
        for speaker in self._speakers:
            if speaker.id != keep and keep is not None and speaker.id is not None:
                action = menu.addAction(f"{speaker.name} ({speaker.kind.value})")
                action.triggered.connect(lambda _c=False, k=keep, m=speaker.id: self.mergeRequested.emit(k, m))
        return menu

    def _kind_combo(self, speaker: Speaker) -> QComboBox:
        combo = QComboBox()
        for kind in SpeakerKind:
            combo.addItem(kind.value, kind)
        combo.setCurrentIndex(combo.findData(speaker.kind))
        combo.activated.connect(lambda _i, c=combo, sid=speaker.id: self.kindChanged.emit(sid, c.currentData()))
        return combo

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == _NAME:
            speaker = self._speakers[item.row()]
            if speaker.id is not None and item.text().strip() and item.text() != speaker.name:
                self.renamed.emit(speaker.id, item.text())

    def _on_selection(self) -> None:
        speaker_id = self.selected_speaker_id()
        self.merge_button.setEnabled(speaker_id is not None and len(self._speakers) > 1)
        if speaker_id is not None:
            self.speakerSelected.emit(speaker_id)

    def _show_merge_menu(self) -> None:
        menu = self.merge_menu()
        menu.exec(self.merge_button.mapToGlobal(self.merge_button.rect().bottomLeft()))
