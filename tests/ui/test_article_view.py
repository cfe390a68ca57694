"""The article view with real widgets: plain text only, selection, drawing, tooltips; and the legend."""

import re
import time

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QHelpEvent, QKeySequence, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from annotator.domain.model import AnnotationSet, Claim, Entity, Span
from annotator.domain.schema import LabelDef, LabelSchema, default_schema
from annotator.ui.article_view import ArticleView, SegmentKey, SpanStyles, readable_text_color
from annotator.ui.legend import Legend

MARKUP = '<b>bold</b> <img src="file:///etc/passwd"> <a href="x">link</a> &amp; <script>alert(1)</script>'


@pytest.fixture
def view(qtbot: QtBot) -> ArticleView:
    widget = ArticleView()
    widget.resize(700, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def format_at(view: ArticleView, offset: int) -> QTextCharFormat:
    """The highlighter's format of the character at ``offset`` (an empty format when none)."""
    position = view.offset_map().to_qt(offset)
    block = view.document().findBlock(position)
    inside = position - block.position()
    for item in block.layout().formats():
        if item.start <= inside < item.start + item.length:
            return QTextCharFormat(item.format)
    return QTextCharFormat()


def test_markup_in_the_text_shows_literally(view: ArticleView) -> None:
    entity = Entity(0, len("<b>bold</b>"), "PERSON")
    view.set_document(MARKUP, AnnotationSet(entities=[entity]), default_schema())
    assert view.toPlainText() == MARKUP
    block = view.document().begin()
    fragments = block.begin()
    while not fragments.atEnd():
        char_format = fragments.fragment().charFormat()
        assert not char_format.isImageFormat()
        assert not char_format.isAnchor()
        fragments += 1
    assert "&lt;img" in view.document().toHtml()
    assert view.describe_at(2) == "ENTITY PERSON: <b>bold</b>"


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen platform, showing the tooltip
def test_tooltip_is_plain_text(view: ArticleView) -> None:
    text = "Vladimir Putin visits <i>India</i>"
    view.set_document(text, AnnotationSet(entities=[Entity(0, 14, "PERSON"), Entity(22, 34, "GPE")]), default_schema())
    for offset, expected, escaped in [
        (3, "ENTITY PERSON: Vladimir Putin", "ENTITY PERSON: Vladimir Putin"),
        (25, "ENTITY GPE: <i>India</i>", "ENTITY GPE: &lt;i&gt;India&lt;/i&gt;"),
    ]:
        cursor = QTextCursor(view.document())
        cursor.setPosition(view.offset_map().to_qt(offset))
        point = view.cursorRect(cursor).center() + QPoint(2, 0)
        event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
        view.viewportEvent(event)
        assert view.describe_at(offset) == expected
        assert escaped in QToolTip.text().replace("\u00a0", " ")
    QToolTip.hideText()


def test_shift_arrows_extend_the_selection(view: ArticleView, qtbot: QtBot, article: str) -> None:
    view.set_document(article, AnnotationSet(), default_schema())
    view.setFocus()
    view.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.textCursor().selectedText() == "R"
    assert view.selected_span() == Span(0, len("Russian"))  # snapped to the token
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
    assert view.textCursor().selectedText() == "Russian President "
    assert view.selected_span() == Span(0, len("Russian President"))
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert view.textCursor().selectedText() == "Russian President"
    assert view.caret_offset() == len("Russian President")
    assert view.toPlainText() == article  # read-only: keys never change the text


def test_selected_span_snaps_outward(view: ArticleView) -> None:
    text = "Hi 👍🏽 Ajai Malhotra said"
    view.set_document(text, AnnotationSet(), default_schema())
    name = text.index("Malhotra")
    view.select_span(Span(name + 2, name + 5))
    assert view.textCursor().selectedText() == "lho"
    assert view.selected_span() == Span(name, name + len("Malhotra"))
    thumb = text.index("👍")
    view.select_span(Span(thumb + 1, thumb + 2))  # only the skin tone
    assert view.selected_span() == Span(thumb, thumb + 2)
    view.select_span(Span(2, 3))
    assert view.selected_span() is None  # only white space
    assert view.caret_offset() == 3


def test_select_span_scrolls_into_view(view: ArticleView, article: str) -> None:
    text = "\n\n".join([article] * 20)
    view.set_document(text, AnnotationSet(), default_schema())
    last = text.rindex("Malhotra")
    view.select_span(Span(last, last + len("Malhotra")))
    assert view.verticalScrollBar().value() > 0
    assert view.viewport().rect().contains(view.cursorRect().center())


def test_tooltips_name_the_spans(view: ArticleView, article: str, annotated: AnnotationSet) -> None:
    view.set_document(article, annotated, default_schema())
    putin = article.index("Putin")
    assert view.describe_at(putin) == "ENTITY PERSON: Vladimir Putin"
    claim = annotated.claims[0]
    assert view.describe_at(claim.start + 30) == "claim by Ajai Malhotra — stance support → strategic autonomy"
    mention = annotated.claims[0].mention
    assert mention is not None
    assert view.describe_at(mention.start).splitlines() == ["ENTITY PERSON: Malhotra", "speaker mention: Ajai Malhotra"]
    cue = claim.cue
    assert cue is not None
    assert view.describe_at(cue.start).startswith("cue of the claim by Ajai Malhotra")
    assert view.describe_at(article.index("signifies")) == ""
    view.set_current_claim(claim)
    assert view.describe_at(claim.start + 30).startswith("current claim by Ajai Malhotra")


def test_spans_are_drawn_on_separate_channels(view: ArticleView, article: str, annotated: AnnotationSet) -> None:
    schema = default_schema()
    claim = annotated.claims[0]
    annotated.entities.append(Entity(claim.start, claim.start + len("India"), "GPE"))
    view.set_document(article, annotated, schema)
    putin = format_at(view, article.index("Putin"))
    assert putin.background().color() == QColor(schema.color("entity", "PERSON"))
    assert putin.foreground().color() == readable_text_color(QColor(schema.color("entity", "PERSON")))
    inside = format_at(view, claim.start + 30)
    assert inside.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    india = format_at(view, claim.start)  # "India" is an entity inside the claim: both channels
    assert india.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    assert india.background().color() == QColor(schema.color("entity", "GPE"))
    mention = annotated.claims[0].mention
    assert mention is not None
    assert format_at(view, mention.start).fontWeight() == 700  # bold, on the PERSON colour
    assert format_at(view, mention.start).background().color() == QColor(schema.color("entity", "PERSON"))
    cue = claim.cue
    assert cue is not None
    assert format_at(view, cue.start).fontItalic()
    assert format_at(view, cue.start).underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine
    assert format_at(view, article.index("signifies")) == QTextCharFormat()


def test_current_claim_change_repaints(view: ArticleView, qtbot: QtBot, article: str, annotated: AnnotationSet) -> None:
    view.set_document(article, annotated, default_schema())
    first, second = annotated.claims
    before = view.viewport().grab().toImage()
    view.set_current_claim(first)
    assert view.current_claim() is first
    current = format_at(view, first.start + 30)
    assert current.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert current.underlineColor() != format_at(view, second.start + 10).underlineColor()
    assert current.background() != QTextCharFormat().background()  # the tint
    qtbot.wait(1)
    after = view.viewport().grab().toImage()
    assert after != before
    view.set_current_claim(second)
    assert format_at(view, first.start + 30).underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    assert format_at(view, second.start + 10).underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    view.set_current_claim(None)
    assert format_at(view, second.start + 10).underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline


def test_refresh_annotations_keeps_text_and_current_claim(
    view: ArticleView, article: str, annotated: AnnotationSet
) -> None:
    view.set_document(article, annotated, default_schema())
    claim = annotated.claims[0]
    view.set_current_claim(claim)
    view.select_span(Span(10, 20))
    document = view.document()
    russia = article.index("Russia,")
    assert format_at(view, russia) == QTextCharFormat()
    annotated.entities.append(Entity(russia, russia + len("Russia"), "GPE"))
    new_claim = Claim(article.index("Defense"), article.index(" has flourished"))
    annotated.claims.append(new_claim)
    view.refresh_annotations(annotated)
    assert view.document() is document
    assert view.textCursor().selectedText() == article[10:20]
    assert view.current_claim() is claim
    assert format_at(view, russia).background().color() == QColor(default_schema().color("entity", "GPE"))
    assert format_at(view, new_claim.start + 3).underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    annotated.claims.remove(claim)
    view.refresh_annotations(annotated)
    assert view.current_claim() is None


def test_offsets_with_crlf_and_emoji(view: ArticleView) -> None:
    text = "Line one 🇮🇳\r\nSecond line\rThird 👨\u200d👩\u200d👧 Malhotra."
    name = text.index("Malhotra")
    entity = Entity(name, name + len("Malhotra"), "PERSON")
    view.set_document(text, AnnotationSet(entities=[entity]), default_schema())
    assert view.document().blockCount() == 3
    assert format_at(view, name).background().color() == QColor(default_schema().color("entity", "PERSON"))
    assert format_at(view, name - 1) == QTextCharFormat()
    for offset in range(name, name + len("Malhotra")):  # the whole name, after the wide characters
        assert format_at(view, offset).background().color() == QColor(default_schema().color("entity", "PERSON"))
    assert format_at(view, name + len("Malhotra")) == QTextCharFormat()
    view.select_span(entity.span)
    assert view.textCursor().selectedText() == "Malhotra"
    assert view.describe_at(name + 3) == "ENTITY PERSON: Malhotra"


def test_single_key_actions_reach_the_view(view: ArticleView, qtbot: QtBot, article: str) -> None:
    view.set_document(article, AnnotationSet(), default_schema())
    triggered: list[str] = []
    for key in ("C", "1", "Tab", "Delete"):
        action = QAction(key, view)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda *_, key=key: triggered.append(key))
        view.addAction(action)
    view.activateWindow()
    view.setFocus()
    for qt_key in (Qt.Key.Key_C, Qt.Key.Key_1, Qt.Key.Key_Tab, Qt.Key.Key_Delete):
        qtbot.keyClick(view, qt_key)
    assert triggered == ["C", "1", "Tab", "Delete"]
    assert view.toPlainText() == article


