"""The key table holds every key of DESIGN.md's keyboard table, and the F1 sheet shows them all."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from annotator.domain.schema import default_schema
from annotator.ui.keymap import BINDINGS, binding, shortcut_sheet_rows, shortcut_sheet_text

# DESIGN.md's keyboard table, one key a row ("1 … 9" spelled out).
DESIGN_KEYS = [
    "Ctrl+F",
    "Shift+Left",
    "Shift+Right",
    "C",
    "S",
    "Q",
    *(str(number) for number in range(1, 10)),
    "0",
    "T",
    "E",
    "Tab",
    "Shift+Tab",
    "Delete",
    "N",
    "Ctrl+Z",
    "Ctrl+Shift+Z",
    "Ctrl+Enter",
    "Alt+Right",
    "Alt+Left",
    "Ctrl+Q",
]
DESIGN_MD = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"


def design_table_keys(markdown: str) -> list[str]:
    """The keys of the table under ``## Keyboard``, split at " / " and with "1 … 9" spelled out."""
    section = markdown.split("## Keyboard", 1)[1].split("\n## ", 1)[0]
    keys: list[str] = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("key", "---") or set(cells[0]) <= {"-", " "}:
            continue
        cell = re.sub(r"\s*\(.*\)$", "", cells[0])
        for key in cell.split(" / "):
            if key == "1 … 9":
                keys += [str(number) for number in range(1, 10)]
                if "0 clears" in cells[1]:
                    keys.append("0")
            else:
                keys.append(key)
    return keys


def test_every_design_key_is_in_the_table() -> None:
    keys = [item.key for item in BINDINGS]
    for key in DESIGN_KEYS:
        assert key in keys, key
    assert "F1" in keys


@pytest.mark.skipif(not DESIGN_MD.exists(), reason="shared/DESIGN.md is not next to the repository")
def test_the_table_matches_design_md() -> None:
    assert design_table_keys(DESIGN_MD.read_text(encoding="utf-8")) == DESIGN_KEYS


def test_keys_are_valid_and_distinct() -> None:
    sequences = [sequence for item in BINDINGS for sequence in item.sequences()]
    assert all(sequence.count() == 1 and not sequence.isEmpty() for sequence in sequences)
    assert all(sequence[0].key() != Qt.Key.Key_unknown for sequence in sequences)  # type: ignore[index]
    assert len({sequence.toString() for sequence in sequences}) == len(sequences)
    assert len({item.action for item in BINDINGS}) == len(BINDINGS)
    assert binding("done_next").sequences() == [QKeySequence("Ctrl+Enter"), QKeySequence("Ctrl+Return")]


def test_single_keys_act_only_in_the_article_view() -> None:
    for item in BINDINGS:
        combination = QKeySequence(item.key)[0]  # type: ignore[index]
        modifiers = combination.keyboardModifiers() & ~Qt.KeyboardModifier.ShiftModifier
        single = not item.builtin and modifiers == Qt.KeyboardModifier.NoModifier and item.key != "F1"
        assert item.view_only == single, item


def test_sheet_lists_every_key() -> None:
    sheet = shortcut_sheet_text()
    lines = sheet.splitlines()
    assert len(lines) == len(BINDINGS)
    for item, line in zip(BINDINGS, lines, strict=True):
        assert line.split()[0] == item.key
        assert item.description.split(";")[0] in line
    assert "<" not in sheet


def test_sheet_names_the_stance_labels() -> None:
    rows = dict(shortcut_sheet_rows(default_schema()))
    assert "'support'" in rows["1"]
    assert "'neutral'" in rows["3"]
    assert "not in this schema" in rows["9"]
    assert "clear" in rows["0"]


def test_unknown_action() -> None:
    with pytest.raises(KeyError):
        binding("no such action")
