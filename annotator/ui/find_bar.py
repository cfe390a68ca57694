"""The find bar under the article view (Ctrl+F).

Typing searches the article case-insensitively and selects the first match
from the start of the article; each Enter selects the next match (Shift+Enter
the previous one), wrapping; Esc closes the bar and returns focus to the
article with the match still selected.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from annotator.domain.model import Span
from annotator.ui.article_view import ArticleView


class FindBar(QWidget):
    """A line edit that finds text in an :class:`ArticleView`; hidden until :meth:`open` is called."""

    match_selected = Signal(int, int)
    """The start and end offsets of the match just selected."""
    not_found = Signal(str)
    """The query that has no match in the article."""
    closed = Signal()
    """The bar was closed (Esc or its close button); the view has the focus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view: ArticleView | None = None
        self._match: Span | None = None
        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText("Find in article")
        self.line_edit.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        close = QToolButton(self)
        close.setText("×")
        close.setToolTip("Close (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.line_edit.textChanged.connect(self._search_from_start)
        self.line_edit.installEventFilter(self)
        self.hide()

    def attach(self, view: ArticleView) -> None:
        """Search in ``view`` from now on."""
        self._view = view
        self._match = None

    def open(self) -> None:
        """Show the bar and put the focus in it with its text selected, ready to type a new query."""
        self.show()
        self.line_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.line_edit.selectAll()

    def close_bar(self) -> None:
        """Hide the bar and give the focus back to the article, keeping its selection."""
        self.hide()
        if self._view is not None:
            self._view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def current_match(self) -> Span | None:
        """Return the match selected last, if any."""
        return self._match

    def find_next(self) -> Span | None:
        """Select the next match after the current one, wrapping to the start; return it."""
        start = self._match.start + 1 if self._match is not None else 0
        return self._select(self._find(start, backward=False))

    def find_previous(self) -> Span | None:
        """Select the match before the current one, wrapping to the end; return it."""
        before = self._match.start if self._match is not None else 0
        return self._select(self._find(before, backward=True))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Handle Enter, Shift+Enter and Esc in the line edit."""
        if watched is self.line_edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)

    # -- internals -------------------------------------------------------

    def _pattern(self) -> re.Pattern[str] | None:
        """Return a pattern for the query that also finds overlapping matches (group 1 is the match)."""
        query = self.line_edit.text()
        return re.compile(f"(?=({re.escape(query)}))", re.IGNORECASE) if query else None

    def _find(self, offset: int, backward: bool) -> Span | None:
        """Return the first match at or after ``offset`` (the last one before it when ``backward``), wrapping."""
        pattern = self._pattern()
        if pattern is None or self._view is None:
            return None
        text = self._view.text()
        found: re.Match[str] | None
        if backward:
            matches = list(pattern.finditer(text))
            earlier = [match for match in matches if match.start() < offset]
            found = (earlier or matches)[-1] if matches else None
        else:
            found = pattern.search(text, offset) or pattern.search(text)
        return Span(found.start(1), found.end(1)) if found is not None else None

    def _search_from_start(self) -> None:
        self._match = None
        self._select(self._find(0, backward=False))

    def _select(self, span: Span | None) -> Span | None:
        query = self.line_edit.text()
        if span is None:
            self._match = None
            self.status.setText("not found" if query else "")
            if query:
                self.not_found.emit(query)
            return None
        self._match = span
        self.status.setText("")
        if self._view is not None:
            self._view.select_span(span)
        self.match_selected.emit(span.start, span.end)
        return span
