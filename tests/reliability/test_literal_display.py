"""Markup, ``javascript:`` links, ``[*]``, ``&`` and U+202E in article text, title, labels, names and notes
are shown literally everywhere in the window (issue 5, hostile input).

Qt guesses rich text in labels and tooltips (``Qt.mightBeRichText``), hides
``[*]`` in window titles and takes ``&`` in menu texts as a mnemonic; each of
these is checked where the window shows data: the article view (no anchors,
no images in its document), panels, legend, tooltips, pickers, dialogs,
menus, the document list and the window title, plus a sweep over every
widget and every item view's tooltips.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import (
    Qt,  # QtGui's Qt adds convertFromPlainText
    QTextDocument,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QWidget
from windows import show_window

from annotator.domain.model import Span
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui import dialogs
from annotator.ui.main_window import MainWindow
from annotator.ui.pickers import SpeakerPicker

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
IMG = '<img src="file:///etc/passwd">'
LINK = '<a href="javascript:alert(1)">a link</a>'
TEXT = (
    f"Officials said <b>bold</b> claims and {IMG} with {LINK} \u202eevil\u202c are fine. "
    "R&D [*] holds. Critics disagree."
)
TITLE = f"{IMG} \u202etitle [*] R&D"
SPEAKER = '<a href="javascript:void(0)">Mr X</a>\u202e'
NOTE = '<img src="file:///tmp/x.png"> note \u202e & more'
TARGET = "<b>target</b> [*]"
LABEL = "<i>R&D</i>"
RAW_MARKERS = ("<img", "<a href", "<b>", "<i>")


def span_of(needle: str) -> dict[str, object]:
    start = TEXT.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle}


@pytest.fixture
def window(qtbot, db_path: Path, tmp_path: Path):
    line = {
        "format": "annotator/v1",
        "id": "<b>id</b>",
        "text": TEXT,
        "meta": {"title": TITLE},
        "annotator": "alice",
        "entities": [{**span_of("Officials"), "label": LABEL}],
        "speakers": [{"id": "s", "name": SPEAKER, "mentions": [span_of("Officials")]}],
        "claims": [
            {
                **span_of(IMG),
                "speaker": {"id": "s", "mention": span_of("Officials")},
                "cue": span_of("said"),
                "stance": {"label": "support", "target": TARGET},
                "note": NOTE,
            }
        ],
    }
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    database = Database.open(db_path)
    report = import_paths(database, [str(source)], ImportOptions(use_nlp=False, add_labels=True))
    assert not report.failed, report.failed
    main = show_window(qtbot, database)
    yield main
    database.close()


def rendered(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def sweep(root: QWidget) -> list[str]:
    """Every place under ``root`` where Qt would render our data as markup."""
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel) and "<" in widget.text() and widget.textFormat() != Qt.TextFormat.PlainText:
            problems.append(f"label {widget.objectName() or type(widget).__name__} may render {widget.text()!r}")
        tip = widget.toolTip()
        if any(marker in tip for marker in RAW_MARKERS):
            problems.append(f"tooltip of {type(widget).__name__} renders {tip!r}")
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            root = QModelIndex()
            try:
                columns = model.columnCount(root)
            except TypeError:  # a list model: one column, and columnCount is private in PySide
                columns = 1
            for row in range(min(model.rowCount(root), 200)):
                for column in range(columns):
                    data = model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
                    if isinstance(data, str) and any(marker in data for marker in RAW_MARKERS):
                        problems.append(f"item tooltip in {type(widget).__name__} renders {data!r}")
    return problems


def test_markup_and_bidi_controls_are_shown_literally_everywhere(qtbot, window: MainWindow) -> None:
    # the article view: exactly the text, with no link and no image in Qt's document
    assert window.view.toPlainText() == TEXT
    block = window.view.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fmt = iterator.fragment().charFormat()
            assert not fmt.isAnchor() and not fmt.isImageFormat()
            iterator += 1
        block = block.next()
    # the window title, as the window system gets it ([*] is not a placeholder here)
    qtbot.waitUntil(lambda: TITLE in window.windowHandle().title())
    # panels: cells show the literal strings
    claims_cells = [
        window.claims_panel.table.item(0, c).text()
        for c in range(window.claims_panel.table.columnCount())
        if window.claims_panel.table.item(0, c)
    ]
    assert IMG in claims_cells and NOTE in claims_cells and TARGET in claims_cells, claims_cells
    assert window.speakers_panel.table.item(0, 0).text() == SPEAKER
    # the article's tooltip for the claim: escaped HTML that renders as the literal strings
    description = window.view.describe_at(TEXT.index(IMG) + 1)
    shown = rendered(Qt.convertFromPlainText(description))
    for literal in (SPEAKER, TARGET):
        assert literal in shown, shown
    # the legend's entry for the label, and its tooltip
    assert any(LABEL in entry.description for entry in window.legend.entries()), [
        e.description for e in window.legend.entries()
    ]
    # the document list: title literal, tooltip escaped
    model = window.document_panel.model
    assert TITLE in [model.index(0, c).data() for c in range(model.columnCount())]
    # the context menu: labels, entity and claim text with & and [*], literal (no mnemonic eaten)
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.offset_map().to_qt(TEXT.index("Officials") + 2))
    menu = window.context_menu(window.view.cursorRect(cursor).center())
    titles = [a.text() for a in menu.actions()]
    relabel = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert any(t.replace("&&", "&") == f"Relabel “Officials” ({LABEL})" for t in titles), titles
    assert "&" not in relabel.title().replace("&&", "")
    # the speaker picker's prompt
    start = TEXT.index("<b>bold</b>")
    window.view.select_span(Span(start, start + len("<b>bold</b>")))
    window._make_current(window.annotations.claims[0].id)
    window.view.select_span(Span(start, start + len("<b>bold</b>")))
    qtbot.keyClick(window.view, Qt.Key.Key_S)
    assert isinstance(window.picker, SpeakerPicker)
    assert window.picker.prompt.text() == "Who is “<b>bold</b>”?"
    assert window.picker.prompt.textFormat() == Qt.TextFormat.PlainText
    window.picker.close()
    # the note editor shows the note as it is
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    assert window.inline_editor.field.text() == NOTE
    qtbot.keyClick(window.inline_editor.field, Qt.Key.Key_Escape)
    # dialogs: an error and an import message show hostile text literally
    for box in (dialogs.show_bug(window, f"RuntimeError: {IMG}"), dialogs.show_plain_message(window, TITLE, NOTE)):
        assert box.textFormat() == Qt.TextFormat.PlainText
        box.close()
    # and nowhere else in the window is our data handed to Qt as markup
    assert sweep(window) == []
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes == []
