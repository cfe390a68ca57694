"""Message, help and about dialogs; everything they show is plain text."""

from __future__ import annotations

import platform
from importlib import metadata, resources

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__
from annotator.domain.schema import LabelSchema
from annotator.services.database import SCHEMA_REVISION, Database
from annotator.ui.keymap import shortcut_sheet_text


class TextDialog(QDialog):
    """A read-only plain-text page with a Close button."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None, monospace: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.body = QPlainTextEdit(self)
        self.body.setReadOnly(True)
        self.body.setPlainText(text)
        if monospace:
            self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        else:
            self.body.setFont(QFont(self.body.font()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)
        layout.addWidget(buttons)
        self.resize(720, 520)


def show_shortcuts(parent: QWidget, schema: LabelSchema) -> TextDialog:
    """Help ▸ Shortcuts (F1): the sheet generated from the key table."""
    dialog = TextDialog("Keyboard shortcuts", shortcut_sheet_text(schema), parent, monospace=True)
    dialog.open()
    return dialog


def show_guidelines(parent: QWidget) -> TextDialog:
    """Help ▸ Guidelines: the annotation guidelines shipped in resources/."""
    text = resources.files("annotator.resources").joinpath("guidelines.md").read_text(encoding="utf-8")
    dialog = TextDialog("Annotation guidelines", text, parent)
    dialog.open()
    return dialog


def versions(database: Database) -> str:
    """The versions and locations an About box and a bug report need."""
    from annotator.services.preannotating import installed_model

    try:
        spacy_version = metadata.version("spacy")
    except metadata.PackageNotFoundError:
        spacy_version = "not installed"
    from annotator.logs import log_path

    return "\n".join(
        [
            f"annotator {__version__}",
            f"Python {platform.python_version()}",
            f"Qt {qVersion()}, PySide6 {pyside_version}",
            f"spaCy {spacy_version}, model {installed_model()}",
            f"database schema {SCHEMA_REVISION}",
            f"database: {database.describe()}",
            f"log file: {log_path()}",
        ]
    )


def show_about(parent: QWidget, database: Database) -> QMessageBox:
    """Help ▸ About."""
    box = QMessageBox(QMessageBox.Icon.Information, "About annotator", versions(database), parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()
    return box


def show_plain_message(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """A warning whose text is shown literally."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent or _some_window())
    box.setTextFormat(Qt.TextFormat.PlainText)
    _keep_until_closed(box)
    box.open()
    return box


def show_bug(parent: QWidget | None, message: str) -> QMessageBox:
    """A bug: what happened, and where the traceback was logged; the window keeps working."""
    from annotator.logs import log_path

    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "Internal error",
        f"Something went wrong inside annotator (a bug):\n{message}\n\nYour saved work is safe. "
        f"The details are in the log file:\n{log_path()}",
        parent=parent or _some_window(),
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    _keep_until_closed(box)
    box.open()
    return box


_open_boxes: set[QMessageBox] = set()


def _some_window() -> QWidget | None:
    """The active window, else any visible top-level window, to parent a message to."""
    active = QApplication.activeWindow()
    if active is not None:
        return active
    return next((w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()), None)


def _keep_until_closed(box: QMessageBox) -> None:
    """Hold a reference to a box without a parent so Python does not collect it while it shows."""
    if box.parent() is None:
        _open_boxes.add(box)
        box.finished.connect(lambda _result: _open_boxes.discard(box))
