"""Pending suggestions drawn faintly over the article view, and finding them from the caret.

A suggestion is drawn in one hue (teal), distinct from real claims (blue
dashed underline), mentions (bold purple) and cues (italic orange):

- its content parts: a pale teal background with a dotted teal underline;
- its cue: teal italic text with a dotted underline;
- its source mention: teal text with a wavy underline.

The shared hue links the three, and the suggestion at the caret (the one A
accepts or R rejects) also gets curved teal links from its cue to its
source and to each content part, with a dot at each end, and a box around
its cue and source, so the annotator sees what one key will make. A tooltip names the speaker the mention
resolves to and the score. The drawing uses the view's extra selections and
a painter over the text, so it never changes the highlighter of the real
annotations.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from annotator.domain.model import Span, Suggestion
from annotator.ui.article_view import ArticleView, is_dark_palette

# (light theme, dark theme)
_HUE = ("#1f8a80", "#6fd6c9")
_PALE = ("#e3f4f1", "#1d3533")


class SuggestionLayer(QObject):
    """The suggestions of the open document, drawn on ``view`` and described in its tooltips."""

    def __init__(self, view: ArticleView) -> None:
        super().__init__(view)
        self.view = view
        self.suggestions: list[Suggestion] = []
        view.add_describer(self.describe_at)
        view.add_painter(self.paint_links)
        view.installEventFilter(self)
        view.cursorPositionChanged.connect(view.viewport().update)  # the links follow the caret

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Redraw in the new colours when the view's palette changes (light or dark theme)."""
        if watched is self.view and event.type() == QEvent.Type.PaletteChange:
            self.redraw()
        return False

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        """Show ``suggestions`` (pending, in text order) instead of the previous ones."""
        self.suggestions = sorted(suggestions, key=lambda s: (s.span.start, s.span.end))
        self.redraw()

    def formats(self) -> tuple[QTextCharFormat, QTextCharFormat, QTextCharFormat]:
        """The formats of a suggestion's content, cue and mention, for the view's palette."""
        dark = 1 if is_dark_palette(self.view.palette()) else 0
        hue = QColor(_HUE[dark])
        content = QTextCharFormat()
        content.setBackground(QColor(_PALE[dark]))
        content.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        content.setUnderlineColor(hue)
        cue = QTextCharFormat()
        cue.setForeground(hue)
        cue.setFontItalic(True)
        cue.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        cue.setUnderlineColor(hue)
        mention = QTextCharFormat()
        mention.setForeground(hue)
        mention.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        mention.setUnderlineColor(hue)
        return content, cue, mention

    def redraw(self) -> None:
        """Draw the suggestions again (after a new document, new suggestions or a theme change)."""
        self.view.viewport().update()
        content, cue, mention = self.formats()
        mapping = self.view.offset_map()
        selections: list[QTextEdit.ExtraSelection] = []
        for suggestion in self.suggestions:
            spans = [(part, content) for part in suggestion.parts]
            if suggestion.cue is not None:
                spans.append((suggestion.cue, cue))
            if suggestion.mention is not None:
                spans.append((suggestion.mention, mention))
            for span, fmt in spans:
                start, end = mapping.span_to_qt(span)
                selection = QTextEdit.ExtraSelection()
                cursor = QTextCursor(self.view.document())
                cursor.setPosition(start)
                cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
        self.view.setExtraSelections(selections)

    def hue(self) -> QColor:
        """The suggestions' colour for the view's palette."""
        return QColor(_HUE[1 if is_dark_palette(self.view.palette()) else 0])

    def at_caret(self) -> Suggestion | None:
        """The suggestion whose content, cue or mention holds the caret (or the selection's start)."""
        cursor = self.view.textCursor()
        offset = self.view.offset_map().from_qt(cursor.selectionStart())
        return next((s for s in self.suggestions if any(span.contains(offset) for span in _spans(s))), None)

    def link_path(self) -> QPainterPath:
        """Curves from the caret's suggestion's cue to its source and to each content part (empty when none).

        Each curve runs from the top middle of one span's first line to the
        other's, arching above the text as brat draws its arcs; a span off
        screen gets no curve.
        """
        path = QPainterPath()
        suggestion = self.at_caret()
        if suggestion is None:
            return path
        hub = suggestion.cue or suggestion.mention
        if hub is None:
            return path
        ends = [s for s in (suggestion.mention, *suggestion.parts) if s is not None and s != hub]
        start = self._anchor(hub)
        if start is None:
            return path
        for span in ends:
            end = self._anchor(span)
            if end is None:
                continue
            peak = min(start.y(), end.y()) - self.view.fontMetrics().height() * 0.5
            path.moveTo(start)
            path.quadTo(QPointF((start.x() + end.x()) / 2, peak), end)
        return path

    def paint_links(self, painter: QPainter) -> None:
        """Draw :meth:`link_path` with a dot at each end, and box the cue and mention (called after the text)."""
        path = self.link_path()
        if path.isEmpty():
            return
        color = self.hue()
        color.setAlpha(200)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        suggestion = self.at_caret()
        for span in (suggestion.cue, suggestion.mention) if suggestion is not None else ():
            box = self._box(span) if span is not None else None
            if box is not None:
                painter.drawRoundedRect(box, 3, 3)
        painter.setBrush(color)
        for index in range(path.elementCount()):
            element = path.elementAt(index)
            if element.isMoveTo() or index + 1 == path.elementCount() or path.elementAt(index + 1).isMoveTo():
                painter.drawEllipse(QPointF(element.x, element.y), 2.5, 2.5)
        painter.restore()

    def _box(self, span: Span) -> QRectF | None:
        """The span's outline when it is on screen and on one line (a cue or a mention), else ``None``."""
        first = self.view.anchor_rect(span.start)
        last = self.view.anchor_rect(span.end)
        if first is None or last is None or first.top() != last.top():
            return None
        return QRectF(first.x() - 1.5, first.top() + 0.5, last.x() - first.x() + 3, first.height() - 1)

    def _anchor(self, span: Span) -> QPointF | None:
        """Just above the middle of the span's first line, in viewport coordinates."""
        first = self.view.anchor_rect(span.start)
        last = self.view.anchor_rect(span.end)
        if first is None or last is None:
            return None
        right = last.x() if last.top() == first.top() else first.x() + 2 * self.view.fontMetrics().averageCharWidth()
        return QPointF((first.x() + right) / 2, first.top() + 1)

    def describe_at(self, offset: int) -> list[str]:
        """Plain-text lines for the tooltip: each suggestion whose content, cue or mention covers ``offset``."""
        lines: list[str] = []
        for suggestion in self.suggestions:
            if any(span.contains(offset) for span in _spans(suggestion)):
                lines.append(describe(suggestion))
        return lines

    def at_or_after(self, offset: int) -> Suggestion | None:
        """The suggestion under ``offset`` (content, cue or mention), else the next one after it."""
        for suggestion in self.suggestions:
            if any(span.contains(offset) for span in _spans(suggestion)):
                return suggestion
        return next((s for s in self.suggestions if s.span.start >= offset), None)

    def step(self, offset: int, forward: bool) -> Suggestion | None:
        """The next suggestion starting after ``offset`` (``forward``), or the previous one starting before it."""
        if forward:
            return next((s for s in self.suggestions if s.span.start > offset), None)
        return next((s for s in reversed(self.suggestions) if s.span.start < offset), None)


def _spans(suggestion: Suggestion) -> list[Span]:
    return [*suggestion.parts, *(s for s in (suggestion.cue, suggestion.mention) if s is not None)]


def describe(suggestion: Suggestion) -> str:
    """One plain line about a suggestion: who it resolves to, and how sure the suggester is."""
    speaker = suggestion.speaker_name or "unresolved speaker"
    kind = suggestion.speaker_kind.value
    return f"suggested claim by {speaker} ({kind}), score {suggestion.score:.2f} — A accepts, R rejects"
