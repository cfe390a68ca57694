"""Suggestions in the window, driven with real keys: accept (A), reject (R), accept all (Shift+A), step (] [).

The sample article is imported into a real SQLite file and its suggestions
are computed by the real engine with the real spaCy model.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from windows import show_window

from annotator.domain.model import Span, Suggestion
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.services.suggesting import compute_suggestions
from annotator.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

REPO = Path(__file__).resolve().parents[2]
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
HE_SENTENCE = "He pointed out that diversified international partnerships"


@pytest.fixture
def window(qtbot, database: Database, real_model: object) -> Iterator[MainWindow]:
    report = import_paths(database, [str(REPO / "seeds")], ImportOptions(use_nlp=False))
    assert report.added == 1
    assert compute_suggestions(database).suggestions > 0
    main = show_window(qtbot, database)
    yield main


def text_of(window: MainWindow, span: Span | None) -> str:
    assert span is not None
    return window.view.text()[span.start : span.end]


def find(qtbot, window: MainWindow, needle: str) -> None:
    """Ctrl+F, type, Esc: the match stays selected in the view, which has the focus again."""
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_bar.line_edit, needle)
    qtbot.keyClick(window.find_bar.line_edit, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view


def he_suggestion(window: MainWindow) -> Suggestion:
    found = [
        s
        for s in window.suggesting.suggestions
        if s.mention is not None
        and s.cue is not None  # a suggestion may lack either
        and text_of(window, s.mention) == "He"
        and text_of(window, s.cue) == "pointed out"
    ]
    assert len(found) == 1, [text_of(window, s.span) for s in window.suggesting.suggestions]
    return found[0]


def test_the_pronoun_claim_is_suggested_with_the_person_and_drawn(window: MainWindow) -> None:
    suggestion = he_suggestion(window)
    assert suggestion.speaker_name == "Ajai Malhotra"
    assert text_of(window, suggestion.cue) == "pointed out"
    assert text_of(window, suggestion.span).startswith("that diversified international partnerships")
    # Drawn faintly: content parts, cue and mention of every suggestion are extra selections.
    expected = sum(len(s.parts) + (s.cue is not None) + (s.mention is not None) for s in window.suggesting.suggestions)
    assert len(window.view.extraSelections()) == expected
    assert window.annotations.claims == []
    tooltip = window.view.describe_at(suggestion.mention.start if suggestion.mention else 0)
    assert "Ajai Malhotra" in tooltip and "score" in tooltip


def test_a_accepts_the_suggestion_at_the_caret_and_ctrl_z_takes_it_back(qtbot, window: MainWindow) -> None:
    suggestion = he_suggestion(window)
    before = len(window.suggesting.suggestions)
    find(qtbot, window, "He pointed out")
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert len(window.annotations.claims) == 1
    claim = window.annotations.claims[0]
    assert claim.speaker is not None and claim.speaker.name == "Ajai Malhotra"
    assert text_of(window, claim.mention) == "He"
    assert text_of(window, claim.cue) == "pointed out"
    assert claim.span == suggestion.span
    assert window.current_claim_id == claim.id
    assert suggestion.id not in [s.id for s in window.suggesting.suggestions]
    assert len(window.suggesting.suggestions) == before - 1
    # Stored, not only shown.
    assert len(window.editor.annotations(window._require_document()).claims) == 1

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.annotations.claims == []
    assert window.editor.annotations(window._require_document()).claims == []
    assert suggestion.id in [s.id for s in window.suggesting.suggestions]


def test_r_rejects_and_ctrl_z_brings_it_back(qtbot, window: MainWindow) -> None:
    suggestion = he_suggestion(window)
    find(qtbot, window, "He pointed out")
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert suggestion.id not in [s.id for s in window.suggesting.suggestions]
    assert window.annotations.claims == []
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert suggestion.id in [s.id for s in window.suggesting.suggestions]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: rejected again
    assert suggestion.id not in [s.id for s in window.suggesting.suggestions]


def test_shift_a_accepts_all_in_one_undo_step(qtbot, window: MainWindow) -> None:
    count = len(window.suggesting.suggestions)
    assert count >= 2
    qtbot.keyClick(window.view, Qt.Key.Key_A, SHIFT)
    assert len(window.annotations.claims) == count
    assert window.suggesting.suggestions == []
    names = {c.speaker.name for c in window.annotations.claims if c.speaker is not None}
    assert "Ajai Malhotra" in names
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.annotations.claims == []
    assert len(window.suggesting.suggestions) == count


def test_brackets_step_between_suggestions(qtbot, window: MainWindow) -> None:
    suggestions = window.suggesting.suggestions
    window.view.select_span(Span(0, 0))
    qtbot.keyClick(window.view, Qt.Key.Key_BracketRight)
    assert window.view.selected_span() == suggestions[0].span
    qtbot.keyClick(window.view, Qt.Key.Key_BracketRight)
    assert window.view.selected_span() == suggestions[1].span
    qtbot.keyClick(window.view, Qt.Key.Key_BracketLeft)
    assert window.view.selected_span() == suggestions[0].span
    # A after ] accepts the suggestion ] selected.
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert [c.span for c in window.annotations.claims] == [suggestions[0].span]


def test_missed_claims_panel_lists_cue_sentences_without_a_claim(qtbot, window: MainWindow) -> None:
    panel = window.suggesting.panel
    assert window.missed_dock.toggleViewAction().text() == "&Missed claims"
    listed = [text_of(window, span) for span in panel.sentences()]
    assert any(sentence.startswith(HE_SENTENCE) for sentence in listed)
    assert panel.list.count() == len(listed)
    # Enter on a row selects the sentence in the article.
    row = next(i for i, sentence in enumerate(listed) if sentence.startswith(HE_SENTENCE))
    window.missed_dock.show()
    window.missed_dock.raise_()
    panel.list.setFocus()
    panel.list.setCurrentRow(row)
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert window.view.selected_span() == panel.sentences()[row]
    assert QApplication.focusWidget() is window.view
    # The claim is made (A at the sentence): the sentence leaves the panel; undo puts it back.
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert len(window.annotations.claims) == 1
    assert not any(text_of(window, span).startswith(HE_SENTENCE) for span in panel.sentences())
    assert panel.list.count() == len(listed) - 1
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert panel.list.count() == len(listed)


def test_a_in_the_find_bar_types_text_and_accepts_nothing(qtbot, window: MainWindow) -> None:
    count = len(window.suggesting.suggestions)
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_bar.line_edit, "aA]rR[")
    assert window.find_bar.line_edit.text() == "aA]rR["
    assert window.annotations.claims == []
    assert len(window.suggesting.suggestions) == count
    assert window.undo_stack.count() == 0


def test_keys_are_in_the_f1_sheet() -> None:
    from annotator.ui.keymap import binding, shortcut_sheet_text

    sheet = shortcut_sheet_text()
    for action, key in (
        ("accept_suggestion", "A"),
        ("reject_suggestion", "R"),
        ("accept_all_suggestions", "Shift+A"),
        ("next_suggestion", "]"),
        ("previous_suggestion", "["),
    ):
        assert binding(action).key == key and binding(action).view_only
        assert any(line.startswith(key + " ") for line in sheet.splitlines())


def test_the_speaker_picker_preselects_the_suggested_person(qtbot, window: MainWindow) -> None:
    from annotator.ui.pickers import SpeakerPicker

    suggestion = he_suggestion(window)
    assert suggestion.mention is not None
    find(qtbot, window, "Malhotra stated")
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # a speaker named by this mention, nearer to "He" than any other
    find(qtbot, window, "Ajai Malhotra")
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    # The annotator makes the claim by hand (C), then S on "He": the picker opens on the suggested person.
    window.view.select_span(suggestion.span)
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    window.view.select_span(suggestion.mention)
    qtbot.keyClick(window.view, Qt.Key.Key_S)
    picker = window.picker
    assert isinstance(picker, SpeakerPicker)
    qtbot.waitUntil(picker.isVisible)
    rows = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert len(rows) >= 2, rows
    assert "Ajai Malhotra" in picker.list.currentItem().text(), rows
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    claim = next(c for c in window.annotations.claims if c.span == suggestion.span)
    assert claim.speaker is not None and claim.speaker.name == "Ajai Malhotra"


def test_missed_claims_check_on_plain_text() -> None:
    from annotator.services.missed_claims import missed_claims

    text = 'The minister said taxes will fall. Rain is likely. "We will win," one fan shouted! No cue here.'
    found = missed_claims(text, [])
    assert [text[m.span.start : m.span.end] for m in found] == [
        "The minister said taxes will fall.",
        '"We will win," one fan shouted!',
    ]
    assert found[0].reason == "cue “said”"
    claimed = Span(text.index("taxes"), text.index(" fall") + 5)
    assert [text[m.span.start : m.span.end] for m in missed_claims(text, [claimed])] == [
        '"We will win," one fan shouted!'
    ]


def test_the_suggestion_at_the_caret_is_linked_and_boxed(qtbot, window: MainWindow) -> None:
    layer = window.suggesting.layer
    qtbot.keyClick(window.view, Qt.Key.Key_Home, CTRL)
    assert layer.at_caret() is None or layer.at_caret() is layer.suggestions[0]
    find(qtbot, window, "The focus, he added")
    suggestion = layer.at_caret()
    assert suggestion is not None and text_of(window, suggestion.cue) == "added"
    assert [text_of(window, part)[:16] for part in suggestion.parts] == ["The focus", "should remain on"]
    path = layer.link_path()
    # one curve from the cue to the source and one to each content part
    assert sum(path.elementAt(i).isMoveTo() for i in range(path.elementCount())) == 3
    points = [path.pointAtPercent(i / 40) for i in range(41)]
    hue = layer.hue()

    def teal_points() -> int:
        window.view.viewport().repaint()
        image = window.view.viewport().grab().toImage()
        ratio = image.width() / window.view.viewport().width()  # device pixels per point
        count = 0
        for point in points:
            pixel = image.pixelColor(round(point.x() * ratio), round(point.y() * ratio))
            distance = abs(pixel.red() - hue.red()) + abs(pixel.green() - hue.green()) + abs(pixel.blue() - hue.blue())
            count += distance < 120
        return count

    linked = teal_points()
    qtbot.keyClick(window.view, Qt.Key.Key_Home, CTRL)  # the caret leaves the suggestion: its links go
    unlinked = teal_points()
    assert linked >= 15 and unlinked <= linked - 12, (linked, unlinked)
    # Elsewhere (a sentence no suggestion covers) nothing is linked.
    find(qtbot, window, "Regarding the")
    assert layer.at_caret() is None and layer.link_path().isEmpty()
