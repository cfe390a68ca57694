"""The window beyond the main scenario: safety of text, persistence, two windows, panels, entities, keys."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from windows import focus, show_window

from annotator.domain.model import SpeakerKind, Status
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui.main_window import MainWindow
from annotator.ui.pickers import LabelPicker

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
HOSTILE = (
    'The minister said <b>bold</b> claims and <img src="file:///etc/passwd"> '
    'with <a href="javascript:alert(1)">a link</a> \u202eevil\u202c are fine.'
)
UNICODE = (
    "Die Familie 👩\u200d👩\u200d👧 sagte 👍🏽 heute: 日本語のテキストは長い。\r\n"
    "Café e\u0301té \u05e9\u05dc\u05d5\u05dd and \u0645\u0631\u062d\u0628\u0627 🇮🇳 end\rlast line"
)


def import_lines(database: Database, tmp_path: Path, lines: list[dict]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False))
    assert not report.failed, report.failed


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db = Database.open(db_path)
    yield db
    db.close()


def make_window(qtbot, database: Database, annotator: str = "alice") -> MainWindow:
    return show_window(qtbot, database, annotator)


def select(window: MainWindow, needle: str, nth: int = 0) -> None:
    """Select the ``nth`` occurrence of ``needle`` through the view's own API (code points)."""
    from annotator.domain.model import Span

    text = window.view.text()
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    window.view.select_span(Span(start, start + len(needle)))


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, key, modifier)


def test_markup_in_text_title_and_names_shows_literally(qtbot, database, tmp_path):
    import_lines(database, tmp_path, [{"id": "evil", "text": HOSTILE, "meta": {"title": "<b>Title</b> \u202etxt"}}])
    window = make_window(qtbot, database)
    assert window.view.toPlainText() == HOSTILE
    assert "<b>Title</b>" in window.windowTitle()
    select(window, '<img src="file:///etc/passwd">')
    press(qtbot, window, Qt.Key.Key_C)
    assert window.annotations.claims, window.statusBar().currentMessage()
    claim = window.annotations.claims[0]
    assert HOSTILE[claim.start : claim.end] == '<img src="file:///etc/passwd">'
    cell = window.claims_panel.table.item(0, 0)
    assert cell.text() == '<img src="file:///etc/passwd">'
    select(window, "<b>bold</b>")
    press(qtbot, window, Qt.Key.Key_S)  # not a name: the picker asks, offering a new speaker so named
    assert window.picker.prompt.text() == "Who is “<b>bold</b>”?"
    assert window.picker.prompt.textFormat() == Qt.TextFormat.PlainText
    qtbot.keyClick(window.picker.list, Qt.Key.Key_Return)
    assert window.annotations.speakers[0].name == "<b>bold</b>"
    assert window.speakers_panel.table.item(0, 0).text() == "<b>bold</b>"
    description = window.view.describe_at(claim.start)
    assert "<b>bold</b>" in description  # shown through Qt.convertFromPlainText, literally


def test_selections_over_emoji_cjk_combining_marks_and_crlf_give_code_point_offsets(qtbot, database, tmp_path):
    import_lines(database, tmp_path, [{"id": "uni", "text": UNICODE}])
    window = make_window(qtbot, database)
    for needle in (
        "👩\u200d👩\u200d👧",
        "日本語のテキストは長い",
        "e\u0301té",
        "\u05e9\u05dc\u05d5\u05dd",
        "🇮🇳 end",
        "last line",
    ):
        select(window, needle)
        press(qtbot, window, Qt.Key.Key_C)
    texts = sorted(UNICODE[c.start : c.end] for c in window.annotations.claims)
    assert texts == sorted(
        ["👩\u200d👩\u200d👧", "日本語のテキストは長い", "e\u0301té", "\u05e9\u05dc\u05d5\u05dd", "🇮🇳 end", "last line"]
    )
    # a selection that starts inside the ZWJ sequence and inside a word snaps outward
    from annotator.domain.model import Span

    start = UNICODE.index("👩") + 2
    window.view.select_span(Span(start, UNICODE.index("sagte") + 2))
    span = window.view.selected_span()
    assert UNICODE[span.start : span.end] == "👩\u200d👩\u200d👧 sagte"


