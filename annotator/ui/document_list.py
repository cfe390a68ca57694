"""The document list: a lazily loaded table of documents with status filter, search and progress.

:class:`DocumentListModel` adapts :class:`~annotator.services.documents.DocumentList`
to Qt: it holds the rows loaded so far and asks for the next page (by keyset,
so the hundredth page costs what the first does) when the view scrolls to the
end. :class:`DocumentPanel` puts the filter, the search field (debounced), the
table and the progress bar together, and says which document the user chose.

Titles and ids are data, shown as plain text: item views do not interpret
markup, and tooltips (which would) get the text escaped.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import Status
from annotator.services.documents import DocumentList, DocumentQuery, DocumentSummary, progress_of

PAGE_SIZE = 200
"""Rows fetched per page."""

STATUS_COLUMN, DOCUMENT_COLUMN, DATE_COLUMN, CLAIMS_COLUMN = range(4)
HEADERS = ("", "document", "date", "claims")

STATUS_WORDS = {
    Status.NEW: "new",
    Status.IN_PROGRESS: "in progress",
    Status.DONE: "done",
    Status.SKIPPED: "skipped",
}
"""How each status is named in the interface."""

STATUS_COLORS = {
    Status.NEW: "#9e9e9e",
    Status.IN_PROGRESS: "#e09b00",
    Status.DONE: "#2e9d4f",
    Status.SKIPPED: "#5b7fb5",
}
"""The colour of each status dot: mid tones, readable on light and dark themes."""

STATUS_MARK = "●"
DOCUMENT_ID_ROLE = Qt.ItemDataRole.UserRole
"""The role under which every cell gives its row's document id."""

_ROOT = QModelIndex()


def one_line(text: str) -> str:
    """Return ``text`` with every run of white space (line breaks included) folded to one space."""
    return " ".join(text.split())


def plain_tooltip(text: str) -> str:
    """Return a tooltip that shows ``text`` literally: escaped inside a rich-text paragraph.

    A bare string would be guessed to be rich text when it starts with a tag
    (``<b>x</b>``), so tooltips of user data are always escaped rich text.
    """
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>"


