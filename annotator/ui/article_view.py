"""The article view: the document's text, read-only, with its annotations drawn over it.

Each kind of span has its own visual channel, so overlaps stay readable:

- entity: background in the label's colour, with a text colour chosen for contrast;
- claim: a dashed underline (the current claim: a solid, stronger underline,
  a light tint where no entity colours the background, and a bar in the left margin);
- speaker mention: bold text in the mention colour (the current one stronger and underlined);
- cue: italic with a dotted underline (the current one in a stronger colour).

Formatting is done by a :class:`QSyntaxHighlighter` that looks up, for each
block, precomputed non-overlapping segments (Qt positions) with a binary
search; a change of the current claim or of the annotations re-highlights
only the blocks whose segments changed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, NamedTuple, TypeVar

from PySide6.QtCore import QEvent, QPoint, QRect
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QSyntaxHighlighter,
    Qt,  # QtGui's Qt adds convertFromPlainText to QtCore's
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.domain.model import AnnotationSet, Claim, Entity, Span, Speaker
from annotator.domain.schema import ENTITY, LabelSchema
from annotator.ui.offsets import OffsetMap

NONE, OTHER, CURRENT = 0, 1, 2
"""Levels of a claim, mention or cue in a segment: absent, present, the current claim's."""


class SegmentKey(NamedTuple):
    """What covers one stretch of text: the entity label and the level of claim, mention and cue."""

    entity: str | None = None
    claim: int = NONE
    mention: int = NONE
    cue: int = NONE


def is_dark_palette(palette: QPalette) -> bool:
    """Tell whether the palette's text background is dark (a dark theme)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def readable_text_color(background: QColor) -> QColor:
    """Return near-black or near-white, whichever reads better on ``background``."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in (background.redF(), background.greenF(), background.blueF()))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return QColor("#1b1b1b") if luminance > 0.18 else QColor("#f5f5f5")


# (on a light background, on a dark background) for (other, current).
_INKS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "claim": (("#5a7bbf", "#0d3fa6"), ("#7fa3e6", "#b3d1ff")),
    "mention": (("#6a2c91", "#3d0066"), ("#d3a6f0", "#f0d9ff")),
    "cue": (("#b06000", "#7a3300"), ("#f0b060", "#ffd699")),
}
_CLAIM_TINT = ("#e8efff", "#1f2a44")