def test_find_bar_and_target_editor_type_letters_instead_of_running_shortcuts(qtbot, database, tmp_path):
    import_lines(database, tmp_path, [{"id": "a", "text": "Officials said the cease fire holds. Critics disagree."}])
    window = make_window(qtbot, database)
    press(qtbot, window, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_bar.line_edit, "cease")
    assert window.annotations.claims == []  # "c" typed text, made no claim
    qtbot.keyClick(window.find_bar.line_edit, Qt.Key.Key_Escape)
    press(qtbot, window, Qt.Key.Key_C)
    assert len(window.annotations.claims) == 1
    press(qtbot, window, Qt.Key.Key_T)
    qtbot.keyClicks(window.inline_editor.field, "ceasefire 1")
    assert window.annotations.claims[0].stance is None  # "1" typed, no stance set
    qtbot.keyClick(window.inline_editor.field, Qt.Key.Key_Return)
    assert window.annotations.claims[0].stance.target == "ceasefire 1"
    assert window.annotations.claims[0].stance.label is None
    # Esc in the target editor cancels
    press(qtbot, window, Qt.Key.Key_T)
    qtbot.keyClicks(window.inline_editor.field, "other")
    qtbot.keyClick(window.inline_editor.field, Qt.Key.Key_Escape)
    assert window.annotations.claims[0].stance.target == "ceasefire 1"
    assert QApplication.focusWidget() is window.view
    # in the document list, single letters do nothing either
    window.document_panel.view.setFocus()
    qtbot.keyClick(window.document_panel.view, Qt.Key.Key_Delete)
    assert len(window.annotations.claims) == 1


def test_restart_shows_exactly_what_was_there(qtbot, db_path, tmp_path):
    first = Database.open(db_path)
    import_lines(first, tmp_path, [{"id": "a", "text": "Officials said the cease fire holds. Critics disagree."}])
    window = make_window(qtbot, first)
    select(window, "the cease fire holds")
    press(qtbot, window, Qt.Key.Key_C)
    select(window, "Officials")
    press(qtbot, window, Qt.Key.Key_S)
    select(window, "said")
    press(qtbot, window, Qt.Key.Key_Q)
    press(qtbot, window, Qt.Key.Key_3)
    press(qtbot, window, Qt.Key.Key_N)
    qtbot.keyClicks(window.inline_editor.field, "check the date")
    qtbot.keyClick(window.inline_editor.field, Qt.Key.Key_Return)
    before = window.editor.annotations(window.document.id)
    window.close()
    first.close()  # nothing is pending: every edit was committed

    again = Database.open(db_path)
    reopened = make_window(qtbot, again)
    claims = reopened.annotations.claims
    assert len(claims) == 1
    claim = claims[0]
    text = reopened.view.text()
    assert text[claim.start : claim.end] == "the cease fire holds"
    assert claim.speaker.name == "Officials" and text[claim.cue.start : claim.cue.end] == "said"
    assert claim.stance.label == "neutral" and claim.note == "check the date"
    assert [(c.start, c.end) for c in before.claims] == [(claim.start, claim.end)]
    again.close()


def test_two_windows_on_one_database_both_work(qtbot, db_path, tmp_path):
    one, two = Database.open(db_path), Database.open(db_path)
    import_lines(one, tmp_path, [{"id": "a", "text": "Officials said the cease fire holds. Critics disagree."}])
    alice = make_window(qtbot, one, "alice")
    bob = make_window(qtbot, two, "bob")
    focus(qtbot, alice)
    select(alice, "the cease fire holds")
    press(qtbot, alice, Qt.Key.Key_C)
    focus(qtbot, bob)
    select(bob, "Critics disagree")
    press(qtbot, bob, Qt.Key.Key_C)
    select(bob, "Officials")  # bob's own second claim
    press(qtbot, bob, Qt.Key.Key_C)
    assert len(alice.annotations.claims) == 1 and len(bob.annotations.claims) == 2
    # the same annotator in a second window sees the first window's edits when it reopens the document
    alice_again = make_window(qtbot, two, "alice")
    assert len(alice_again.annotations.claims) == 1
    press(qtbot, alice_again, Qt.Key.Key_Tab)
    press(qtbot, alice_again, Qt.Key.Key_1)
    alice.open_document(alice.document.id)
    assert alice.annotations.claims[0].stance.label == "support"
    one.close()
    two.close()


