"""A hand-made annotator/v1 file survives import → export → import into an empty database → export."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from native_lines import native_lines

from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database


def comparable(line: dict[str, Any]) -> dict[str, Any]:
    """A line without file-local ids and timestamps; speakers referred to by name."""
    line = copy.deepcopy(line)
    line.pop("updated_at", None)
    line.pop("text_sha256", None)
    names = {s["id"]: s["name"] for s in line["speakers"]}
    for item in line["entities"]:
        item.pop("id", None)
    for speaker in line["speakers"]:
        speaker.pop("id", None)
    for item in line["claims"]:
        item.pop("id", None)
        if item["speaker"] is not None:
            item["speaker"]["id"] = names[item["speaker"]["id"]]
    return line


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_round_trip_through_an_empty_database(tmp_path: Path, jsonl: Callable[..., Path]) -> None:
    original = native_lines()
    source = jsonl(tmp_path / "hand-made.jsonl", original)
    first_db = Database.open(tmp_path / "first.sqlite3")
    second_db = Database.open(tmp_path / "second.sqlite3")
    try:
        report = import_paths(first_db, [str(source)], ImportOptions(use_nlp=False))
        assert report.failed == [] and report.added == 2 and report.files[0].annotations_added == 2
        first_export = tmp_path / "first.jsonl"
        export_jsonl(first_db, str(first_export))

        report = import_paths(second_db, [str(first_export)], ImportOptions(use_nlp=False))
        assert report.failed == [] and report.added == 2
        second_export = tmp_path / "second.jsonl"
        export_jsonl(second_db, str(second_export))
    finally:
        first_db.close()
        second_db.close()

    first, second = read_lines(first_export), read_lines(second_export)
    assert [comparable(line) for line in first] == [comparable(line) for line in second]
    # ... and both carry what the hand-made file said.
    assert [comparable(line) for line in first] == [comparable(line) for line in original]
    # Timestamps of the people's work survive too.
    assert first[0]["updated_at"] == second[0]["updated_at"] == "2026-01-02T03:04:05+00:00"
    kinds = {s["kind"] for s in first[0]["speakers"]} | {s["kind"] for s in first[1]["speakers"]}
    assert kinds == {"person", "organization", "group", "anonymous", "author", "unknown"}
    for line in first:
        assert line["text_sha256"] and line["format"] == "annotator/v1"


def test_exported_lines_reimport_as_a_noop(tmp_path: Path, jsonl: Callable[..., Path], dump: Callable) -> None:
    source = jsonl(tmp_path / "hand-made.jsonl", native_lines())
    database = Database.open(tmp_path / "db.sqlite3")
    try:
        import_paths(database, [str(source)], ImportOptions(use_nlp=False))
        export_jsonl(database, str(tmp_path / "out.jsonl"))
        before = dump(tmp_path / "db.sqlite3")
        report = import_paths(database, [str(tmp_path / "out.jsonl")], ImportOptions(use_nlp=False))
    finally:
        database.close()
    assert report.added == 0 and report.skipped == 3 and report.failed == []
    assert dump(tmp_path / "db.sqlite3") == before
