"""Starting the window: application set-up, the annotator's name, first start, error handling."""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from importlib import resources
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QSettings, QSize, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QWidget

from annotator import __version__
from annotator.domain.errors import UserError
from annotator.services.database import Database, upgrade_note
from annotator.services.documents import DocumentQuery
from annotator.ui import dialogs
from annotator.ui.main_window import MainWindow
from annotator.ui.theme import apply_theme

log = logging.getLogger(__name__)
NAME_KEY = "annotator/name"


def application() -> QApplication:
    """The QApplication, created once with the program's name, organisation and version."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QCoreApplication.setOrganizationName("annotator")
    QCoreApplication.setOrganizationDomain("annotator.local")
    QCoreApplication.setApplicationName("annotator")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    app.setDesktopFileName("annotator")
    app.setWindowIcon(application_icon())
    return app


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def application_icon() -> QIcon:
    """The program's icon, every size shipped in ``annotator/resources/icons``."""
    icon = QIcon()
    folder = resources.files("annotator.resources").joinpath("icons")
    for size in ICON_SIZES:
        icon.addFile(str(folder.joinpath(f"annotator-{size}.png")), QSize(size, size))
    return icon


def install_excepthook() -> None:
    """Log any exception that escapes a slot with its traceback and show it; the window keeps running."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if isinstance(error, UserError):
            window = QApplication.activeWindow()
            if isinstance(window, MainWindow):
                window.statusBar().showMessage(str(error), 6000)
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        dialogs.show_bug(QApplication.activeWindow(), f"{kind.__name__}: {error}")

    sys.excepthook = hook


def ask_annotator_name(parent: QWidget | None = None) -> str | None:
    """The remembered annotator name, or ask once and remember it."""
    settings = QSettings()
    remembered = settings.value(NAME_KEY)
    if isinstance(remembered, str) and remembered.strip():
        return remembered
    name, ok = QInputDialog.getText(parent, "Who is annotating?", "Your name (it goes with every annotation you make):")
    if not ok or not name.strip():
        return None
    settings.setValue(NAME_KEY, name.strip())
    return name.strip()


def open_window(database: Database, annotator: str, document_id: str | None = None) -> MainWindow:
    """Create and show the main window; a first start on an empty database imports the sample article."""
    window = MainWindow(database, annotator)
    geometry = QSettings().value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    window.show()
    if window.documents.count(DocumentQuery()) == 0:
        from annotator.services.samples import sample_folder

        folder = sample_folder()
        if folder is not None and document_id is None:
            window.start_import([str(folder)], open_when_done=True)
            return window
    window.open_first(document_id)
    return window


XCB_LIBRARIES = ("xcb-cursor", "xkbcommon-x11", "EGL")
"""Libraries Qt's xcb platform plugin loads; without them Qt aborts the process instead of failing."""


def check_display() -> None:
    """Refuse, with a clear line, to start where Qt would abort: no display, or no xcb libraries."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if not os.environ.get("DISPLAY"):
        raise UserError(
            "no display: the window needs a graphical session (DISPLAY is not set); "
            "the sub-commands import, export and stats work without one"
        )
    from ctypes.util import find_library

    missing = [name for name in XCB_LIBRARIES if find_library(name) is None]
    if missing:
        packages = {"xcb-cursor": "libxcb-cursor0", "xkbcommon-x11": "libxkbcommon-x11-0", "EGL": "libegl1"}
        raise UserError(
            f"Qt cannot open a window: missing system libraries {', '.join(missing)}; "
            f"install them, e.g. sudo apt-get install {' '.join(packages[name] for name in missing)}"
        )


def run_window(db: str | None, annotator: str | None, document_id: str | None, screenshot: str | None = None) -> int:
    """``annotator`` / ``annotator gui``: run the window until it closes; returns the exit status.

    With ``screenshot``, save a picture of the window once the first article is
    shown, then quit (for documentation and smoke tests of installed copies).
    """
    check_display()
    app = application()
    install_excepthook()
    apply_theme(QSettings().value("ui/dark") in (True, "true"))
    try:
        database = Database.open(db)
    except UserError as error:
        box = QMessageBox(QMessageBox.Icon.Critical, "Cannot open the database", str(error))
        box.exec()
        raise
    name = annotator or os.environ.get("ANNOTATOR_NAME") or ask_annotator_name()
    if not name:
        raise UserError("no annotator name given; pass --annotator NAME or set ANNOTATOR_NAME")
    try:
        window = open_window(database, name, document_id)
    except UserError as error:
        message = str(error)
        QTimer.singleShot(0, lambda: dialogs.show_plain_message(None, "annotator", message))
        window = MainWindow(database, name)
        window.show()
    if note := upgrade_note(database):
        window.statusBar().showMessage(note, 30_000)
    if screenshot is not None:
        _screenshot_when_shown(window, screenshot)
    status = int(app.exec())
    window.deleteLater()
    return status


SCREENSHOT_TIMEOUT_S = 120


def _screenshot_when_shown(window: MainWindow, path: str) -> None:
    """Poll until the window shows an article, save it as an image, and quit (status 1 on timeout)."""
    timer = QTimer(window)
    started = time.monotonic()

    def poll() -> None:
        if window.document is not None and (window.job is None or not window.job.is_running()):
            timer.stop()
            QApplication.processEvents()
            saved = window.grab().save(path)
            QApplication.exit(0 if saved else 1)
        elif time.monotonic() - started > SCREENSHOT_TIMEOUT_S:
            timer.stop()
            log.error("no article was shown within %s s; no screenshot", SCREENSHOT_TIMEOUT_S)
            QApplication.exit(1)

    timer.timeout.connect(poll)
    timer.start(100)