def test_panels_edit_in_place_and_undo(qtbot, database, tmp_path):
    import_lines(
        database,
        tmp_path,
        [{"id": "a", "text": "Alice Smith said taxes rise. Bob Jones said taxes fall. She added more."}],
    )
    window = make_window(qtbot, database)
    select(window, "taxes rise")
    press(qtbot, window, Qt.Key.Key_C)
    select(window, "Alice Smith")
    press(qtbot, window, Qt.Key.Key_S)
    select(window, "taxes fall")
    press(qtbot, window, Qt.Key.Key_C)
    select(window, "Bob Jones")
    press(qtbot, window, Qt.Key.Key_S)
    assert [s.name for s in window.annotations.speakers] == ["Alice Smith", "Bob Jones"]

    # stance from the claims panel's box, then undo
    window.claims_panel.stanceChosen.emit(window.annotations.claims[0].id, "oppose")
    assert window.annotations.claims[0].stance.label == "oppose"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.annotations.claims[0].stance is None
    # target typed into the table cell
    item = window.claims_panel.table.item(0, 3)
    item.setText("taxes")
    assert window.annotations.claims[0].stance.target == "taxes"

    # rename, change kind, merge: each undoable
    alice = window.annotations.speakers[0]
    window.speakers_panel.renamed.emit(alice.id, "Alice M. Smith")
    assert window.annotations.speakers[0].name == "Alice M. Smith"
    window.speakers_panel.kindChanged.emit(alice.id, SpeakerKind.ORGANIZATION)
    assert window.annotations.speakers[0].kind is SpeakerKind.ORGANIZATION
    bob = window.annotations.speakers[1]
    window.speakers_panel.mergeRequested.emit(alice.id, bob.id)
    assert len(window.annotations.speakers) == 1
    assert all(c.speaker.id == alice.id for c in window.annotations.claims)
    assert len(window.annotations.speakers[0].mentions) == 2
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert [s.name for s in window.annotations.speakers] == ["Alice M. Smith", "Bob Jones"]
    assert window.annotations.claims[1].speaker.name == "Bob Jones"
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(window.annotations.speakers) == 1

    # delete from the panel, undo brings the same claim back
    claim_id = window.annotations.claims[1].id
    window.claims_panel.deleteRequested.emit(claim_id)
    assert [c.id for c in window.annotations.claims] != [] and claim_id not in [c.id for c in window.annotations.claims]
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert claim_id in [c.id for c in window.annotations.claims]


def test_entities_add_relabel_delete_export_what_changed(qtbot, database, tmp_path):
    text = "Officials in Paris said Acme Corp will grow."
    import_lines(
        database,
        tmp_path,
        [
            {
                "format": "annotator/v1",
                "id": "e",
                "text": text,
                "annotator": None,
                "entities": [{"start": 13, "end": 18, "text": "Paris", "label": "GPE", "source": "model"}],
            }
        ],
    )
    window = make_window(qtbot, database)
    assert [e.label for e in window.annotations.entities] == ["GPE"]
    select(window, "Acme Corp")
    press(qtbot, window, Qt.Key.Key_E)
    picker = window.picker
    assert isinstance(picker, LabelPicker) and picker.isVisible()
    qtbot.keyClicks(picker.filter, "ORG")
    qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert sorted((text[e.start : e.end], e.label) for e in window.annotations.entities) == [
        ("Acme Corp", "ORG"),
        ("Paris", "GPE"),
    ]
    select(window, "Paris")
    press(qtbot, window, Qt.Key.Key_Delete)
    assert [text[e.start : e.end] for e in window.annotations.entities] == ["Acme Corp"]
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert len(window.annotations.entities) == 2
    window.relabel_entity(window.annotations.entities[0].span, "GPE", "LOC")
    from annotator.services.exporting import export_jsonl

    out = tmp_path / "out.jsonl"
    export_jsonl(database, str(out), annotator="alice")
    line = json.loads(out.read_text(encoding="utf-8"))
    assert sorted((e["text"], e["label"], e["source"]) for e in line["entities"]) == [
        ("Acme Corp", "ORG", "manual"),
        ("Paris", "LOC", "manual"),
    ]


