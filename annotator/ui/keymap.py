"""The key bindings, as one table; the F1 sheet and the window's actions are made from it.

The keys are written exactly as in DESIGN.md's keyboard table (Qt's
portable key-sequence text). A binding with ``view_only`` is a single key
(a letter, a digit, Tab, Delete) that must act only while the article view
has focus, so that typing in the find bar or a text field types text: give
its ``QAction`` the ``Qt.ShortcutContext.WidgetShortcut`` context and add it
to the article view. A ``builtin`` binding is handled by the text view itself
and is listed only for the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

from annotator.domain.schema import LabelSchema


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One key and the action it triggers."""

    action: str
    key: str
    description: str
    view_only: bool = False
    builtin: bool = False
    alternates: tuple[str, ...] = ()

    def sequences(self) -> list[QKeySequence]:
        """Return the key sequences to register: the key first, then its alternates."""
        return [QKeySequence(key) for key in (self.key, *self.alternates)]


STANCE_KEYS = 9
"""Keys 1 … 9 set the stance label at that position in the schema."""


def _stance_bindings() -> tuple[KeyBinding, ...]:
    return tuple(
        KeyBinding(
            f"stance_{number}",
            str(number),
            f"stance label {number} of the schema for the current claim",
            view_only=True,
        )
        for number in range(1, STANCE_KEYS + 1)
    )


BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding(
        "find",
        "Ctrl+F",
        "find in the article: typing selects the first match, Enter the next (wrapping), Esc returns to the article",
    ),
    KeyBinding("extend_selection", "Shift+Right", "extend the selection (Ctrl+Shift+Right: by words)", builtin=True),
    KeyBinding("shrink_selection", "Shift+Left", "shrink the selection (Ctrl+Shift+Left: by words)", builtin=True),
    KeyBinding("new_claim", "C", "the selection becomes a new claim, the current one", view_only=True),
    KeyBinding(
        "add_claim_part",
        "Shift+C",
        "the selection becomes another part of the current claim (a claim split by other text)",
        view_only=True,
    ),
    KeyBinding("set_speaker", "S", "the selection becomes the speaker mention of the current claim", view_only=True),
    KeyBinding("set_cue", "Q", "the selection becomes the cue of the current claim", view_only=True),
    *_stance_bindings(),
    KeyBinding("clear_stance", "0", "clear the stance label of the current claim", view_only=True),
    KeyBinding("edit_target", "T", "edit the stance target of the current claim", view_only=True),
    KeyBinding("new_entity", "E", "the selection becomes an entity; a label picker follows", view_only=True),
    KeyBinding("next_claim", "Tab", "next claim becomes current", view_only=True),
    KeyBinding("previous_claim", "Shift+Tab", "previous claim becomes current", view_only=True),
    KeyBinding("delete", "Delete", "delete the current claim (or the selected entity)", view_only=True),
    KeyBinding("note", "N", "note on the current claim", view_only=True),
    KeyBinding(
        "accept_suggestion",
        "A",
        "accept the suggestion at the caret (or the next one): it becomes a claim with speaker, mention and cue",
        view_only=True,
    ),
    KeyBinding("reject_suggestion", "R", "reject the suggestion at the caret (or the next one)", view_only=True),
    KeyBinding(
        "accept_all_suggestions", "Shift+A", "accept every suggestion left in the document (one undo)", view_only=True
    ),
    KeyBinding("next_suggestion", "]", "select the next suggestion", view_only=True),
    KeyBinding("previous_suggestion", "[", "select the previous suggestion", view_only=True),
    KeyBinding("undo", "Ctrl+Z", "undo"),
    KeyBinding("redo", "Ctrl+Shift+Z", "redo"),
    KeyBinding(
        "done_next", "Ctrl+Enter", "mark the document done and open the next one not done", alternates=("Ctrl+Return",)
    ),
    KeyBinding("next_document", "Alt+Right", "next document"),
    KeyBinding("previous_document", "Alt+Left", "previous document"),
    KeyBinding("quit", "Ctrl+Q", "quit"),
    KeyBinding("help", "F1", "this sheet of keys"),
)
"""Every key binding, in the order of the F1 sheet."""


def binding(action: str) -> KeyBinding:
    """Return the binding of ``action``; raise ``KeyError`` for an unknown action id."""
    for item in BINDINGS:
        if item.action == action:
            return item
    raise KeyError(action)


def shortcut_sheet_rows(schema: LabelSchema | None = None) -> list[tuple[str, str]]:
    """Return the F1 sheet as ``(key, description)`` rows; with ``schema``, stance keys name their labels."""
    stance_names = schema.names("stance") if schema is not None else []
    rows: list[tuple[str, str]] = []
    for item in BINDINGS:
        description = item.description
        if item.action.startswith("stance_"):
            position = int(item.key) - 1
            if position < len(stance_names):
                description = f"stance {stance_names[position]!r} for the current claim"
            elif schema is not None:
                description = f"stance label {item.key} (not in this schema)"
        if item.view_only:
            description += " [article view]"
        rows.append((item.key, description))
    return rows


def shortcut_sheet_text(schema: LabelSchema | None = None) -> str:
    """Return the F1 sheet as plain text, one ``key  description`` row a line (show it as plain text)."""
    rows = shortcut_sheet_rows(schema)
    width = max(len(key) for key, _ in rows)
    return "\n".join(f"{key.ljust(width)}  {description}" for key, description in rows)
