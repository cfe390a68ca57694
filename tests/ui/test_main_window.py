"""The window driven with real key presses on the sample article (issue: the annotation window)."""

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from windows import show_window

from annotator.domain.model import Status
from annotator.services.database import Database
from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui.main_window import MainWindow
from annotator.ui.pickers import SpeakerPicker

REPO = Path(__file__).resolve().parents[2]
CLAIM_1 = "India's foreign policy is currently anchored on strategic autonomy and multi-alignment"
CLAIM_2 = (
    "diversified international partnerships have strengthened India's position, especially in light of "
    "political changes in the US and unilateral tariffs outside the WTO framework"
)
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, real_model: object) -> Path:
    """The sample article imported once with the real model (pre-annotated)."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    database = Database.open(path)
    report = import_paths(database, [str(REPO / "seeds")], ImportOptions())
    assert report.added == 1
    database.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture
def seeded_path(tmp_path: Path, seeded_template: Path) -> Path:
    path = tmp_path / "seeded.sqlite3"
    shutil.copyfile(seeded_template, path)
    return path


@pytest.fixture
def window(qtbot, seeded_path: Path) -> Iterator[MainWindow]:
    database = Database.open(seeded_path)
    main = show_window(qtbot, database)
    yield main
    database.close()


def find(qtbot, window: MainWindow, needle: str, enters: int = 0) -> None:
    """Ctrl+F, type, Enter ``enters`` times, Esc: the match stays selected in the view."""
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.line_edit, needle)
    for _ in range(enters):
        qtbot.keyClick(window.find_bar.line_edit, Qt.Key.Key_Return)
    qtbot.keyClick(window.find_bar.line_edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert QApplication.focusWidget() is window.view


def key(qtbot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, key, modifier)


def selected_text(window: MainWindow) -> str:
    span = window.view.selected_span()
    assert span is not None
    return window.view.text()[span.start : span.end]


def claims_in_db(path: Path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT c.start, c.end, s.name, c.mention_start, c.cue_start, c.stance_label, c.stance_target "
            "FROM claims c LEFT JOIN speakers s ON s.id = c.speaker_id ORDER BY c.start"
        ).fetchall()
    finally:
        connection.close()


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_annotate_sample_article_with_the_keyboard(qtbot, window: MainWindow, seeded_path: Path, tmp_path: Path):
    text = window.view.text()
    assert text.startswith("Russian President")

    # Claim 1: Ctrl+F, Esc, C
    find(qtbot, window, CLAIM_1)
    assert selected_text(window) == CLAIM_1
    key(qtbot, window, Qt.Key.Key_C)
    assert [text[c.start : c.end] for c in window.annotations.claims] == [CLAIM_1]
    assert window.current_claim_id == window.annotations.claims[0].id

    # Speaker mention: the "Malhotra" right before "stated" (the second match), joining "Ajai Malhotra"
    find(qtbot, window, "Malhotra", enters=1)
    malhotra = text.index("Malhotra stated")
    assert window.view.selected_span().start == malhotra
    key(qtbot, window, Qt.Key.Key_S)
    claim = window.annotations.claims[0]
    assert claim.speaker is not None and claim.speaker.name == "Ajai Malhotra"
    assert (claim.mention.start, claim.mention.end) == (malhotra, malhotra + len("Malhotra"))

    # Cue, stance, target
    find(qtbot, window, "stated")
    key(qtbot, window, Qt.Key.Key_Q)
    key(qtbot, window, Qt.Key.Key_1)
    key(qtbot, window, Qt.Key.Key_T)
    assert window.inline_editor.isVisible()
    qtbot.keyClicks(window.inline_editor.field, "strategic autonomy")
    qtbot.keyClick(window.inline_editor.field, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.view
    claim = window.annotations.claims[0]
    assert text[claim.cue.start : claim.cue.end] == "stated"
    assert claim.stance.label == "support" and claim.stance.target == "strategic autonomy"

    # Claim 2 with the pronoun "He", accepted from the picker as the same speaker
    find(qtbot, window, CLAIM_2)
    key(qtbot, window, Qt.Key.Key_C)
    find(qtbot, window, "He pointed")
    key(qtbot, window, Qt.Key.Key_Left, CTRL | SHIFT)
    assert selected_text(window) == "He"
    key(qtbot, window, Qt.Key.Key_S)
    picker = window.picker
    assert isinstance(picker, SpeakerPicker) and picker.isVisible()
    assert picker.list.currentItem().text().startswith("Ajai Malhotra")
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert not picker.isVisible()
    second = next(c for c in window.annotations.claims if text[c.start : c.end] == CLAIM_2)
    assert second.speaker is not None and second.speaker.name == "Ajai Malhotra"
    assert text[second.mention.start : second.mention.end] == "He"
    assert len(window.annotations.speakers) == 1

    committed = claims_in_db(seeded_path)
    assert len(committed) == 2

    # Undo everything, one edit at a time, then redo it all
    edits = window.undo_stack.count()
    assert edits == 7  # claim, speaker, cue, stance, target, claim 2, speaker from the picker
    for _ in range(edits):
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert claims_in_db(seeded_path) == []
    assert window.annotations.claims == []
    for _ in range(edits):
        key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert claims_in_db(seeded_path) == committed

    # Ctrl+Enter: done (the only document, so it stays open)
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    out = tmp_path / "out.jsonl"
    export_jsonl(window.database, str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["annotator"] == "alice" and line["status"] == Status.DONE.value
    assert [s["name"] for s in line["speakers"]] == ["Ajai Malhotra"]
    assert [m["text"] for m in line["speakers"][0]["mentions"]] == ["Malhotra", "He"]
    first, second_line = line["claims"]
    assert first["text"] == CLAIM_1
    assert first["speaker"]["mention"]["text"] == "Malhotra"
    assert first["cue"]["text"] == "stated"
    assert first["stance"] == {"label": "support", "target": "strategic autonomy"}
    assert second_line["text"] == CLAIM_2
    assert second_line["speaker"]["id"] == first["speaker"]["id"]
    assert second_line["speaker"]["mention"]["text"] == "He"
    for claim in line["claims"]:
        assert line["text"][claim["start"] : claim["end"]] == claim["text"]
