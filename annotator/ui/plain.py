"""Showing data as plain text where Qt would guess rich text (tooltips)."""

from __future__ import annotations

from PySide6.QtGui import Qt


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally, even when it looks like HTML (``<b>``, ``<img …>``)."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