def test_document_keys_done_next_previous(qtbot, database, tmp_path):
    import_lines(database, tmp_path, [{"id": f"d{i}", "text": f"Document number {i} says things."} for i in range(3)])
    window = make_window(qtbot, database)
    assert window.document.external_id == "d0"
    press(qtbot, window, Qt.Key.Key_Right, ALT)
    assert window.document.external_id == "d1"
    press(qtbot, window, Qt.Key.Key_Left, ALT)
    press(qtbot, window, Qt.Key.Key_Left, ALT)  # wraps to the last
    assert window.document.external_id == "d2"
    press(qtbot, window, Qt.Key.Key_Return, CTRL)  # d2 done → next not done wraps to d0
    assert window.document.external_id == "d0"
    press(qtbot, window, Qt.Key.Key_Return, CTRL)  # d0 done → d1
    assert window.document.external_id == "d1"
    assert window.documents.progress() == (2, 3)
    assert "2 / 3" in window.document_panel.progress_label.text()
    statuses = {s.external_id: s.status for s in window.documents.page(window.document_panel.query(), 0, 10)}
    assert statuses == {"d0": Status.DONE, "d1": Status.NEW, "d2": Status.DONE}
    # undo of "done" puts the status back
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    statuses = {s.external_id: s.status for s in window.documents.page(window.document_panel.query(), 0, 10)}
    assert statuses["d0"] is Status.NEW