class DocumentListModel(QAbstractTableModel):
    """A table over :class:`DocumentList` that loads rows a page at a time.

    ``rowCount`` is the number of rows loaded; ``canFetchMore`` says whether
    the last page was full. Columns: status dot, title (or external id),
    date, number of the annotator's claims.
    """

    def __init__(self, documents: DocumentList, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._documents = documents
        self._page_size = page_size
        self._query = DocumentQuery()
        self._rows: list[DocumentSummary] = []
        self._index: dict[int, int] = {}
        self._exhausted = False
        self._colors = {status: QColor(color) for status, color in STATUS_COLORS.items()}
        self._load_page(notify=False)

    # ------------------------------------------------------------ queries

    @property
    def query(self) -> DocumentQuery:
        """The query whose rows the model shows."""
        return self._query

    def set_query(self, query: DocumentQuery) -> None:
        """Show the rows of ``query``, starting again with its first page."""
        self.beginResetModel()
        self._query = query
        self._rows, self._index, self._exhausted = [], {}, False
        self._load_page(notify=False)
        self.endResetModel()

    def reload(self) -> None:
        """Read the current query again from its first page (after an import, say)."""
        self.set_query(self._query)

    def refresh_row(self, document_id: int) -> None:
        """Read one loaded document's row again (its status or claims changed); drop it if it is gone.

        The row stays even when it no longer matches the status filter (a
        row vanishing under the cursor is worse); the next query drops it.
        """
        row = self._index.get(document_id)
        if row is None:
            return
        summary = self._documents.summary(document_id)
        if summary is None:
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            self._index = {item.id: number for number, item in enumerate(self._rows)}
            self.endRemoveRows()
            return
        self._replace_row(row, summary)

    def show_counts(self, document_id: int, status: Status, claims: int) -> None:
        """Show a loaded document's new status and number of claims, known to the caller (no query)."""
        row = self._index.get(document_id)
        if row is not None:
            self._replace_row(row, replace(self._rows[row], status=status, claims=claims))

    def _replace_row(self, row: int, summary: DocumentSummary) -> None:
        if summary == self._rows[row]:
            return  # unchanged (a stance or a note): nothing to repaint
        self._rows[row] = summary
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def document_id(self, row: int) -> int:
        """Return the document id of a loaded row."""
        return self._rows[row].id

    def summary(self, row: int) -> DocumentSummary:
        """Return the summary shown in a loaded row."""
        return self._rows[row]

    def row_of(self, document_id: int, *, fetch: bool = True) -> int | None:
        """Return the row of ``document_id`` under the query, loading rows up to it (unless ``fetch`` is false).

        ``None`` when the query does not keep the document (or, without
        ``fetch``, when its row is not loaded yet).
        """
        row = self._index.get(document_id)
        if row is not None or not fetch or self._exhausted:
            return row
        if self._rows and document_id < self._rows[-1].id:
            return None
        position = self._documents.position(self._query, document_id)
        if position is None:
            return None
        missing = position + 1 - len(self._rows)
        pages = -(-missing // self._page_size)
        self._load_page(max(pages, 1) * self._page_size)
        while document_id not in self._index and not self._exhausted and self._rows[-1].id < document_id:
            self._load_page()
        return self._index.get(document_id)

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802 (Qt's name)
        """Return the number of loaded rows."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802 (Qt's name)
        """Return 4: status, document, date, claims."""
        return 0 if parent.isValid() else len(HEADERS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802 (Qt's name)
        """Tell whether more rows may follow (the last page loaded was full)."""
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802 (Qt's name)
        """Load the next page."""
        if not parent.isValid() and not self._exhausted:
            self._load_page()

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Return the flags of a cell: selectable and enabled, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(  # noqa: N802 (Qt's name)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Return the column titles."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == STATUS_COLUMN:
            return "status"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return a cell's text, colour, tooltip or document id (:data:`DOCUMENT_ID_ROLE`)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if role == DOCUMENT_ID_ROLE:
            return summary.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, column)
        if column == STATUS_COLUMN:
            if role == Qt.ItemDataRole.ForegroundRole:
                return self._colors[summary.status]
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return STATUS_WORDS[summary.status]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
        elif column == DOCUMENT_COLUMN and role == Qt.ItemDataRole.ToolTipRole:
            lines = [summary.external_id] + ([summary.title] if summary.title else [])
            return plain_tooltip("\n".join(lines))
        elif column == CLAIMS_COLUMN and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    # ------------------------------------------------------------ machinery

    @staticmethod
    def _display(summary: DocumentSummary, column: int) -> str:
        if column == STATUS_COLUMN:
            return STATUS_MARK
        if column == DOCUMENT_COLUMN:
            return one_line(summary.title) if summary.title and summary.title.strip() else summary.external_id
        if column == DATE_COLUMN:
            return summary.date or ""
        return str(summary.claims)

    def _load_page(self, size: int | None = None, *, notify: bool = True) -> None:
        """Append the next ``size`` rows (a page by default); ``notify`` false inside a reset."""
        size = size or self._page_size
        after = self._rows[-1].id if self._rows else None
        page = self._documents.page(self._query, 0, size, after_id=after)
        if len(page) < size:
            self._exhausted = True
        if not page:
            return
        first = len(self._rows)
        if notify:
            self.beginInsertRows(_ROOT, first, first + len(page) - 1)
        self._rows.extend(page)
        for number, item in enumerate(page, start=first):
            self._index[item.id] = number
        if notify:
            self.endInsertRows()


class DocumentPanel(QWidget):
    """Status filter, search field, the document table and this annotator's progress.

    :attr:`documentActivated` carries the id of the document the user chose
    by selecting a row (click, arrow keys) or pressing Enter on the current
    row; :meth:`show_document` selects a row without emitting it.
    """

    documentActivated = Signal(int)  # noqa: N815 (Qt signal naming)

    SEARCH_DELAY_MS = 200
    FILTERS: tuple[tuple[str, Status | None], ...] = (
        ("All", None),
        ("new", Status.NEW),
        ("in progress", Status.IN_PROGRESS),
        ("done", Status.DONE),
        ("skipped", Status.SKIPPED),
    )

    def __init__(self, documents: DocumentList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self._shown: int | None = None
        self._quiet = False

        self.status_filter = QComboBox(self)
        for text, _status in self.FILTERS:
            self.status_filter.addItem(text)
        self.status_filter.setToolTip("Show only documents with this status")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search id, title, text")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)

        self.model = DocumentListModel(documents, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self._set_up_view()

        self.progress_label = QLabel(self)
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(self.fontMetrics().height() // 2 + 2)

        filters = QHBoxLayout()
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress_bar, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(progress)

        self.status_filter.currentIndexChanged.connect(self._apply_query)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._apply_query)
        self._search_timer.timeout.connect(self._apply_query)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.activated.connect(self._on_activated)
        self.refresh_progress()

    # ------------------------------------------------------------ API

    def query(self) -> DocumentQuery:
        """Return the query the filter and search field describe now."""
        status = self.FILTERS[max(self.status_filter.currentIndex(), 0)][1]
        return DocumentQuery(status=status, search=self.search.text())

    def show_document(self, document_id: int) -> None:
        """Select (and scroll to) the row of the open document, without emitting :attr:`documentActivated`."""
        self._shown = document_id
        self._select(self.model.row_of(document_id))

    def refresh_document(self, document_id: int, listed: tuple[Status, int] | None = None) -> None:
        """Re-read a document's row and, when its status may have changed, the progress, after an edit.

        ``listed``, the document's status and number of claims when the caller knows them,
        spares reading the row again.
        """
        row = self.model.row_of(document_id, fetch=False)
        before = self.model.summary(row).status if row is not None else None
        if listed is None:
            self.model.refresh_row(document_id)
        else:
            self.model.show_counts(document_id, *listed)
        row = self.model.row_of(document_id, fetch=False)
        if before is None or row is None or self.model.summary(row).status != before:
            self.refresh_progress()

    def refresh_progress(self) -> None:
        """Show how many documents this annotator has done (or skipped), of all."""
        counts = self._documents.status_counts()
        done, total = progress_of(counts)
        self.progress_label.setText(f"done {done} / {total}")
        self.progress_label.setToolTip(" · ".join(f"{STATUS_WORDS[status]} {counts[status]}" for status in Status))
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def reload(self) -> None:
        """Read the list and the progress again (after an import)."""
        self.model.reload()
        self.refresh_progress()
        self._reselect(fetch=True)

    # ------------------------------------------------------------ machinery

    def _set_up_view(self) -> None:
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setShowGrid(False)
        view.setAlternatingRowColors(True)
        view.setTabKeyNavigation(False)
        metrics = view.fontMetrics()
        rows = view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(metrics.height() + 6)
        columns = view.horizontalHeader()
        columns.setStretchLastSection(False)
        columns.setHighlightSections(False)
        columns.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.Fixed)
        columns.setSectionResizeMode(DOCUMENT_COLUMN, QHeaderView.ResizeMode.Stretch)
        columns.setSectionResizeMode(DATE_COLUMN, QHeaderView.ResizeMode.Interactive)
        columns.setSectionResizeMode(CLAIMS_COLUMN, QHeaderView.ResizeMode.Interactive)
        view.setColumnWidth(STATUS_COLUMN, metrics.horizontalAdvance(STATUS_MARK) + 16)
        view.setColumnWidth(DATE_COLUMN, metrics.horizontalAdvance("0000-00-00") + 16)
        view.setColumnWidth(CLAIMS_COLUMN, metrics.horizontalAdvance(HEADERS[CLAIMS_COLUMN]) + 16)

    def _apply_query(self) -> None:
        self._search_timer.stop()
        query = self.query()
        if query == self.model.query:
            return
        self.model.set_query(query)
        self.view.scrollToTop()
        self._reselect(fetch=False)

    def _reselect(self, *, fetch: bool) -> None:
        """Select the open document again after the rows were reloaded (only among loaded rows, unless ``fetch``)."""
        if self._shown is not None:
            self._select(self.model.row_of(self._shown, fetch=fetch))

    def _select(self, row: int | None) -> None:
        self._quiet = True
        try:
            if row is None:
                self.view.clearSelection()
                self.view.setCurrentIndex(_ROOT)
                return
            index = self.model.index(row, DOCUMENT_COLUMN)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
        finally:
            self._quiet = False

    def _on_selection_changed(self) -> None:
        """Follow the selection, not the current index: focus alone makes a row current, unselected."""
        rows = self.view.selectionModel().selectedRows()
        if not self._quiet and rows and self.model.document_id(rows[0].row()) != self._shown:
            self._choose(self.model.document_id(rows[0].row()))

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.document_id(index.row()) != self._shown:
            self._choose(self.model.document_id(index.row()))

    def _choose(self, document_id: int) -> None:
        self._shown = document_id
        self.documentActivated.emit(document_id)
