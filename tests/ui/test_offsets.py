"""OffsetMap against a naive model and against a real QTextDocument."""

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from annotator.domain.model import AnnotationSet, Entity, Span
from annotator.domain.schema import default_schema
from annotator.domain.spans import snap_to_tokens
from annotator.ui.article_view import ArticleView
from annotator.ui.offsets import OffsetMap

PIECES = [
    "👨\u200d👩\u200d👧\u200d👦",  # family: ZWJ sequence
    "👍🏽",  # skin tone
    "🏳️\u200d🌈",  # flag with variation selector and ZWJ
    "🇮🇳",  # regional-indicator flag
    "🇫🇷🇩🇪",
    "中文字",  # CJK (BMP)
    "𠀋𡈽",  # CJK extension B (non-BMP)
    "e\u0301",  # combining acute
    "n\u0303\u0323",
    "שָׁלוֹם",  # Hebrew with points (RTL)
    "مرحبا",  # Arabic (RTL)
    "\u200f",  # right-to-left mark
    "\r\n",
    "\r",
    "\n",
    "\u2028",
    "\u2029",
    "\t",
    " ",
    "\u00a0",
    "Malhotra",
    "word",
    "<b>x</b>",
    "a",
    ".",
]

# What QPlainTextEdit.toPlainText() makes of the characters of selectedText().
PLAIN_TEXT = str.maketrans({"\u2029": "\n", "\u2028": "\n", "\u00a0": " "})

texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join)


def qt_positions(text: str) -> list[int]:
    """The naive model: the Qt position of every code-point offset 0 … len(text)."""
    positions: list[int] = []
    position = 0
    for index, char in enumerate(text):
        positions.append(position)
        if char == "\n" and index > 0 and text[index - 1] == "\r":
            continue  # the LF of a CRLF shares the break with its CR
        position += 2 if ord(char) > 0xFFFF else 1
    positions.append(position)
    return positions


def in_crlf(text: str, offset: int) -> bool:
    """True for the offset between the CR and the LF of a CRLF."""
    return 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"


def as_qt_selection(text: str) -> str:
    """``text`` with line breaks as QTextCursor.selectedText() shows them (U+2029)."""
    text = text.replace("\r\n", "\u2029")
    for breaking in ("\r", "\n", "\ufdd0", "\ufdd1"):
        text = text.replace(breaking, "\u2029")
    return text


@settings(max_examples=300, deadline=None)
@given(texts)
def test_matches_naive_model(text: str) -> None:
    offsets = OffsetMap(text)
    expected = qt_positions(text)
    assert [offsets.to_qt(index) for index in range(len(text) + 1)] == expected
    assert offsets.to_qt_many(list(range(len(text) + 1))) == expected
    assert offsets.qt_length == expected[-1]
    for index in range(len(text) + 1):
        back = offsets.from_qt(offsets.to_qt(index))
        assert back == (index + 1 if in_crlf(text, index) else index)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, data=st.data())
def test_selection_round_trips_through_qt(qapp: QApplication, text: str, data: st.DataObject) -> None:
    offsets = OffsetMap(text)
    document = QTextDocument()
    document.setPlainText(text)
    assert document.characterCount() == offsets.qt_length + 1  # Qt ends every document with a separator
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, len(text)), label="end")
    cursor = QTextCursor(document)
    cursor.setPosition(offsets.to_qt(start))
    cursor.setPosition(offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
    # An offset between CR and LF lands after the break, like the one after the LF.
    expected_start = start + 1 if in_crlf(text, start) else start
    assert cursor.selectedText() == as_qt_selection(text[expected_start:end])
    assert offsets.from_qt(cursor.anchor()) == expected_start
    assert offsets.from_qt(cursor.position()) == (end + 1 if in_crlf(text, end) else end)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, data=st.data())
