"""File ▸ Import and Export in other tools' formats, through the real menus and file dialog."""

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox
from test_window_behaviour import import_lines, make_window

from annotator.services.database import Database
from annotator.ui.file_formats import default_export_name, export_choices, import_choices

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
TEXT = "Ajai Malhotra said India should stay neutral. He pointed out that talks matter."


def _line(**extra: object) -> dict[str, object]:
    he = TEXT.index("He")
    return {
        "format": "annotator/v1",
        "id": "doc-1",
        "text": TEXT,
        "annotator": "alice",
        "status": "done",
        "entities": [{"start": 0, "end": 13, "text": "Ajai Malhotra", "label": "PERSON", "source": "model"}],
        "speakers": [
            {
                "id": "s1",
                "name": "Ajai Malhotra",
                "kind": "person",
                "mentions": [
                    {"start": 0, "end": 13, "text": "Ajai Malhotra"},
                    {"start": he, "end": he + 2, "text": "He"},
                ],
            }
        ],
        "claims": [
            {
                "id": "c1",
                "start": 19,
                "end": 44,
                "text": TEXT[19:44],
                "speaker": {"id": "s1", "mention": {"start": 0, "end": 13, "text": "Ajai Malhotra"}},
                "cue": {"start": 14, "end": 18, "text": "said"},
                "stance": {"label": "support", "target": "neutrality"},
                "note": None,
            }
        ],
        **extra,
    }


def test_the_dialog_filters_name_every_format() -> None:
    imports, exports = import_choices(), export_choices()
    assert imports.format_of(imports.filters[0]) == "auto"
    assert {imports.format_of(f) for f in imports.filters} >= {"auto", "jsonl", "text", "prodigy", "doccano"}
    assert "brat" not in {imports.format_of(f) for f in imports.filters}  # a folder: File ▸ Import folder…
    assert {exports.format_of(f) for f in exports.filters} == {
        "jsonl",
        "prodigy",
        "doccano",
        "labelstudio",
        "brat",
        "citron",
        "spacy",
    }
    assert default_export_name("spacy") == "annotations-spacy.spacy"
    assert default_export_name("brat") == "annotations-brat"


def _answer_export_dialog(qtbot, fmt: str, target: Path) -> None:
    """Once the export dialog is open: pick ``fmt``'s filter, type ``target``, accept."""

    def dialog() -> QFileDialog:
        return next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible())

    def choose_format() -> None:
        choices = export_choices()
        dialog().selectNameFilter(next(f for f in choices.filters if choices.format_of(f) == fmt))
        QTimer.singleShot(100, name_and_accept)

    def name_and_accept() -> None:
        name_field = dialog().findChild(QLineEdit, "fileNameEdit")  # what a user types into
        name_field.setText(str(target))
        dialog().accept()

    QTimer.singleShot(200, choose_format)


def test_file_export_writes_the_chosen_format_and_shows_what_it_cannot_carry(qtbot, database: Database, tmp_path):
    import_lines(database, tmp_path, [_line(note="check the date")])
    window = make_window(qtbot, database)
    target = tmp_path / "out.jsonl"
    _answer_export_dialog(qtbot, "prodigy", target)
    window.export_dialog()
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1 and lines[0]["text"] == TEXT and lines[0]["_annotator_id"] == "alice"
    assert {span["label"] for span in lines[0]["spans"]} >= {"CLAIM", "SOURCE", "CUE", "PERSON"}
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes and "document notes" in boxes[-1].text()  # the loss is said, not dropped silently
    assert "as prodigy" in window.statusBar().currentMessage()
    for box in boxes:
        box.close()


def test_file_export_to_a_brat_folder_and_import_it_back(qtbot, database: Database, db_path: Path, tmp_path):
    import_lines(database, tmp_path, [_line()])
    window = make_window(qtbot, database)
    folder = tmp_path / "brat-out"
    window.export_to(str(folder), "brat")
    assert (folder / "annotation.conf").is_file()
    other = Database.open(tmp_path / "other.sqlite3")
    try:
        second = make_window(qtbot, other, annotator="alice")
        job = second.start_import([str(folder)])
        qtbot.waitUntil(lambda: not job.is_running(), timeout=20_000)
        qtbot.waitUntil(lambda: second.document is not None, timeout=5_000)
        assert second.document is not None and second.document.text == TEXT
        claims = second.annotations.claims if second.annotations else []
        assert [(c.start, c.end) for c in claims] == [(19, 44)]
        assert claims[0].speaker is not None and claims[0].speaker.name == "Ajai Malhotra"
    finally:
        other.close()


def test_file_import_with_a_chosen_format(qtbot, database: Database, tmp_path):
    window = make_window(qtbot, database)
    source = tmp_path / "tasks.jsonl"
    source.write_text(
        json.dumps(
            {
                "text": "Maria Silva said so.",
                "spans": [{"start": 0, "end": 11, "label": "PERSON"}],
                "answer": "accept",
                "_session_id": "news-maria",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    job = window.start_import([str(source)], fmt="prodigy")
    qtbot.waitUntil(lambda: not job.is_running(), timeout=20_000)
    qtbot.waitUntil(lambda: window.document is not None, timeout=5_000)
    assert window.document is not None and window.document.text == "Maria Silva said so."
