"""The legend: the entity labels in their colours and samples of the claim, mention and cue styles.

The samples are drawn with the article view's own formats (:class:`SpanStyles`),
so the legend always looks like the article. Every text is drawn as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRect, QSize
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, Qt, QTextLayout
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from annotator.domain.schema import ENTITY, LabelSchema
from annotator.ui.article_view import CURRENT, OTHER, SegmentKey, SpanStyles, is_dark_palette

_PAD = 3
_SPACING = 6

_SAMPLES = (
    ("claim", SegmentKey(claim=OTHER), "a claim (dashed underline)"),
    ("current claim", SegmentKey(claim=CURRENT), "the current claim (solid underline, tint, bar in the margin)"),
    ("speaker mention", SegmentKey(mention=OTHER), "a mention of a speaker (bold)"),
    ("cue", SegmentKey(cue=OTHER), "a reporting cue (italic, dotted underline)"),
)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One item of the legend: its text, how it is drawn and what it means."""

    text: str
    key: SegmentKey
    description: str


class Legend(QWidget):
    """A wrapping row of the entity labels and the span-style samples."""

    def __init__(self, parent: QWidget | None = None, *, schema: LabelSchema | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._styles = SpanStyles(LabelSchema(), is_dark_palette(self.palette()))
        self._entries: list[LegendEntry] = []
        self._layouts: list[QTextLayout] = []
        self.set_schema(schema if schema is not None else LabelSchema())

    def set_schema(self, schema: LabelSchema) -> None:
        """Show the labels of ``schema``."""
        self._styles = SpanStyles(schema, is_dark_palette(self.palette()))
        self._entries = [
            LegendEntry(label.name, SegmentKey(label.name), f"{label.name}: {label.description}".rstrip(": "))
            for label in schema.labels(ENTITY)
        ]
        self._entries += [LegendEntry(text, key, description) for text, key, description in _SAMPLES]
        self._rebuild()

    def entries(self) -> list[LegendEntry]:
        """Return the items shown, in order."""
        return list(self._entries)

    # -- Qt overrides ----------------------------------------------------

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        """Tell the layout that the height depends on the width (the row wraps)."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        """Return the height needed to show every item at ``width``."""
        rects = self._place(width)
        return max((rect.bottom() + 1 for rect in rects), default=0)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Prefer one row."""
        rects = self._place(1 << 20)
        width = max((rect.right() + 1 for rect in rects), default=0)
        return QSize(width, max((rect.bottom() + 1 for rect in rects), default=0))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Allow shrinking down to the widest item."""
        widest = max((self._item_size(index).width() for index in range(len(self._entries))), default=0)
        return QSize(widest, self.heightForWidth(widest))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Draw each item: a chip in the entity colour, or a sample in the span style."""
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for entry, layout, rect in zip(self._entries, self._layouts, self._place(self.width()), strict=True):
                if entry.key.entity is not None:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(self._styles.schema.color(ENTITY, entry.key.entity)))
                    painter.drawRoundedRect(rect, 3, 3)
                else:
                    painter.setPen(self.palette().color(self.foregroundRole()))
                layout.draw(painter, QPointF(rect.left() + _PAD, rect.top() + _PAD))
        finally:
            painter.end()

    def event(self, event: QEvent) -> bool:
        """Show the meaning of the item under the mouse as a plain-text tooltip."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            for entry, rect in zip(self._entries, self._place(self.width()), strict=True):
                if rect.contains(event.pos()):
                    QToolTip.showText(event.globalPos(), Qt.convertFromPlainText(entry.description), self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._styles = SpanStyles(self._styles.schema, is_dark_palette(self.palette()))
            self._rebuild()
        return super().event(event)

    # -- internals -------------------------------------------------------

    def _rebuild(self) -> None:
        self._layouts = []
        for entry in self._entries:
            layout = QTextLayout(entry.text, self.font())
            text_format = QTextLayout.FormatRange()
            text_format.start = 0
            text_format.length = len(entry.text)
            text_format.format = self._styles.format_for(entry.key)
            layout.setFormats([text_format])
            layout.beginLayout()
            line = layout.createLine()
            line.setLineWidth(1 << 20)
            layout.endLayout()
            self._layouts.append(layout)
        self.updateGeometry()
        self.update()

    def _item_size(self, index: int) -> QSize:
        line = self._layouts[index].lineAt(0)
        return QSize(int(line.naturalTextWidth()) + 1 + 2 * _PAD, int(line.height()) + 1 + 2 * _PAD)

    def _place(self, width: int) -> list[QRect]:
        rects: list[QRect] = []
        x = y = row_height = 0
        for index in range(len(self._layouts)):
            size = self._item_size(index)
            if x > 0 and x + size.width() > width:
                x, y, row_height = 0, y + row_height + _SPACING, 0
            rects.append(QRect(x, y, size.width(), size.height()))
            x += size.width() + _SPACING
            row_height = max(row_height, size.height())
        return rects
