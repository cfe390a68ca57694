"""An exception in any slot is logged with its traceback and shown in a dialog; the window keeps working (issue 5).

The fault is injected into the editing service the window calls (the only
stand-in in these tests), then reached the way a user reaches it: a real key
press through the window's QAction, a panel's signal, a timer, an undo
command, a background job. ``qt_no_exception_capture`` lets the program's
own ``sys.excepthook`` (``install_excepthook``) see the exception, as it does
outside the tests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from windows import show_window

from annotator.domain.model import Span
from annotator.logs import setup_logging
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.ui import app as app_module
from annotator.ui.main_window import MainWindow

pytestmark = [pytest.mark.qt_log_ignore("This plugin does not support"), pytest.mark.qt_no_exception_capture]
TEXT = "Officials said the cease fire holds. Critics disagree with them."


class BoomError(RuntimeError):
    """The injected bug."""


@pytest.fixture
def window(qtbot, db_path: Path, tmp_path: Path, log_dir: Path) -> Iterator[MainWindow]:
    setup_logging()
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"id": "a", "text": TEXT}) + "\n", encoding="utf-8")
    database = Database.open(db_path)
    assert not import_paths(database, [str(source)], ImportOptions(use_nlp=False)).failed
    main = show_window(qtbot, database)
    previous = sys.excepthook
    app_module.install_excepthook()
    yield main
    sys.excepthook = previous
    for box in bug_boxes():
        box.close()
    database.close()


def bug_boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == "Internal error"
    ]


def select(window: MainWindow, needle: str) -> None:
    start = TEXT.index(needle)
    window.view.select_span(Span(start, start + len(needle)))


def raising(message: str) -> Callable[..., object]:
    def fail(*_args: object, **_kwargs: object) -> object:
        raise BoomError(message)

    return fail


def trigger_key(qtbot, window: MainWindow) -> None:
    """C on a selection: QAction ▸ _guarded ▸ new_claim ▸ run_edit ▸ the failing service."""
    window.editor.create_claim = raising("boom from a key press")  # type: ignore[method-assign]
    select(window, "the cease fire holds")
    qtbot.keyClick(window.view, Qt.Key.Key_C)


def trigger_panel_signal(qtbot, window: MainWindow) -> None:
    """The claims panel's stance combo: a signal from a panel into the window's slot."""
    select(window, "Critics disagree")
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    window.editor.set_stance = raising("boom from a panel")  # type: ignore[method-assign]
    window.claims_panel.stanceChosen.emit(window.current_claim_id, "support")


def trigger_timer(qtbot, window: MainWindow) -> None:
    """A timer's callback (as the retry timer's)."""
    QTimer.singleShot(0, raising("boom from a timer"))
    qtbot.wait(50)


def trigger_undo(qtbot, window: MainWindow) -> None:
    """Ctrl+Z: the undo command's restore fails."""
    select(window, "Critics disagree")
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    window.editor.restore = raising("boom from undo")  # type: ignore[method-assign]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def trigger_background_job(qtbot, window: MainWindow) -> None:
    """A background job (import, pre-annotation) that raises on its thread."""
    job = window._start_job("Testing", raising("boom from a background job"), lambda _result: None)
    qtbot.waitUntil(lambda: not job.is_running(), timeout=10_000)
    qtbot.waitUntil(lambda: bool(bug_boxes()), timeout=5_000)


TRIGGERS = {
    "key press": (trigger_key, "boom from a key press"),
    "panel signal": (trigger_panel_signal, "boom from a panel"),
    "timer": (trigger_timer, "boom from a timer"),
    "undo command": (trigger_undo, "boom from undo"),
    "background job": (trigger_background_job, "boom from a background job"),
}


@pytest.mark.parametrize("where", list(TRIGGERS))
def test_a_bug_in_a_slot_is_logged_shown_and_survived(qtbot, window: MainWindow, log_dir: Path, where: str) -> None:
    trigger, message = TRIGGERS[where]
    log = log_dir / "annotator.log"
    logged_before = log.read_text(encoding="utf-8") if log.exists() else ""
    trigger(qtbot, window)
    (box,) = bug_boxes()
    assert message in box.text() and "BoomError" in box.text() and str(log) in box.text()
    assert box.textFormat() == Qt.TextFormat.PlainText and box.icon() == QMessageBox.Icon.Critical
    logged = log.read_text(encoding="utf-8")[len(logged_before) :]
    assert "Traceback (most recent call last)" in logged and f"BoomError: {message}" in logged, logged
    box.close()
    window.activateWindow()  # as the user's click back into the article would
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    # the window keeps working: a fresh editor (the injected fault gone), a real edit, saved
    from annotator.services.editing import Editor

    window.editor = Editor(window.database, "alice", wait_ms=window.editor.wait_ms)
    select(window, "them")
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert any(TEXT[c.start : c.end] == "them" for c in window.editor.annotations(window.document.id).claims)
    assert window.isVisible() and not bug_boxes()