class SpanStyles:
    """The text formats of every kind of span, for one schema and one (light or dark) palette.

    Shared by :class:`ArticleView` and the legend, so the legend's samples
    look exactly like the article.
    """

    def __init__(self, schema: LabelSchema, dark: bool = False) -> None:
        self.schema = schema
        self.dark = dark
        self._cache: dict[SegmentKey, QTextCharFormat] = {}

    def ink(self, kind: str, current: bool, on_light: bool) -> QColor:
        """Return the colour of ``kind`` (``"claim"``, ``"mention"`` or ``"cue"``) on a light or dark background."""
        light, dark = _INKS[kind]
        return QColor((light if on_light else dark)[1 if current else 0])

    def bar_color(self) -> QColor:
        """Return the colour of the current claim's bar in the left margin."""
        return self.ink("claim", True, not self.dark)

    def format_for(self, key: SegmentKey) -> QTextCharFormat:
        """Return the character format of a stretch covered as ``key`` says (cached)."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        fmt = QTextCharFormat()
        on_light = key.entity is not None or not self.dark
        if key.entity is not None:
            background = QColor(self.schema.color(ENTITY, key.entity))
            fmt.setBackground(background)
            fmt.setForeground(readable_text_color(background))
        elif key.claim == CURRENT and not key.cue:
            fmt.setBackground(QColor(_CLAIM_TINT[1 if self.dark else 0]))
        if key.claim:
            fmt.setUnderlineStyle(
                QTextCharFormat.UnderlineStyle.SingleUnderline
                if key.claim == CURRENT
                else QTextCharFormat.UnderlineStyle.DashUnderline
            )
            fmt.setUnderlineColor(self.ink("claim", key.claim == CURRENT, on_light))
        if key.mention:
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setForeground(self.ink("mention", key.mention == CURRENT, on_light))
            if key.mention == CURRENT and not key.claim and not key.cue:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(self.ink("mention", True, on_light))
        if key.cue:
            fmt.setFontItalic(True)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(self.ink("cue", key.cue == CURRENT, on_light))
        self._cache[key] = fmt
        return fmt


@dataclass(slots=True)
class _Mention:
    span: Span
    speaker: Speaker | None
    claim: Claim | None


Value = TypeVar("Value")
Levels = tuple[int, int, int]
"""The levels of claim, mention and cue over one stretch."""


@dataclass(slots=True)
class _Runs(Generic[Value]):
    """Non-overlapping stretches in Qt positions, sorted, each with a value."""

    starts: list[int]
    ends: list[int]
    values: list[Value]

    def within(self, first: int, last: int) -> range:
        """Return the indexes of the runs that meet ``[first, last)``."""
        return range(bisect_right(self.ends, first), bisect_left(self.starts, last))

    def items(self) -> set[tuple[int, int, Value]]:
        """Return the runs as a set, to compare two versions."""
        return set(zip(self.starts, self.ends, self.values, strict=True))

    def same_as(self, other: _Runs[Value]) -> bool:
        """Tell whether ``other`` holds the same runs."""
        return self.starts == other.starts and self.ends == other.ends and self.values == other.values


def _entity_runs(starts: list[int], ends: list[int], labels: list[str]) -> _Runs[str]:
    """Cut entities (sorted by start) into non-overlapping runs; where they overlap, the later-starting one shows."""
    runs: _Runs[str] = _Runs([], [], [])
    if all(ends[index] <= starts[index + 1] for index in range(len(starts) - 1)):
        for start, end, label in zip(starts, ends, labels, strict=True):
            if start < end:
                runs.starts.append(start)
                runs.ends.append(end)
                runs.values.append(label)
        return runs
    events = sorted(
        [(start, 1, label) for start, label in zip(starts, labels, strict=True)]
        + [(end, -1, label) for end, label in zip(ends, labels, strict=True)],
        key=lambda event: event[0],
    )
    open_labels: list[str] = []
    index, total = 0, len(events)
    while index < total:
        position = events[index][0]
        while index < total and events[index][0] == position:
            _, step, label = events[index]
            if step > 0:
                open_labels.append(label)
            else:
                del open_labels[len(open_labels) - 1 - open_labels[::-1].index(label)]
            index += 1
        if index < total and open_labels:
            _append_run(runs, position, events[index][0], open_labels[-1])
    return runs


def _overlay_runs(events: list[tuple[int, int, int, int]]) -> _Runs[Levels]:
    """Cut claims, mentions and cues into runs of levels; events are ``(position, kind, level, +1 or -1)``."""
    runs: _Runs[Levels] = _Runs([], [], [])
    events.sort(key=lambda event: event[0])
    counts = [[0, 0, 0] for _ in range(3)]  # counts[kind][level] of the spans open here
    index, total = 0, len(events)
    while index < total:
        position = events[index][0]
        while index < total and events[index][0] == position:
            _, kind, level, step = events[index]
            counts[kind][level] += step
            index += 1
        if index == total:
            break
        claim, mention, cue = (CURRENT if count[CURRENT] else OTHER if count[OTHER] else NONE for count in counts)
        if claim or mention or cue:
            _append_run(runs, position, events[index][0], (claim, mention, cue))
    return runs


def _append_run(runs: _Runs[Value], start: int, end: int, value: Value) -> None:
    """Append a run, merging it into the previous one when they touch and have the same value."""
    if start >= end:
        return
    if runs.ends and runs.ends[-1] == start and runs.values[-1] == value:
        runs.ends[-1] = end
    else:
        runs.starts.append(start)
        runs.ends.append(end)
        runs.values.append(value)


class _SpanHighlighter(QSyntaxHighlighter):
    """Formats each block from the view's precomputed runs of entities and of claims/mentions/cues."""

    def __init__(self, document: QTextDocument, styles: SpanStyles) -> None:
        super().__init__(document)
        self.entities: _Runs[str] = _Runs([], [], [])
        self.overlay: _Runs[Levels] = _Runs([], [], [])
        self.styles = styles

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Apply the runs that fall in the current block."""
        block = self.currentBlock()
        first = block.position()
        last = first + block.length() - 1  # not len(text): Qt counts UTF-16 units, Python code points
        entities, overlay, format_for = self.entities, self.overlay, self.styles.format_for
        entity_range = entities.within(first, last)
        overlay_range = overlay.within(first, last)
        if not overlay_range:
            for index in entity_range:
                start = max(entities.starts[index], first)
                end = min(entities.ends[index], last)
                self.setFormat(start - first, end - start, format_for(SegmentKey(entities.values[index])))
            return
        # Claims, mentions or cues here: cut the block at every run boundary and combine.
        cuts = {first, last}
        for runs, indexes in ((entities, entity_range), (overlay, overlay_range)):
            for index in indexes:
                cuts.add(max(runs.starts[index], first))
                cuts.add(min(runs.ends[index], last))
        points = sorted(cuts)
        entity, overlaid = entity_range.start, overlay_range.start
        for start, end in pairwise(points):
            while entity < entity_range.stop and entities.ends[entity] <= start:
                entity += 1
            while overlaid < overlay_range.stop and overlay.ends[overlaid] <= start:
                overlaid += 1
            label = entities.values[entity] if entity < entity_range.stop and entities.starts[entity] <= start else None
            levels = (
                overlay.values[overlaid]
                if overlaid < overlay_range.stop and overlay.starts[overlaid] <= start
                else (NONE, NONE, NONE)
            )
            if label is not None or any(levels):
                self.setFormat(start - first, end - start, format_for(SegmentKey(label, *levels)))


class ArticleView(QPlainTextEdit):
    """The article's text, read-only but with a keyboard-movable cursor and selection, and its annotations.

    All positions in its API are domain offsets (code points); the
    conversion to Qt positions happens in :class:`OffsetMap` only.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(8)
        self._text = ""
        self._map = OffsetMap("")
        self._annotations = AnnotationSet()
        self._current: Claim | None = None
        self._zoom = 0
        self._styles = SpanStyles(LabelSchema(), is_dark_palette(self.palette()))
        self._highlighter = _SpanHighlighter(self.document(), self._styles)
        self._entities: list[Entity] = []
        self._entity_starts: list[int] = []
        self._longest_entity = 0
        self._mentions: list[_Mention] = []
        self._describers: list[Callable[[int], list[str]]] = []
        self._painters: list[Callable[[QPainter], None]] = []

    # -- loading ---------------------------------------------------------

    def set_document(self, text: str, annotations: AnnotationSet, schema: LabelSchema) -> None:
        """Show ``text`` as plain text with ``annotations``; the current claim is cleared."""
        self._text = text
        self._map = OffsetMap(text)
        self._annotations = annotations
        self._current = None
        self._set_styles(schema)
        self._index_annotations()
        # The highlighter formats every block while the text is inserted.
        self._highlighter.entities = self._compute_entity_runs()
        self._highlighter.overlay = self._compute_overlay_runs()
        self.setPlainText(text)

    def refresh_annotations(self, annotations: AnnotationSet) -> None:
        """Redraw with new ``annotations`` of the same text, re-highlighting only the blocks that changed.

        The current claim stays current when ``annotations`` holds it (the
        same object, or a claim with the same database id).
        """
        self._annotations = annotations
        current = self._current
        self._current = None
        if current is not None:
            for claim in annotations.claims:
                if claim is current or (current.id is not None and claim.id == current.id):
                    self._current = claim
                    break
        self._index_annotations()
        changed: set[tuple[int, int, object]] = set()
        entities = self._compute_entity_runs()
        if not entities.same_as(self._highlighter.entities):
            changed |= entities.items() ^ self._highlighter.entities.items()
            self._highlighter.entities = entities
        changed |= self._swap_overlay()
        self._rehighlight(changed)

    def set_current_claim(self, claim: Claim | None) -> None:
        """Make ``claim`` (one of the annotations' claims, or ``None``) the one that stands out."""
        if claim is self._current:
            return
        self._current = claim
        self._rehighlight(self._swap_overlay())

    def current_claim(self) -> Claim | None:
        """Return the claim that stands out, if any."""
        return self._current

    def text(self) -> str:
        """Return the text as given to :meth:`set_document` (the domain's text, not Qt's)."""
        return self._text

    def offset_map(self) -> OffsetMap:
        """Return the offset conversion of the shown text."""
        return self._map

    def annotations(self) -> AnnotationSet:
        """Return the annotations shown."""
        return self._annotations

    # -- selection -------------------------------------------------------

    def selected_span(self) -> Span | None:
        """Return the selection snapped outward to whole tokens; ``None`` when only white space is selected."""
        cursor = self.textCursor()
        return self._map.selection_to_span(cursor.anchor(), cursor.position())

    def select_span(self, span: Span) -> None:
        """Select exactly ``span`` (no snapping) and scroll it into view."""
        start, end = self._map.span_to_qt(span)
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def caret_offset(self) -> int:
        """Return the offset of the text cursor (the moving end of the selection)."""
        return self._map.from_qt(self.textCursor().position())

    # -- look ------------------------------------------------------------

    def styles(self) -> SpanStyles:
        """Return the formats used to draw spans (for a legend that matches)."""
        return self._styles

    def zoom_in(self) -> None:
        """Make the text one step larger."""
        if self._zoom < 20:
            self._zoom += 1
            self.zoomIn(1)

    def zoom_out(self) -> None:
        """Make the text one step smaller."""
        if self._zoom > -6:
            self._zoom -= 1
            self.zoomOut(1)

    def describe_at(self, offset: int) -> str:
        """Return plain text naming every span that covers ``offset``, one a line ("" when none)."""
        lines: list[str] = []
        index = bisect_right(self._entity_starts, offset)
        while index > 0 and self._entity_starts[index - 1] > offset - self._longest_entity:
            index -= 1
            entity = self._entities[index]
            if entity.start <= offset < entity.end:
                lines.append(f"ENTITY {entity.label}: {self._text[entity.start : entity.end]}")
        lines.reverse()
        for claim in self._annotations.claims:
            if any(piece.contains(offset) for piece in claim.pieces):
                lines.append(self._describe_claim(claim))
        for mention in self._mentions:
            if mention.span.contains(offset):
                name = mention.speaker.name if mention.speaker is not None else "unknown speaker"
                lines.append(f"speaker mention: {name}")
        for claim in self._annotations.claims:
            if claim.cue is not None and claim.cue.contains(offset):
                lines.append(f"cue of the {self._describe_claim(claim)}")
        for describer in self._describers:
            lines.extend(describer(offset))
        return "\n".join(lines)

    def add_describer(self, describer: Callable[[int], list[str]]) -> None:
        """Add plain-text tooltip lines from another layer (suggestions): ``describer(offset)`` returns them."""
        self._describers.append(describer)

    def add_painter(self, paint: Callable[[QPainter], None]) -> None:
        """Draw another layer's marks (the suggestion at the caret's links) over the text after each paint."""
        self._painters.append(paint)

    def visible_qt_range(self) -> tuple[int, int]:
        """The Qt positions of the first and last characters on screen."""
        viewport = self.viewport()
        first = self.firstVisibleBlock().position()
        last = self.cursorForPosition(QPoint(viewport.width(), viewport.height())).position()
        return first, last

    def anchor_rect(self, offset: int) -> QRect | None:
        """The caret rectangle at domain ``offset`` in viewport coordinates, ``None`` when it is off screen."""
        position = self._map.to_qt(offset)
        first, last = self.visible_qt_range()
        if not first <= position <= last:
            return None  # measuring off screen could lay out much of a long text
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        return self.cursorRect(cursor)

    def _describe_claim(self, claim: Claim) -> str:
        speaker = claim.speaker.name if claim.speaker is not None else "unknown speaker"
        words = f"{'current ' if claim is self._current else ''}claim by {speaker}"
        stance = claim.stance
        if stance is not None and not stance.is_empty:
            words += " — stance"
            if stance.label is not None:
                words += f" {stance.label}"
            if stance.target:
                words += f" → {stance.target}"
        return words

    # -- Qt overrides ----------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Show a plain-text tooltip naming the spans under the mouse."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            description = self._describe_point(event)
            if description:
                QToolTip.showText(
                    event.globalPos(), Qt.convertFromPlainText(description, Qt.WhiteSpaceMode.WhiteSpacePre), self
                )
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Paint the text, then the current claim's bar in the left margin and the other layers' marks."""
        super().paintEvent(event)
        if self._current is None and not self._painters:
            return
        painter = QPainter(self.viewport())
        try:
            if self._current is not None:
                self._paint_current_bar(painter, self._current)
            for paint in self._painters:
                paint(painter)
        finally:
            painter.end()

    def _paint_current_bar(self, painter: QPainter, claim: Claim) -> None:
        first, last = self.visible_qt_range()
        color = self._styles.bar_color()
        cursor = QTextCursor(self.document())
        for piece in claim.pieces:
            start, end = self._map.span_to_qt(piece)
            if end < first or start > last:
                continue  # off screen: measuring it could lay out much of a long text
            cursor.setPosition(max(start, first))
            top = self.cursorRect(cursor).top()
            cursor.setPosition(min(end, last))
            bottom = self.cursorRect(cursor).bottom()
            painter.fillRect(QRect(2, top, 3, bottom - top + 1), color)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Choose light or dark colours again when the palette changes."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and is_dark_palette(self.palette()) != self._styles.dark:
            self._set_styles(self._styles.schema)
            self._highlighter.rehighlight()

    # -- internals -------------------------------------------------------

    def _set_styles(self, schema: LabelSchema) -> None:
        dark = is_dark_palette(self.palette())
        if schema is not self._styles.schema or dark != self._styles.dark:
            self._styles = SpanStyles(schema, dark)
            self._highlighter.styles = self._styles

    def _describe_point(self, event: QHelpEvent) -> str:
        point = event.pos()
        cursor = self.cursorForPosition(point)
        position = cursor.position()
        if point.x() < self.cursorRect(cursor).left() and position > cursor.block().position():
            position -= 1  # the mouse is on the character before the nearest boundary
        if position >= cursor.block().position() + cursor.block().length() - 1:
            return ""  # past the end of the line
        return self.describe_at(self._map.from_qt(position))

    def _index_annotations(self) -> None:
        annotations = self._annotations
        self._entities = sorted(annotations.entities, key=lambda entity: (entity.start, entity.end))
        self._entity_starts = [entity.start for entity in self._entities]
        self._longest_entity = max((entity.end - entity.start for entity in self._entities), default=0)
        mentions: list[_Mention] = []
        seen: set[tuple[int, int, int]] = set()
        for claim in annotations.claims:
            if claim.mention is not None:
                seen.add((claim.mention.start, claim.mention.end, id(claim.speaker)))
                mentions.append(_Mention(claim.mention, claim.speaker, claim))
        for speaker in annotations.speakers:
            for span in speaker.mentions:
                if (span.start, span.end, id(speaker)) not in seen:
                    seen.add((span.start, span.end, id(speaker)))
                    mentions.append(_Mention(span, speaker, None))
        self._mentions = mentions

    def _compute_entity_runs(self) -> _Runs[str]:
        to_qt_many = self._map.to_qt_many
        return _entity_runs(
            to_qt_many([entity.start for entity in self._entities]),
            to_qt_many([entity.end for entity in self._entities]),
            [entity.label for entity in self._entities],
        )

    def _compute_overlay_runs(self) -> _Runs[Levels]:
        to_qt, current = self._map.to_qt, self._current
        events: list[tuple[int, int, int, int]] = []  # (position, kind 0 claim 1 mention 2 cue, level, +1/-1)
        for claim in self._annotations.claims:
            level = CURRENT if claim is current else OTHER
            for piece in claim.pieces:
                events += [(to_qt(piece.start), 0, level, 1), (to_qt(piece.end), 0, level, -1)]
            if claim.cue is not None:
                events += [(to_qt(claim.cue.start), 2, level, 1), (to_qt(claim.cue.end), 2, level, -1)]
        for mention in self._mentions:
            level = CURRENT if mention.claim is not None and mention.claim is current else OTHER
            events += [(to_qt(mention.span.start), 1, level, 1), (to_qt(mention.span.end), 1, level, -1)]
        return _overlay_runs(events)

    def _swap_overlay(self) -> set[tuple[int, int, object]]:
        """Recompute the claim/mention/cue runs; return the runs that changed (old and new)."""
        overlay = self._compute_overlay_runs()
        changed: set[tuple[int, int, object]] = set(overlay.items() ^ self._highlighter.overlay.items())
        self._highlighter.overlay = overlay
        return changed

    def _rehighlight(self, changed: Iterable[tuple[int, int, object]]) -> None:
        """Re-highlight the blocks that the ``changed`` runs touch, and repaint."""
        ranges = sorted((start, end) for start, end, _ in changed)
        if len(ranges) > 512:
            self._highlighter.rehighlight()
        else:
            document = self.document()
            done: set[int] = set()
            for start, end in ranges:
                block = document.findBlock(start)
                while block.isValid() and block.position() < end:
                    if block.blockNumber() not in done:
                        done.add(block.blockNumber())
                        self._highlighter.rehighlightBlock(block)
                    block = block.next()
        self.viewport().update()