def test_article_view_selects_snaps_and_highlights(qapp: QApplication, text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, len(text)), label="end")
    entities = [Entity(start, end, "PERSON")] if start < end else []
    view = ArticleView()
    try:
        view.set_document(text, AnnotationSet(entities=entities), default_schema())
        assert view.text() == text
        assert view.toPlainText() == as_qt_selection(text).translate(PLAIN_TEXT)
        view.select_span(Span(start, end))
        expected_start = start + 1 if in_crlf(text, start) else start
        assert view.textCursor().selectedText() == as_qt_selection(text[expected_start:end])
        assert view.selected_span() == (snap_to_tokens(text, start, end) if start < end else None)
        assert view.caret_offset() == (end + 1 if in_crlf(text, end) else end)
        # The entity's background covers exactly its characters (line breaks carry no format).
        for offset, char in enumerate(text):
            if char in BREAKS or in_crlf(text, offset):
                continue
            inside = start <= offset < end
            assert highlighted(view, offset) == inside, (offset, char)
            assert view.describe_at(offset).startswith("ENTITY PERSON") == inside
    finally:
        view.deleteLater()


BREAKS = "\r\n\u2029\ufdd0\ufdd1"


def highlighted(view: ArticleView, offset: int) -> bool:
    """True when the highlighter gave the character at ``offset`` a background."""
    position = view.offset_map().to_qt(offset)
    block = view.document().findBlock(position)
    inside = position - block.position()
    return any(
        item.start <= inside < item.start + item.length and item.format.background().style() != Qt.BrushStyle.NoBrush
        for item in block.layout().formats()
    )


def test_position_inside_surrogate_pair_snaps_outward() -> None:
    text = "a😀b"
    offsets = OffsetMap(text)
    assert offsets.to_qt(1) == 1 and offsets.to_qt(2) == 3
    assert offsets.from_qt(2, "left") == 1
    assert offsets.from_qt(2, "right") == 2
    assert offsets.qt_to_span(2, 4) == Span(1, 3)
    assert offsets.qt_to_span(4, 2) == Span(1, 3)


def test_crlf_and_lone_cr() -> None:
    text = "a\r\nb\rc\u2028d"
    offsets = OffsetMap(text)
    # a CR LF b CR c LS d -> Qt: a, one break, b, one break, c, LS, d
    assert [offsets.to_qt(index) for index in range(len(text) + 1)] == [0, 1, 2, 2, 3, 4, 5, 6, 7]
    assert [offsets.from_qt(position) for position in range(8)] == [0, 1, 3, 4, 5, 6, 7, 8]


def test_selection_to_span_snaps_to_tokens_and_clusters() -> None:
    text = "Hi 👨\u200d👩\u200d👧 Malhotra said"
    offsets = OffsetMap(text)
    family = text.index("👨")
    # Half of the family emoji's first surrogate pair.
    anchor = offsets.to_qt(family) + 1
    assert offsets.selection_to_span(anchor, anchor + 2) == Span(family, family + 5)
    word = text.index("Malhotra")
    assert offsets.selection_to_span(offsets.to_qt(word + 2), offsets.to_qt(word + 4)) == Span(word, word + 8)
    assert offsets.selection_to_span(offsets.to_qt(2), offsets.to_qt(3)) is None  # only a space
    assert offsets.selection_to_span(5, 5) is None


def test_clamps_out_of_range() -> None:
    offsets = OffsetMap("a😀")
    assert offsets.to_qt(-5) == 0
    assert offsets.to_qt(99) == 3
    assert offsets.from_qt(99) == 2
    assert offsets.from_qt(-1) == 0


