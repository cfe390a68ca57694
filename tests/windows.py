"""Opening the real window in a test: shown, exposed, active, on its first document, the article focused."""

from PySide6.QtWidgets import QApplication

from annotator.services.database import Database
from annotator.ui.main_window import MainWindow


def focus(qtbot, window: MainWindow) -> None:
    """Make ``window`` the active one with the article focused, as a click into it would (shortcuts need it)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()


def show_window(qtbot, database: Database, annotator: str = "alice") -> MainWindow:
    """A window on ``database`` for ``annotator``, showing the first document, ready for key presses."""
    window = MainWindow(database, annotator)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_first()
    focus(qtbot, window)
    return window