def test_dark_palette_keeps_entities_readable(view: ArticleView, article: str, annotated: AnnotationSet) -> None:
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#202124"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    view.setPalette(palette)
    view.set_document(article, annotated, default_schema())
    assert view.styles().dark
    putin = format_at(view, article.index("Putin"))
    assert putin.foreground().color().lightness() < 80  # dark text on the light label colour
    assert readable_text_color(QColor("#1a237e")).lightness() > 200


def test_zoom(view: ArticleView) -> None:
    size = view.font().pointSizeF()
    view.zoom_in()
    assert view.font().pointSizeF() > size
    view.zoom_out()
    view.zoom_out()
    assert view.font().pointSizeF() < size


def test_legend_shows_labels_and_styles_as_plain_text(qtbot: QtBot) -> None:
    schema = LabelSchema(
        entity_labels=[LabelDef("PERSON", "#f4a3a3", "people"), LabelDef("<b>X</b>", "#222222", "odd")],
        stance_labels=[],
    )
    legend = Legend(schema=schema)
    qtbot.addWidget(legend)
    legend.show()
    qtbot.waitExposed(legend)
    texts = [entry.text for entry in legend.entries()]
    assert texts == ["PERSON", "<b>X</b>", "claim", "current claim", "speaker mention", "cue"]
    styles = SpanStyles(schema)
    assert legend.entries()[3].key == SegmentKey(claim=2)
    assert styles.format_for(legend.entries()[3].key).underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert legend.heightForWidth(60) > legend.heightForWidth(2000)  # wraps when narrow
    legend.resize(legend.sizeHint())
    assert not legend.grab().isNull()
    legend.set_schema(default_schema())
    assert len(legend.entries()) == len(default_schema().entity_labels) + 4


def test_switching_articles_is_fast(view: ArticleView, article: str) -> None:
    """DESIGN.md: ≤ 20 ms for 1,000 words with ~60 entities and ~10 claims (bench/ has the real numbers)."""
    text = "\n\n".join([article] * 4)
    words = list(re.finditer(r"[A-Z][a-z]+", text))
    entities = [Entity(match.start(), match.end(), "PERSON") for match in words[:60]]
    sentences = list(re.finditer(r"[^.]+\.", text))
    claims = [Claim(match.start() + 1, match.end()) for match in sentences[:10]]
    annotations = AnnotationSet(entities=entities, claims=claims)
    schema = default_schema()
    timings = []
    for _ in range(7):
        start = time.perf_counter()
        view.set_document(text, annotations, schema)
        view.set_current_claim(claims[3])
        view.viewport().repaint()
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.060, f"{min(timings) * 1000:.1f} ms (generous bound for a busy test machine)"
