"""The find bar driven directly (the main window wires Ctrl+F to FindBar.open later)."""

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from annotator.domain.model import AnnotationSet, Span
from annotator.domain.schema import default_schema
from annotator.ui.article_view import ArticleView
from annotator.ui.find_bar import FindBar

# The offscreen platform warns about window features it lacks.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def parts(qtbot: QtBot, article: str) -> Iterator[tuple[ArticleView, FindBar]]:
    window = QWidget()
    layout = QVBoxLayout(window)
    view = ArticleView(window)
    bar = FindBar(window)
    layout.addWidget(view)
    layout.addWidget(bar)
    bar.attach(view)
    view.set_document(article, AnnotationSet(), default_schema())
    qtbot.addWidget(window)
    window.resize(700, 500)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    view.setFocus()
    yield view, bar  # the window stays referenced until the test ends


def occurrences(text: str, needle: str) -> list[Span]:
    lowered, spans, start = text.lower(), [], 0
    while (start := lowered.find(needle, start)) != -1:
        spans.append(Span(start, start + len(needle)))
        start += 1
    return spans


def test_typing_selects_the_first_match_from_the_start(
    parts: tuple[ArticleView, FindBar], qtbot: QtBot, article: str
) -> None:
    view, bar = parts
    view.select_span(Span(len(article) - 10, len(article) - 5))  # the caret is far down
    bar.open()
    assert bar.isVisible()
    assert QApplication.focusWidget() is bar.line_edit
    selected: list[tuple[int, int]] = []
    bar.match_selected.connect(lambda start, end: selected.append((start, end)))
    qtbot.keyClicks(bar.line_edit, "malhotra")
    first = occurrences(article, "malhotra")[0]
    assert selected[-1] == (first.start, first.end)
    assert view.textCursor().selectedText() == "Malhotra"
    assert bar.current_match() == first
    assert view.selected_span() == first


def test_enter_selects_the_next_match_and_wraps(parts: tuple[ArticleView, FindBar], qtbot: QtBot, article: str) -> None:
    view, bar = parts
    bar.open()
    qtbot.keyClicks(bar.line_edit, "malhotra")
    spans = occurrences(article, "malhotra")
    assert len(spans) >= 3
    seen = [bar.current_match()]
    for _ in spans:
        qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
        seen.append(bar.current_match())
        assert view.textCursor().selectedText() == "Malhotra"
    assert seen == [*spans, spans[0]]  # the last Enter wrapped to the first match
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.current_match() == spans[-1]  # Shift+Enter goes back, wrapping
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert bar.current_match() == spans[0]


def test_esc_returns_to_the_article_with_the_match_selected(
    parts: tuple[ArticleView, FindBar], qtbot: QtBot, article: str
) -> None:
    view, bar = parts
    bar.open()
    qtbot.keyClicks(bar.line_edit, "MALHOTRA")
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    second = occurrences(article, "malhotra")[1]
    with qtbot.waitSignal(bar.closed):
        qtbot.keyClick(bar.line_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert QApplication.focusWidget() is view
    assert view.selected_span() == second
    assert view.textCursor().selectedText() == "Malhotra"


def test_a_changed_query_starts_again_from_the_start(
    parts: tuple[ArticleView, FindBar], qtbot: QtBot, article: str
) -> None:
    _, bar = parts
    bar.open()
    qtbot.keyClicks(bar.line_edit, "india")
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(bar.line_edit, "'s")
    assert bar.current_match() == occurrences(article, "india's")[0]
    bar.open()  # again: the old query is selected, so typing replaces it
    qtbot.keyClicks(bar.line_edit, "ani")
    assert bar.line_edit.text() == "ani"
    assert bar.current_match() == occurrences(article, "ani")[0]


def test_no_match(parts: tuple[ArticleView, FindBar], qtbot: QtBot) -> None:
    view, bar = parts
    bar.open()
    qtbot.keyClicks(bar.line_edit, "Putin")
    found = view.selected_span()
    missing: list[str] = []
    bar.not_found.connect(missing.append)
    qtbot.keyClicks(bar.line_edit, "zzz")
    assert missing == ["Putinz", "Putinzz", "Putinzzz"]
    assert bar.current_match() is None
    assert bar.status.text() == "not found"
    assert view.selected_span() == found  # the last match stays selected
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    assert bar.current_match() is None


def test_single_keys_type_into_the_bar_not_the_view(parts: tuple[ArticleView, FindBar], qtbot: QtBot) -> None:
    view, bar = parts
    triggered: list[str] = []
    action = QAction("claim", view)
    action.setShortcut(QKeySequence("C"))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(lambda: triggered.append("C"))
    view.addAction(action)
    bar.open()
    qtbot.keyClicks(bar.line_edit, "cue")
    assert bar.line_edit.text() == "cue"
    assert triggered == []
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Escape)
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert triggered == ["C"]
