"""Starting the window: the annotator's name, first start with the sample, --doc, bugs shown and logged."""

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from annotator.services.database import Database
from annotator.ui import app as app_module
from annotator.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path: Path, qapp) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()


def test_first_start_imports_and_opens_the_sample_article(qtbot, db_path: Path, real_model):
    database = Database.open(db_path)
    window = app_module.open_window(database, "alice")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.document is not None, timeout=120_000)
    assert window.view.text().startswith("Russian President")
    assert any(e.label == "PERSON" for e in window.annotations.entities)
    database.close()


def test_doc_option_opens_that_document(qtbot, db_path: Path, tmp_path: Path):
    from annotator.services.importing import ImportOptions, import_paths

    database = Database.open(db_path)
    for name in ("first", "second"):
        (tmp_path / f"{name}.txt").write_text(f"The {name} article.", encoding="utf-8")
    import_paths(database, [str(tmp_path / "first.txt"), str(tmp_path / "second.txt")], ImportOptions(use_nlp=False))
    window = app_module.open_window(database, "alice", "second")
    qtbot.addWidget(window)
    assert window.document.external_id == "second"
    database.close()


def test_the_name_is_asked_once_and_remembered(qtbot):
    def answer() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible())
        dialog.setTextValue("carol")
        dialog.accept()

    QTimer.singleShot(200, answer)
    assert app_module.ask_annotator_name() == "carol"
    assert app_module.ask_annotator_name() == "carol"  # no dialog this time: it would block the test


def test_a_bug_in_a_slot_is_logged_and_shown_and_the_window_keeps_working(qtbot, database, log_dir: Path):
    from annotator.logs import setup_logging

    setup_logging()
    window = MainWindow(database, "alice")
    qtbot.addWidget(window)
    window.show()
    previous = sys.excepthook
    app_module.install_excepthook()
    try:
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes and "boom in a slot" in boxes[0].text()
    assert "RuntimeError: boom in a slot" in (log_dir / "annotator.log").read_text(encoding="utf-8")
    assert "Traceback" in (log_dir / "annotator.log").read_text(encoding="utf-8")
    boxes[0].close()
    assert window.isVisible()


def test_no_display_is_one_clear_line_not_an_abort(tmp_path: Path):
    import subprocess

    env = {
        k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")
    }
    env["ANNOTATOR_DB"] = str(tmp_path / "db.sqlite3")
    env["ANNOTATOR_LOG_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "--annotator", "alice"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no display" in result.stderr and "Traceback" not in result.stderr


def test_the_icon_has_every_size_and_the_desktop_entry_names_it():
    icon = app_module.application_icon()
    assert {size.width() for size in icon.availableSizes()} == set(app_module.ICON_SIZES)
    entry = (Path(__file__).resolve().parents[2] / "packaging" / "annotator.desktop").read_text(encoding="utf-8")
    fields = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    assert fields["Icon"] == "annotator" and fields["Exec"].startswith("annotator") and fields["Type"] == "Application"
