"""A hand-made annotator/v1 file survives import → export → import into an empty database → export."""

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database

TEXT = (
    'Ajai Malhotra said India\'s foreign policy is anchored on strategic autonomy. "India," he added, '
    '"will not pick a side." Officials said the visit mattered. The ministry declined to comment. '
    "Protesters gathered outside. The deal is a turning point."
)


def span(piece: str, occurrence: int = 0, text: str = TEXT) -> dict[str, Any]:
    """The span of the ``occurrence``-th whole-word match of ``piece``."""
    match = list(re.finditer(rf"(?<!\w){re.escape(piece)}(?!\w)", text))[occurrence]
    return {"start": match.start(), "end": match.end(), "text": piece}


def claim(pieces: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": "",
        "start": pieces[0]["start"],
        "end": pieces[-1]["end"],
        "text": TEXT[pieces[0]["start"] : pieces[-1]["end"]],
    }
    if len(pieces) > 1:
        result["parts"] = pieces
    result.update({"speaker": None, "cue": None, "stance": None, "note": None})
    result.update(fields)
    return result


def hand_made_lines() -> list[dict[str, Any]]:
    malhotra = [span("Ajai Malhotra"), span("he")]
    speakers = [
        {"id": "s1", "name": "Ajai Malhotra", "kind": "person", "entity_label": "PERSON", "mentions": malhotra},
        {"id": "s2", "name": "officials", "kind": "anonymous", "entity_label": None, "mentions": [span("Officials")]},
        {
            "id": "s3",
            "name": "the ministry",
            "kind": "organization",
            "entity_label": "ORG",
            "mentions": [span("The ministry")],
        },
        {"id": "s4", "name": "protesters", "kind": "group", "entity_label": None, "mentions": [span("Protesters")]},
        {"id": "s5", "name": "the article", "kind": "author", "entity_label": None, "mentions": []},
        {"id": "s6", "name": "someone", "kind": "unknown", "entity_label": None, "mentions": []},
    ]
    claims = [
        claim(
            [span("India's foreign policy is anchored on strategic autonomy")],
            speaker={"id": "s1", "mention": span("Ajai Malhotra")},
            cue=span("said"),
            stance={"label": "support", "target": "strategic autonomy"},
            note="paraphrase",
        ),
        claim(
            [span("India,"), span("will not pick a side.")],
            speaker={"id": "s1", "mention": span("he")},
            cue=span("added"),
            stance={"label": "neutral", "target": None},
        ),
        claim([span("the visit mattered")], speaker={"id": "s2", "mention": span("Officials")}, cue=span("said", 1)),
        claim([span("declined to comment")], speaker={"id": "s3", "mention": span("The ministry")}),
        claim(
            [span("gathered outside")],
            speaker={"id": "s4", "mention": None},
            stance={"label": "oppose", "target": "the visit"},
        ),
        claim([span("The deal is a turning point.")], speaker={"id": "s5", "mention": None}),
    ]
    for index, item in enumerate(sorted(claims, key=lambda c: (c["start"], c["end"])), start=1):
        item["id"] = f"c{index}"
    claims.sort(key=lambda c: (c["start"], c["end"]))
    alice = {
        "format": "annotator/v1",
        "id": "article-1",
        "text": TEXT,
        "meta": {"date": "2025-12-01", "source": "hand-made", "title": None, "tags": ["a", "b"]},
        "annotator": "alice",
        "status": "done",
        "updated_at": "2026-01-02T03:04:05+00:00",
        "entities": [
            {"id": "e1", **span("Ajai Malhotra"), "label": "PERSON", "source": "model"},
            {"id": "e2", **span("India"), "label": "GPE", "source": "manual"},
            {"id": "e3", **span("India", 1), "label": "GPE", "source": "import"},
        ],
        "speakers": speakers,
        "claims": claims,
        "note": "document note",
    }
    bob = {
        **copy.deepcopy(alice),
        "annotator": "bob",
        "status": "in_progress",
        "entities": [],
        "speakers": [speakers[5]],
        "claims": [
            claim(
                [span("The deal is a turning point.")],
                id="c1",
                speaker={"id": "s6", "mention": None},
                stance={"label": "support", "target": "the deal"},
            )
        ],
        "note": None,
    }
    other_text = "A second article that nobody annotated yet."
    untouched = {
        "format": "annotator/v1",
        "id": "article-2",
        "text": other_text,
        "meta": {},
        "annotator": None,
        "status": "new",
        "updated_at": None,
        "entities": [{"id": "e1", **span("second", text=other_text), "label": "ORDINAL", "source": "model"}],
        "speakers": [],
        "claims": [],
        "note": None,
    }
    return [alice, bob, untouched]


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
    original = hand_made_lines()
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
    source = jsonl(tmp_path / "hand-made.jsonl", hand_made_lines())
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