@pytest.mark.parametrize(
    ("name", "change"),
    [("ascii", lambda text: text), ("curly quotes", lambda text: text.replace("'", "’"))],
)
def test_builds_a_megabyte_in_a_few_ms(article: str, name: str, change: Callable[[str], str]) -> None:
    text = change((article * (1_000_000 // len(article) + 1))[:1_000_000])
    best = min(_timed(lambda: OffsetMap(text)) for _ in range(5))
    assert best < 0.020, f"{name}: {best * 1000:.1f} ms"


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# ------------------------------------------------------------------ import → article view → export


@pytest.fixture(scope="module")
def pipeline_db(tmp_path_factory: pytest.TempPathFactory):
    from annotator.services.database import Database

    database = Database.open(tmp_path_factory.mktemp("pipeline") / "db.sqlite3")
    yield database
    database.close()


_examples = iter(range(1_000_000))
stored_texts = texts.filter(lambda t: t.strip() != "" and "\x00" not in t)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=stored_texts, data=st.data())
def test_spans_survive_import_the_article_view_and_export(
    qapp: QApplication, pipeline_db, tmp_path_factory: pytest.TempPathFactory, text: str, data: st.DataObject
) -> None:
    """Random text and spans: imported from JSONL, highlighted and selected in the real window (Qt positions
    counted by the naive model above, not by OffsetMap), made claims there, exported: offsets and texts intact."""
    import json

    from sqlalchemy import select

    from annotator.domain.model import text_sha256
    from annotator.services.exporting import export_jsonl
    from annotator.services.importing import ImportOptions, import_paths
    from annotator.store.tables import DocumentRow
    from annotator.ui.main_window import MainWindow

    number = next(_examples)
    boundaries = [i for i in range(len(text) + 1) if not in_crlf(text, i)]  # offsets a selection can reach
    pair = st.tuples(st.sampled_from(boundaries), st.sampled_from(boundaries)).filter(lambda se: se[0] < se[1])
    entities = data.draw(st.lists(pair, max_size=4, unique=True), label="entities")
    selections = data.draw(st.lists(pair, min_size=1, max_size=3), label="selections")
    annotator = f"prop-{number}"
    line = {
        "format": "annotator/v1",
        "id": f"doc-{number}",
        "text": text,
        "annotator": annotator,
        "entities": [{"start": s, "end": e, "text": text[s:e], "label": "PERSON"} for s, e in entities],
    }
    source = tmp_path_factory.mktemp("source") / "in.jsonl"
    source.write_bytes((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    report = import_paths(pipeline_db, [str(source)], ImportOptions(use_nlp=False))
    assert not report.failed, report.failed[0].error
    window = MainWindow(pipeline_db, annotator)
    try:
        with pipeline_db.read() as session:  # an earlier example may have stored the same text under its id
            document_id = session.scalar(select(DocumentRow.id).where(DocumentRow.text_sha256 == text_sha256(text)))
        window.open_document(document_id)
        view = window.view
        assert view.text() == text
        for offset, char in enumerate(text):  # what the view highlights is what was imported
            if char in BREAKS or in_crlf(text, offset):
                continue
            assert highlighted(view, offset) == any(s <= offset < e for s, e in entities), (offset, char)
        positions = qt_positions(text)
        expected_claims = []
        for start, end in selections:
            cursor = view.textCursor()
            cursor.setPosition(positions[start])
            cursor.setPosition(positions[end], QTextCursor.MoveMode.KeepAnchor)
            view.setTextCursor(cursor)
            snapped = snap_to_tokens(text, start, end)
            assert view.selected_span() == snapped
            if snapped is None:
                continue
            before = len(window.annotations.claims)
            window._guarded(window.new_claim)  # what C does
            assert len(window.annotations.claims) == before + 1
            expected_claims.append((snapped.start, snapped.end))
    finally:
        window.close()
        window.deleteLater()
    out = tmp_path_factory.mktemp("out") / "out.jsonl"
    export_jsonl(pipeline_db, str(out), annotator=annotator)
    (exported,) = [json.loads(raw) for raw in out.read_bytes().decode("utf-8").split("\n") if raw]
    assert exported["text"] == text
    assert sorted((e["start"], e["end"], e["text"]) for e in exported["entities"]) == sorted(
        (s, e, text[s:e]) for s, e in entities
    )
    assert sorted((c["start"], c["end"]) for c in exported["claims"]) == sorted(expected_claims)
    for claim in exported["claims"]:
        assert claim["text"] == text[claim["start"] : claim["end"]]
