"""The claims of the document in text order, editable in place: stance, target, speaker, note."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
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

from annotator.domain.model import AnnotationSet, Claim
from annotator.ui import plain

NO_VALUE = "—"
COLUMNS = ("claim", "speaker", "stance", "target", "note")
_CLAIM, _SPEAKER, _STANCE, _TARGET, _NOTE = range(len(COLUMNS))
EXCERPT = 80
_CLAIM_ID = "claim_id"


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A one-line excerpt of ``text`` for a table cell (plain text, line breaks folded)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _fill(model: QStandardItemModel, choices: Sequence[tuple[str, object]]) -> None:
    """Make ``model`` the choices of a combo box: "no value" first, then ``(text, data)`` in order."""
    model.clear()
    for text, value in [(NO_VALUE, None), *choices]:
        item = QStandardItem(text)
        item.setData(value, Qt.ItemDataRole.UserRole)
        model.appendRow(item)


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
        self._speaker_choices: list[tuple[str, int | None]] = []
        self._row_keys: list[tuple[object, ...]] = []  # what each row shows, to skip rows that did not change
        self._stance_model = QStandardItemModel(self)
        self._speaker_model = QStandardItemModel(self)
        _fill(self._stance_model, [])
        _fill(self._speaker_model, [])
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemChanged.connect(self._on_item_changed)
        self.delete_button.clicked.connect(self._on_delete)

    def set_claims(self, annotations: AnnotationSet, text: str, stance_labels: list[str], current: int | None) -> None:
        """Show the claims of ``annotations`` (in text order) and select ``current``.

        Rows, items and combo boxes are reused and only the cells whose
        content changed are touched: after an edit (one key press) usually
        one cell changes, and rebuilding the table's widgets would cost more
        than the edit itself.
        """
        if stance_labels != self._stance_labels:
            self._stance_labels = list(stance_labels)
            self._row_keys.clear()
            _fill(self._stance_model, [(label, label) for label in stance_labels])
        self._claims = sorted(annotations.claims, key=lambda c: (c.start, c.end, c.id or 0))
        speakers = annotations.speakers
        speaker_choices = [(f"{speaker.name} ({speaker.kind.value})", speaker.id) for speaker in speakers]
        if speaker_choices != self._speaker_choices:
            self._speaker_choices = speaker_choices
            self._row_keys.clear()
            _fill(self._speaker_model, speaker_choices)
        with QSignalBlocker(self.table):
            self._insert_or_remove_row()
            if self.table.rowCount() != len(self._claims):
                self.table.setRowCount(len(self._claims))
                del self._row_keys[len(self._claims) :]
            for row, claim in enumerate(self._claims):
                claim_text = " … ".join(text[p.start : p.end] for p in claim.pieces)
                target = claim.stance.target or "" if claim.stance else ""
                stance = claim.stance.label if claim.stance else None
                speaker_id = claim.speaker.id if claim.speaker is not None else None
                key = (claim.id, claim_text, target, claim.note or "", stance, speaker_id)
                if row < len(self._row_keys) and self._row_keys[row] == key:
                    continue
                self._set_item(row, _CLAIM, excerpt(claim_text), editable=False, tooltip=excerpt(claim_text, 600))
                self._set_item(row, _TARGET, target, editable=True)
                self._set_item(row, _NOTE, claim.note or "", editable=True)
                self._set_item(row, _SPEAKER, "", editable=False)
                self._set_item(row, _STANCE, "", editable=False)
                self._choose(self._combo(row, _SPEAKER), speaker_id, claim.id)
                self._choose(self._combo(row, _STANCE), stance, claim.id)
                if row < len(self._row_keys):
                    self._row_keys[row] = key
                else:
                    self._row_keys.append(key)
            self._select(current)
        self.delete_button.setEnabled(self.selected_claim_id() is not None)

    def _insert_or_remove_row(self) -> None:
        """When one claim came or went (C, Delete, their undo), insert or remove its row; the others stay."""
        if len(self._row_keys) != self.table.rowCount():
            return
        old = [key[0] for key in self._row_keys]
        new = [claim.id for claim in self._claims]
        if abs(len(new) - len(old)) != 1:
            return
        longer, shorter = (new, old) if len(new) > len(old) else (old, new)
        row = next((i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter))
        if longer[:row] + longer[row + 1 :] != shorter:
            return
        if longer is new:
            self.table.insertRow(row)
            self._row_keys.insert(row, ())
        else:
            self.table.removeRow(row)
            del self._row_keys[row]

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
        if claim_id is not None and self.selected_claim_id() == claim_id:
            return
        self.table.clearSelection()
        for row, claim in enumerate(self._claims):
            if claim.id == claim_id:
                self.table.selectRow(row)
                item = self.table.item(row, _CLAIM)
                if item is not None:
                    self.table.scrollToItem(item)
                return

    def _set_item(self, row: int, column: int, value: str, *, editable: bool, tooltip: str = "") -> None:
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem(value)
            item.setFlags(flags)
            if tooltip:
                item.setToolTip(plain.tooltip(tooltip))
            self.table.setItem(row, column, item)
            return
        if item.text() != value:
            item.setText(value)
        if item.flags() != flags:
            item.setFlags(flags)
        tip = plain.tooltip(tooltip) if tooltip else ""
        if item.toolTip() != tip:
            item.setToolTip(tip)

    def _combo(self, row: int, column: int) -> QComboBox:
        """The row's speaker or stance combo box, made once and then reused."""
        combo = self.table.cellWidget(row, column)
        if isinstance(combo, QComboBox):
            return combo
        combo = QComboBox()
        # Every row's combo shows the same choices: one model each for stances and speakers, shared.
        combo.setModel(self._stance_model if column == _STANCE else self._speaker_model)
        signal = self.stanceChosen if column == _STANCE else self.speakerChosen
        combo.activated.connect(lambda _i, c=combo, s=signal: s.emit(c.property(_CLAIM_ID), c.currentData()))
        self.table.setCellWidget(row, column, combo)
        return combo

    @staticmethod
    def _choose(combo: QComboBox, value: object, claim_id: int | None) -> None:
        """Show ``value`` (a stance label or speaker id; ``None``: no value) in a combo of claim ``claim_id``."""
        combo.setProperty(_CLAIM_ID, claim_id)
        index = combo.findData(value) if value is not None else 0
        index = max(index, 0)
        if combo.currentIndex() != index:
            combo.setCurrentIndex(index)

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
