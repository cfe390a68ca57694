"""The document list model and panel: lazy loading, filter, search, selection, plain-text titles."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from annotator.domain.model import Span, Status
from annotator.services.documents import DocumentList, DocumentQuery
from annotator.services.editing import Editor
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database
from annotator.ui.document_list import (
    CLAIMS_COLUMN,
    DATE_COLUMN,
    DOCUMENT_COLUMN,
    PAGE_SIZE,
    STATUS_COLORS,
    STATUS_COLUMN,
    DocumentListModel,
    DocumentPanel,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform, showing a window

COUNT = 1000
MARKUP_TITLE = "<b>x</b>"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of 1,000 documents (doc-0000 …), made once per module."""
    folder = tmp_path_factory.mktemp("document-list")
    source = folder / "docs.jsonl"
    lines = []
    for n in range(COUNT):
        meta: dict[str, object] = {"title": f"Story {n:04d}", "date": f"2024-01-{n % 28 + 1:02d}"}
        if n == 5:
            meta["title"] = MARKUP_TITLE
        text = f"Article {n}. " + ("The ambassador spoke in Geneva." if n % 100 == 7 else "Nothing was said.")
        lines.append(json.dumps({"id": f"doc-{n:04d}", "text": text, "meta": meta}))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "template.sqlite3"
    database = Database.open(path)
    assert not import_paths(database, [str(source)], ImportOptions(use_nlp=False)).failed
    database.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "docs.sqlite3"
    shutil.copyfile(template, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture
def ids(db: Database) -> list[int]:
    return [row.id for row in DocumentList(db, "alice").page(DocumentQuery(), 0, COUNT)]


@pytest.fixture
def panel(qtbot: QtBot, db: Database) -> DocumentPanel:
    widget = DocumentPanel(DocumentList(db, "alice"))
    qtbot.addWidget(widget)
    widget.resize(500, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(model: DocumentListModel, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return model.data(model.index(row, column), role)


def test_the_model_loads_only_the_first_page_then_more_on_demand(db: Database, ids: list[int]) -> None:
    model = DocumentListModel(DocumentList(db, "alice"))

    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == COUNT
    assert [model.document_id(row) for row in range(COUNT)] == ids
    assert model.columnCount() == 4
    assert model.rowCount(model.index(0, 0)) == 0


def test_fetching_more_inserts_rows(qtbot: QtBot, db: Database) -> None:
    model = DocumentListModel(DocumentList(db, "alice"))

    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.fetchMore(QModelIndex())

    assert inserted.args[1:] == [PAGE_SIZE, 2 * PAGE_SIZE - 1]


def test_cells_show_status_title_date_and_claims(db: Database, ids: list[int]) -> None:
    alice = Editor(db, "alice")
    alice.create_claim(ids[1], Span(0, 7))
    alice.set_status(ids[2], Status.DONE)
    model = DocumentListModel(DocumentList(db, "alice"))

    assert cell(model, 0, DOCUMENT_COLUMN) == "Story 0000"
    assert cell(model, 0, DATE_COLUMN) == "2024-01-01"
    assert cell(model, 1, CLAIMS_COLUMN) == "1"
    assert cell(model, 1, STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole) == "in progress"
    assert cell(model, 2, STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole) == "done"
    assert cell(model, 2, STATUS_COLUMN, Qt.ItemDataRole.ForegroundRole) == QColor(STATUS_COLORS[Status.DONE])
    assert cell(model, 0, STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole) == "new"
    assert not model.flags(model.index(0, DOCUMENT_COLUMN)) & Qt.ItemFlag.ItemIsEditable


def test_a_title_with_markup_is_shown_literally(qtbot: QtBot, panel: DocumentPanel) -> None:
    model = panel.model

    assert cell(model, 5, DOCUMENT_COLUMN) == MARKUP_TITLE
    tooltip = cell(model, 5, DOCUMENT_COLUMN, Qt.ItemDataRole.ToolTipRole)
    assert isinstance(tooltip, str)
    assert "&lt;b&gt;x&lt;/b&gt;" in tooltip and "<b>" not in tooltip
    assert panel.progress_label.textFormat() == Qt.TextFormat.PlainText


def test_set_query_resets_to_the_first_page_of_the_new_rows(qtbot: QtBot, db: Database, ids: list[int]) -> None:
    Editor(db, "alice").set_status(ids[3], Status.SKIPPED)
    model = DocumentListModel(DocumentList(db, "alice"))
    model.fetchMore(QModelIndex())

    with qtbot.waitSignal(model.modelReset):
        model.set_query(DocumentQuery(status=Status.SKIPPED))

    assert model.rowCount() == 1 and model.document_id(0) == ids[3]
    assert not model.canFetchMore(QModelIndex())
    model.set_query(DocumentQuery(search="geneva"))
    assert [model.document_id(row) for row in range(model.rowCount())] == [ids[n] for n in range(7, COUNT, 100)]


def test_refresh_row_reads_status_and_claims_again(qtbot: QtBot, db: Database, ids: list[int]) -> None:
    model = DocumentListModel(DocumentList(db, "alice"))
    alice = Editor(db, "alice")
    alice.create_claim(ids[4], Span(0, 7))
    alice.create_claim(ids[4], Span(8, 10))
    assert cell(model, 4, CLAIMS_COLUMN) == "0"

    with qtbot.waitSignal(model.dataChanged) as changed:
        model.refresh_row(ids[4])

    assert changed.args[0].row() == 4 and changed.args[1].row() == 4
    assert cell(model, 4, CLAIMS_COLUMN) == "2"
    assert cell(model, 4, STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole) == "in progress"
    model.refresh_row(ids[900])  # not loaded: nothing to do
    assert model.rowCount() == PAGE_SIZE


def test_row_of_fetches_as_far_as_needed(db: Database, ids: list[int]) -> None:
    model = DocumentListModel(DocumentList(db, "alice"))

    assert model.row_of(ids[850], fetch=False) is None
    assert model.row_of(ids[850]) == 850
    assert PAGE_SIZE * 5 >= model.rowCount() > 850
    assert model.row_of(ids[10]) == 10
    model.set_query(DocumentQuery(search="geneva"))
    assert model.row_of(ids[8]) is None
    assert model.row_of(ids[907]) == 9
    assert model.row_of(max(ids) + 1) is None


def test_the_status_filter_changes_the_rows(qtbot: QtBot, db: Database, ids: list[int]) -> None:
    alice = Editor(db, "alice")
    for n in (10, 20, 30):
        alice.set_status(ids[n], Status.DONE)
    panel = DocumentPanel(DocumentList(db, "alice"))
    qtbot.addWidget(panel)

    panel.status_filter.setCurrentIndex(panel.status_filter.findText("done"))

    assert [panel.model.document_id(row) for row in range(panel.model.rowCount())] == [ids[10], ids[20], ids[30]]
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("new"))
    assert panel.model.rowCount() == PAGE_SIZE and panel.model.document_id(10) == ids[11]
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("All"))
    assert panel.model.document_id(10) == ids[10]


def test_the_search_field_is_debounced_and_changes_the_rows(qtbot: QtBot, panel: DocumentPanel, ids: list[int]) -> None:
    qtbot.keyClicks(panel.search, "GENEVA")

    assert panel.model.rowCount() == PAGE_SIZE  # not yet: the search waits for typing to pause
    qtbot.waitUntil(lambda: panel.model.rowCount() == 10, timeout=2000)
    assert panel.model.document_id(0) == ids[7]
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == PAGE_SIZE, timeout=2000)


