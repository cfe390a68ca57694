"""The claims of the document in text order, editable in place: stance, target, speaker, note."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import AnnotationSet, Claim, Speaker
from annotator.ui import plain

NO_VALUE = "—"
COLUMNS = ("claim", "speaker", "stance", "target", "note")
_CLAIM, _SPEAKER, _STANCE, _TARGET, _NOTE = range(len(COLUMNS))
EXCERPT = 80


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A one-line excerpt of ``text`` for a table cell (plain text, line breaks folded)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ClaimsPanel(QWidget):
    """A table of claims; selecting one makes it current; cells edit the claim in place."""

    claimSelected = Signal(int)  # noqa: N815 (Qt signal naming)
    stanceChosen = Signal(int, object)  # noqa: N815 claim id, label or None
    targetEdited = Signal(int, str)  # noqa: N815
    noteEdited = Signal(int, str)  # noqa: N815
    speakerChosen = Signal(int, object)  # noqa: N815 claim id, speaker id or None
    deleteRequested = Signal(int)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([c.capitalize() for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((_CLAIM, 170), (_SPEAKER, 150), (_STANCE, 90), (_TARGET, 120)):
            self.table.setColumnWidth(column, width)
        self.delete_button = QPushButton("Delete claim", self)
        self.delete_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._claims: list[Claim] = []
        self._stance_labels: list[str] = []
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemChanged.connect(self._on_item_changed)
        self.delete_button.clicked.connect(self._on_delete)

    def set_claims(self, annotations: AnnotationSet, text: str, stance_labels: list[str], current: int | None) -> None:
        """Show the claims of ``annotations`` (in text order) and select ``current``."""
        self._stance_labels = stance_labels
        self._claims = sorted(annotations.claims, key=lambda c: (c.start, c.end, c.id or 0))
        speakers = annotations.speakers
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(self._claims))
            for row, claim in enumerate(self._claims):
                claim_text = " … ".join(text[p.start : p.end] for p in claim.pieces)
                self._set_item(row, _CLAIM, excerpt(claim_text), editable=False, tooltip=excerpt(claim_text, 600))
                self._set_item(row, _TARGET, claim.stance.target or "" if claim.stance else "", editable=True)
                self._set_item(row, _NOTE, claim.note or "", editable=True)
                self._set_item(row, _SPEAKER, "", editable=False)
                self._set_item(row, _STANCE, "", editable=False)
                self.table.setCellWidget(row, _SPEAKER, self._speaker_combo(claim, speakers))
                self.table.setCellWidget(row, _STANCE, self._stance_combo(claim))
            self._select(current)
        self.delete_button.setEnabled(self.selected_claim_id() is not None)

    def select_claim(self, claim_id: int | None) -> None:
        """Select the row of ``claim_id`` without emitting :attr:`claimSelected`."""
        with QSignalBlocker(self.table):
            self._select(claim_id)
        self.delete_button.setEnabled(claim_id is not None)

    def selected_claim_id(self) -> int | None:
        """The id of the selected claim, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._claims[rows[0].row()].id

    def _select(self, claim_id: int | None) -> None:
        self.table.clearSelection()
        for row, claim in enumerate(self._claims):
            if claim.id == claim_id:
                self.table.selectRow(row)
                item = self.table.item(row, _CLAIM)
                if item is not None:
                    self.table.scrollToItem(item)
                return

    def _set_item(self, row: int, column: int, value: str, *, editable: bool, tooltip: str = "") -> None:
        item = QTableWidgetItem(value)
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        if tooltip:
            item.setToolTip(plain.tooltip(tooltip))
        self.table.setItem(row, column, item)

    def _stance_combo(self, claim: Claim) -> QComboBox:
        combo = QComboBox()
        combo.addItem(NO_VALUE, None)
        for label in self._stance_labels:
            combo.addItem(label, label)
        current = claim.stance.label if claim.stance else None
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        claim_id = claim.id
        combo.activated.connect(lambda _i, c=combo, cid=claim_id: self.stanceChosen.emit(cid, c.currentData()))
        return combo

    def _speaker_combo(self, claim: Claim, speakers: list[Speaker]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(NO_VALUE, None)
        for speaker in speakers:
            combo.addItem(f"{speaker.name} ({speaker.kind.value})", speaker.id)
        index = combo.findData(claim.speaker.id) if claim.speaker is not None else 0
        combo.setCurrentIndex(max(index, 0))
        claim_id = claim.id
        combo.activated.connect(lambda _i, c=combo, cid=claim_id: self.speakerChosen.emit(cid, c.currentData()))
        return combo

    def _on_selection(self) -> None:
        claim_id = self.selected_claim_id()
        self.delete_button.setEnabled(claim_id is not None)
        if claim_id is not None:
            self.claimSelected.emit(claim_id)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        claim = self._claims[item.row()]
        if claim.id is None:
            return
        if item.column() == _TARGET:
            self.targetEdited.emit(claim.id, item.text())
        elif item.column() == _NOTE:
            self.noteEdited.emit(claim.id, item.text())

    def _on_delete(self) -> None:
        claim_id = self.selected_claim_id()
        if claim_id is not None:
            self.deleteRequested.emit(claim_id)