def test_help_sheet_menus_and_about(qtbot, database, tmp_path):
    import_lines(database, tmp_path, [{"id": "a", "text": "Text of an article."}])
    window = make_window(qtbot, database)
    press(qtbot, window, Qt.Key.Key_F1)
    sheets = [w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Keyboard shortcuts" and w.isVisible()]
    assert sheets and "Ctrl+Enter" in sheets[0].body.toPlainText()
    sheets[0].close()
    menus = {action.text().replace("&", ""): action.menu() for action in window.menuBar().actions()}
    expected = {
        "File": ["Import files…", "Import folder…", "Export…", "Open database…", "Quit"],
        "Edit": ["Undo", "Redo", "Delete"],
        "Document": ["Done, open next", "Skip", "Next", "Previous"],
        "View": ["Zoom in", "Zoom out", "Dark theme"],
        "Help": ["Shortcuts", "Guidelines", "About"],
    }
    for menu, items in expected.items():
        texts = [a.text().replace("&", "") for a in menus[menu].actions()]
        for item in items:
            assert item in texts, (menu, item, texts)
    from annotator.services.database import SCHEMA_REVISION
    from annotator.ui.dialogs import versions

    about = versions(database)
    assert "annotator" in about and "Qt" in about and "spaCy" in about and database.describe() in about
    assert "model en_core_web_sm" in about and f"database schema {SCHEMA_REVISION}" in about and "log file" in about


def test_background_import_from_the_window(qtbot, database, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(f"Article {i} says the officials were right.", encoding="utf-8")
    window = MainWindow(database, "alice")
    qtbot.addWidget(window)
    window.show()
    job = window.start_import([str(folder)])
    qtbot.waitUntil(lambda: not job.is_running() and window.document is not None, timeout=60_000)
    assert window.document_panel.model.rowCount() == 3
    message = window.statusBar().currentMessage()
    assert message.startswith("Imported 3 documents; skipped 0 already present.") and "claims suggested" in message
    assert window.suggesting.suggestions, "suggested in the same parse as the entities"


def test_context_menu_relabels_and_deletes_entities_and_claims(qtbot, database, tmp_path):
    text = "Officials in Paris said the talks failed."
    import_lines(
        database,
        tmp_path,
        [
            {
                "format": "annotator/v1",
                "id": "m",
                "text": text,
                "annotator": None,
                "entities": [{"start": 13, "end": 18, "text": "Paris", "label": "GPE", "source": "model"}],
            }
        ],
    )
    window = make_window(qtbot, database)
    select(window, "Paris")
    press(qtbot, window, Qt.Key.Key_C)

    def menu_at(offset: int):
        cursor_rect = window.view.cursorRect(_cursor_at(window, offset))
        return window.context_menu(cursor_rect.center())

    menu = menu_at(15)
    texts = [a.text() for a in menu.actions()]
    assert "Delete entity “Paris”" in texts and "Delete claim “Paris”" in texts
    relabel = next(a.menu() for a in menu.actions() if a.menu() is not None)
    next(a for a in relabel.actions() if a.text() == "LOC").trigger()
    assert [e.label for e in window.annotations.entities] == ["LOC"]
    next(a for a in menu_at(15).actions() if a.text().startswith("Delete entity")).trigger()
    assert window.annotations.entities == []
    next(a for a in menu_at(15).actions() if a.text().startswith("Delete claim")).trigger()
    assert window.annotations.claims == []


def _cursor_at(window: MainWindow, offset: int):
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.offset_map().to_qt(offset))
    return cursor


def test_cancel_a_background_import_keeps_whole_files_only(qtbot, database, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(400):
        (folder / f"a{i:03}.txt").write_text(f"Article {i} says the officials were right.", encoding="utf-8")
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"id": f"b{i}", "text": f"Line {i} of a big file."}) + "\n" for i in range(3000)))
    window = MainWindow(database, "alice")
    qtbot.addWidget(window)
    window.show()
    job = window.start_import([str(big), str(folder)])
    assert window.job_progress.isVisible() and window.job_cancel.isVisible()
    qtbot.waitUntil(lambda: window.job_progress.value() > 0 or not job.is_running(), timeout=60_000)
    window.job_cancel.click()
    qtbot.waitUntil(lambda: not job.is_running(), timeout=60_000)
    assert not window.job_progress.isVisible()
    query = window.document_panel.query()
    total = window.documents.count(query)
    big_rows = [s for s in window.documents.page(query, 0, 5000) if s.external_id.startswith("b")]
    assert len(big_rows) in (0, 3000)  # the file being imported is all there or not at all
    assert total < 3400


def test_shift_c_makes_a_split_claim_that_exports_with_parts(qtbot, database, tmp_path):
    text = '"India," he said, "should stay neutral." Others disagreed.'
    import_lines(database, tmp_path, [{"id": "split", "text": text}])
    window = make_window(qtbot, database)
    select(window, "India")
    press(qtbot, window, Qt.Key.Key_C)
    select(window, "should stay neutral")
    press(qtbot, window, Qt.Key.Key_C, SHIFT)
    (claim,) = window.annotations.claims
    assert [text[p.start : p.end] for p in claim.parts] == ["India", "should stay neutral"]
    assert text[claim.start : claim.end] == 'India," he said, "should stay neutral'
    select(window, "stay")  # inside a part: refused with one line, nothing changes
    press(qtbot, window, Qt.Key.Key_C, SHIFT)
    assert "overlaps" in window.statusBar().currentMessage()
    assert len(window.annotations.claims[0].parts) == 2
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.annotations.claims[0].parts is None
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    from annotator.services.exporting import export_jsonl

    out = tmp_path / "split.jsonl"
    export_jsonl(database, str(out), annotator="alice")
    (exported,) = json.loads(out.read_text(encoding="utf-8"))["claims"]
    assert [p["text"] for p in exported["parts"]] == ["India", "should stay neutral"]