def test_enter_in_the_search_field_searches_at_once(qtbot: QtBot, panel: DocumentPanel) -> None:
    qtbot.keyClicks(panel.search, "story 0999")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)

    assert panel.model.rowCount() == 1


def test_clicking_a_row_emits_document_activated(qtbot: QtBot, panel: DocumentPanel, ids: list[int]) -> None:
    rect = panel.view.visualRect(panel.model.index(3, DOCUMENT_COLUMN))

    with qtbot.waitSignal(panel.documentActivated) as activated:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert activated.args == [ids[3]]
    with qtbot.waitSignal(panel.documentActivated) as activated:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert activated.args == [ids[4]]
    with qtbot.assertNotEmitted(panel.documentActivated):
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)  # already the open one


def test_enter_on_the_current_row_emits_document_activated(qtbot: QtBot, panel: DocumentPanel, ids: list[int]) -> None:
    panel.show_document(ids[0])
    panel.view.setFocus()
    # Focus alone makes a row current without selecting it (what Qt does on Tab): nothing opens yet.
    with qtbot.assertNotEmitted(panel.documentActivated):
        panel.view.selectionModel().setCurrentIndex(
            panel.model.index(2, DOCUMENT_COLUMN), QItemSelectionModel.SelectionFlag.NoUpdate
        )

    with qtbot.waitSignal(panel.documentActivated) as activated:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)

    assert activated.args == [ids[2]]


def test_show_document_selects_without_emitting(qtbot: QtBot, panel: DocumentPanel, ids: list[int]) -> None:
    with qtbot.assertNotEmitted(panel.documentActivated):
        panel.show_document(ids[640])

    selected = panel.view.selectionModel().selectedRows()
    assert [panel.model.document_id(index.row()) for index in selected] == [ids[640]]
    assert panel.model.rowCount() > 640


def test_the_selection_follows_the_open_document_across_filters(qtbot: QtBot, panel: DocumentPanel) -> None:
    panel.show_document(panel.model.document_id(7))
    qtbot.keyClicks(panel.search, "geneva")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)

    assert [index.row() for index in panel.view.selectionModel().selectedRows()] == [0]
    qtbot.keyClicks(panel.search, "x")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.model.rowCount() == 0 and not panel.view.selectionModel().selectedRows()


def test_progress_shows_done_of_total(qtbot: QtBot, db: Database, panel: DocumentPanel, ids: list[int]) -> None:
    assert panel.progress_label.text() == f"done 0 / {COUNT}"
    alice = Editor(db, "alice")
    alice.set_status(ids[0], Status.DONE)
    alice.set_status(ids[1], Status.SKIPPED)
    alice.set_status(ids[2], Status.DONE)

    panel.refresh_document(ids[2])

    assert panel.progress_label.text() == f"done 3 / {COUNT}"
    assert (panel.progress_bar.value(), panel.progress_bar.maximum()) == (3, COUNT)
    assert "skipped 1" in panel.progress_label.toolTip()
    assert cell(panel.model, 2, STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole) == "done"


def test_reload_sees_new_documents(qtbot: QtBot, db: Database, panel: DocumentPanel, tmp_path: Path) -> None:
    panel.status_filter.setCurrentIndex(panel.status_filter.findText("new"))
    panel.search.setText("brand new")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.model.rowCount() == 0
    source = tmp_path / "more.jsonl"
    source.write_text(json.dumps({"id": "late", "text": "A brand new article."}) + "\n", encoding="utf-8")
    assert not import_paths(db, [str(source)], ImportOptions(use_nlp=False)).failed

    panel.reload()

    assert panel.model.rowCount() == 1
    assert panel.progress_label.text() == f"done 0 / {COUNT + 1}"
