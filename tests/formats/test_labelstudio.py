"""Label Studio JSON: read, write, and round trips through the real import and export services."""

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from native_lines import OTHER, TEXT, UNICODE, span, unicode_line, utf16

from annotator.domain.errors import InputError
from annotator.domain.model import AnnotationSet, Document, Entity, EntitySource, Span, Status, text_sha256
from annotator.formats import labelstudio
from annotator.formats.interchange import ExportLosses, ReadOptions, WriteOptions
from annotator.formats.offsets import OffsetUnit
from annotator.services.formats import sniff
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database

SPACED = "Ajai  Malhotra said\n\nthat India will stay neutral. He also said the talks\tmatter."


def region(
    rid: str, text: str, piece: str, label: str, occurrence: int = 0, shown: str | None = None
) -> dict[str, Any]:
    """A labelled region; ``shown`` is its text as Label Studio writes it (white space collapsed)."""
    found = span(piece, occurrence, text)
    return {
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": {"start": found["start"], "end": found["end"], "text": shown or piece, "labels": [label]},
    }


def per_region(rid: str, name: str, kind: str, value: str) -> dict[str, Any]:
    body = {"choices": [value]} if kind == "choices" else {"text": [value]}
    return {"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": body}


def relation(head: str, child: str, label: str | None, direction: str = "right") -> dict[str, Any]:
    return {
        "type": "relation",
        "from_id": head,
        "to_id": child,
        "direction": direction,
        "labels": [label] if label else [],
    }


def carol_task() -> dict[str, Any]:
    """A Label Studio task for article-1 by carol, with relations between entities."""
    return {
        "id": 1,
        "data": {"text": TEXT, "doc_id": "article-1"},
        "annotations": [
            {
                "id": 1,
                "completed_by": {"id": 3, "email": "carol"},
                "result": [
                    region("p", TEXT, "Ajai Malhotra", "PERSON"),
                    region("g", TEXT, "India", "GPE"),
                    region("o", TEXT, "The ministry", "ORG"),
                    relation("p", "g", "citizen_of"),
                    relation("g", "o", "part_of", "left"),
                ],
            }
        ],
    }


def hand_made_tasks() -> list[dict[str, Any]]:
    """What a Label Studio project with the documented labelling config exports (collapsed region texts)."""
    return [
        {
            "id": 17,
            "data": {"text": SPACED, "source": "wire", "doc_id": "spaced-1"},
            "annotations": [
                {
                    "id": 101,
                    "completed_by": 5,
                    "lead_time": 12.5,
                    "was_cancelled": False,
                    "updated_at": "2024-05-01T10:00:00.000000Z",
                    "result": [
                        region("s1", SPACED, "Ajai  Malhotra", "SOURCE", shown="Ajai Malhotra"),
                        region("p1", SPACED, "Ajai  Malhotra", "PERSON", shown="Ajai Malhotra"),
                        region("q1", SPACED, "said", "CUE"),
                        region("c1", SPACED, "India will stay neutral", "CLAIM"),
                        region("g1", SPACED, "India", "GPE"),
                        region("s2", SPACED, "He", "SOURCE"),
                        region("q2", SPACED, "said", "CUE", 1),
                        region("c2", SPACED, "the talks\tmatter", "CLAIM", shown="the talks matter"),
                        per_region("c1", "stance", "choices", "neutral"),
                        per_region("c1", "target", "textarea", "the talks"),
                        per_region("c1", "note", "textarea", "hedged"),
                        per_region("s1", "speaker", "textarea", "Ajai Malhotra"),
                        per_region("s1", "kind", "choices", "person"),
                        per_region("s1", "entity_label", "textarea", "PERSON"),
                        per_region("c2", "stance", "choices", "support"),
                        relation("s1", "c1", "SOURCE"),
                        relation("c1", "q1", "CUE", "left"),
                        relation("s1", "s2", "COREF"),
                        relation("s2", "c2", "SOURCE"),
                        relation("q2", "c2", "CUE"),
                        relation("p1", "g1", "citizen_of"),
                        {
                            "id": "n",
                            "from_name": "document_note",
                            "to_name": "text",
                            "type": "textarea",
                            "value": {"text": ["checked twice"]},
                        },
                    ],
                },
                {
                    "id": 102,
                    "completed_by": {"id": 7, "email": "bob@example.org", "first_name": "Bob", "last_name": "B"},
                    "result": [region("g", SPACED, "India", "GPE")],
                },
                {"id": 103, "completed_by": 9, "was_cancelled": True, "result": []},
            ],
            "predictions": [{"model_version": "ner-1", "score": 0.5, "result": [region("x", SPACED, "India", "GPE")]}],
        },
        {
            "id": 18,
            "data": {"text": TEXT},
            "annotations": [
                {
                    "id": 104,
                    "completed_by": 5,
                    "result": [
                        region("a", TEXT, "India,", "CLAIM"),
                        region("b", TEXT, "will not pick a side.", "CLAIM"),
                        region("h", TEXT, "he", "SOURCE"),
                        region("m", TEXT, "Ajai Malhotra", "SOURCE"),
                        relation("a", "b", "CLAIM_PART"),
                        relation("m", "h", "COREF"),
                        relation("h", "a", "SOURCE"),
                    ],
                }
            ],
        },
    ]


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_file(path: Path, offsets: OffsetUnit = OffsetUnit.AUTO) -> tuple[list[Any], ReadOptions]:
    options = ReadOptions(offsets=offsets)
    with path.open("rb") as stream:
        return list(labelstudio.read(stream, str(path), options)), options


def record_content(records: list[Any], view: Callable[..., Any]) -> list[Any]:
    """What the records of a file say, per document and annotator."""
    return [
        (
            r.document.external_id,
            r.document.text,
            r.document.meta,
            sorted((a.annotator or "", json.dumps(view(r.document, a), default=str)) for a in r.annotations),
        )
        for r in records
    ]


@pytest.fixture
def annotated(annotated: Database, tmp_path: Path, kit: Any) -> Database:
    """The database with the native lines and carol's Label Studio task imported."""
    kit.import_files(annotated, write_json(tmp_path / "carol.json", [carol_task()]), fmt="labelstudio")
    return annotated


# ---------------------------------------------------------------- native → Label Studio → native


def test_native_to_label_studio_to_native_keeps_everything_it_carries(
    annotated: Database, fresh_database: Database, kit: Any
) -> None:
    before = kit.snapshot(annotated)
    assert set(before) == {("article-1", "alice"), ("article-1", "bob"), ("article-1", "carol"), ("article-2", None)}
    assert before[("article-1", "carol")]["relations"] == sorted(
        [(Span(0, 13), Span(19, 24), "citizen_of"), (Span(155, 167), Span(19, 24), "part_of")]
    )
    exported = kit.export(annotated, "labelstudio")
    assert exported.report.lines == 4 and exported.report.documents == 2
    warnings = exported.warnings()
    assert "cannot carry speakers without a mention: 2 not written" in warnings
    assert "cannot carry speakers of claims that name no mention: 3 not written" in warnings
    assert "cannot carry statuses new and in progress (an annotation reads back as done): 1 not written" in warnings
    assert "whether entities came from the model or a person" in warnings
    kit.import_files(fresh_database, exported.path)
    after = kit.snapshot(fresh_database)
    assert after == kit.carried(before, status="done", sources=False)
    alice = after[("article-1", "alice")]
    split = next(c for c in alice["claims"] if len(c[0]) == 2)
    assert [TEXT[p.start : p.end] for p in split[0]] == ["India,", "will not pick a side."]
    assert TEXT[split[2].start : split[2].end] == "he" and split[1][0] == "Ajai Malhotra"


def test_written_tasks_follow_label_studio_json(annotated: Database, kit: Any) -> None:
    tasks = kit.export(annotated, "labelstudio").json()
    assert [task["data"]["doc_id"] for task in tasks] == ["article-1", "article-2"]
    first = tasks[0]
    assert first["data"]["text"] == TEXT and first["data"]["tags"] == ["a", "b"] and first["predictions"] == []
    assert [a["completed_by"] for a in first["annotations"]] == [
        {"email": "alice"},
        {"email": "bob"},
        {"email": "carol"},
    ]
    alice = first["annotations"][0]["result"]
    regions = {item["id"]: item for item in alice if item["type"] == "labels"}
    for item in regions.values():
        value = item["value"]
        assert TEXT[value["start"] : value["end"]] == value["text"]
        assert item["from_name"] == "label" and item["to_name"] == "text" and len(value["labels"]) == 1
        assert re.fullmatch(r"[A-Za-z0-9_-]+", item["id"])
    stance = next(item for item in alice if item["from_name"] == "stance" and item["value"]["choices"] == ["support"])
    assert regions[stance["id"]]["value"]["labels"] == ["CLAIM"] and stance["type"] == "choices"
    target = next(item for item in alice if item["from_name"] == "target")
    assert target["id"] == stance["id"] and target["type"] == "textarea"
    assert target["value"]["text"] == ["strategic autonomy"]
    relations = [item for item in alice if item["type"] == "relation"]
    assert {r["labels"][0] for r in relations} == {"CLAIM_PART", "COREF", "SOURCE", "CUE", "citizen_of", "member_of"}
    assert all(r["from_id"] in regions and r["to_id"] in regions and r["direction"] == "right" for r in relations)
    assert {"id": "document_note", "from_name": "document_note", "to_name": "text", "type": "textarea",
            "value": {"text": ["document note"]}} in alice  # fmt: skip
    model = tasks[1]
    assert model["annotations"] == [] and len(model["predictions"]) == 1
    assert [r["value"]["labels"] for r in model["predictions"][0]["result"]] == [["GPE"]]


# ---------------------------------------------------------------- Label Studio → native → Label Studio


def test_hand_made_file_is_read_as_label_studio_meant_it(tmp_path: Path) -> None:
    records, options = read_file(write_json(tmp_path / "ls.json", hand_made_tasks()))
    first, second = records
    assert first.line == 2 and first.document.external_id == "spaced-1" and first.document.meta == {"source": "wire"}
    assert second.document.external_id == "labelstudio-18"
    model, five, bob = first.annotations
    assert model.annotator is None and [(e.start, e.end, e.label) for e in model.entities] == [(26, 31, "GPE")]
    assert bob.annotator == "bob@example.org" and five.annotator == "labelstudio-user-5"
    assert five.status == Status.DONE and five.note == "checked twice" and five.updated_at is not None
    assert sorted((e.label, SPACED[e.start : e.end]) for e in five.entities) == [
        ("GPE", "India"),
        ("PERSON", "Ajai  Malhotra"),
    ]
    (speaker,) = five.speakers
    assert (speaker.name, speaker.kind.value, speaker.entity_label) == ("Ajai Malhotra", "person", "PERSON")
    assert [SPACED[m.start : m.end] for m in speaker.mentions] == ["Ajai  Malhotra", "He"]
    neutral, support = sorted(five.claims, key=lambda c: c.start)
    assert SPACED[neutral.start : neutral.end] == "India will stay neutral"
    assert neutral.stance is not None and (neutral.stance.label, neutral.stance.target) == ("neutral", "the talks")
    assert (
        neutral.note == "hedged" and neutral.cue is not None and SPACED[neutral.cue.start : neutral.cue.end] == "said"
    )
    assert neutral.mention == speaker.mentions[0] and support.mention == speaker.mentions[1]
    assert support.speaker is speaker and support.stance is not None and support.stance.label == "support"
    assert [(SPACED[r.head.start : r.head.end], r.label) for r in five.relations] == [("Ajai  Malhotra", "citizen_of")]
    (split_set,) = second.annotations
    (split,) = split_set.claims
    assert split.parts is not None and [TEXT[p.start : p.end] for p in split.parts] == [
        "India,",
        "will not pick a side.",
    ]
    assert split.speaker is not None and split.speaker.name == "Ajai Malhotra"  # named after its longest mention
    assert "cancelled (skipped) Label Studio annotations not imported" in options.report()


def test_hand_made_file_survives_native_and_back(database: Database, tmp_path: Path, kit: Any) -> None:
    source = write_json(tmp_path / "ls.json", hand_made_tasks())
    original, _ = read_file(source)
    report = kit.import_files(database, source)
    assert report.files[0].fmt == "labelstudio"
    assert "cancelled (skipped) Label Studio annotations not imported" in report.files[0].notes
    export = kit.export(database, "labelstudio")
    assert export.report.warnings == []  # imported entities, done statuses, speakers with mentions: nothing is lost
    exported, _ = read_file(export.path)
    expected = record_content(original, kit.view)
    # the model layer of a document annotated by someone is not exported (the export holds annotators' sets)
    expected[0] = (*expected[0][:3], [item for item in expected[0][3] if item[0]])
    assert record_content(exported, kit.view) == expected


def test_completed_by_forms() -> None:
    def annotator(value: Any) -> str | None:
        task = {"data": {"text": "Hi."}, "annotations": [{"completed_by": value, "result": []}]}
        return labelstudio.parse_task(task, ReadOptions()).annotations[0].annotator

    assert annotator(12) == "labelstudio-user-12"
    assert annotator({"id": 12, "email": "ann@example.org"}) == "ann@example.org"
    assert annotator({"id": 12, "email": ""}) == "labelstudio-user-12"
    assert annotator("ann") == "ann"
    assert annotator(None) is None
    with pytest.raises(InputError, match="'completed_by' must be a user id"):
        annotator([1])


def test_predictions_are_the_model_layer(database: Database, tmp_path: Path, kit: Any) -> None:
    task = {
        "data": {"text": OTHER},
        "predictions": [
            {"result": [region("x", OTHER, "Delhi", "GPE"), region("c", OTHER, "nobody annotated", "CLAIM")]},
            {"result": [region("y", OTHER, "Delhi", "LOC")]},
        ],
    }
    report = kit.import_files(database, write_json(tmp_path / "p.json", [task]), fmt="labelstudio")
    delhi = span("Delhi", text=OTHER)
    model = kit.snapshot(database)[(text_sha256(OTHER)[:16], None)]
    assert model["entities"] == [(delhi["start"], delhi["end"], "GPE", "import")]
    notes = report.files[0].notes
    assert "Label Studio predictions after the first skipped" in notes
    assert any("in predictions skipped" in note for note in notes)


# ---------------------------------------------------------------- offsets


def test_utf16_export_is_detected_and_declared_on_import(
    database: Database, tmp_path: Path, cli: Callable[..., Any], fresh_database: Database, kit: Any
) -> None:
    kit.import_lines(database, [unicode_line()])
    export = kit.export(database, "labelstudio", "utf16.json", offsets=OffsetUnit.UTF16)
    out = export.path
    (task,) = export.json()
    assert task["data"]["text"] == UNICODE
    person = next(r for r in task["annotations"][0]["result"] if r["value"].get("labels") == ["PERSON"])
    start = UNICODE.index("Priya Sharma")
    assert (person["value"]["start"], person["value"]["end"]) == (utf16(UNICODE, start), utf16(UNICODE, start + 12))

    report = kit.import_files(fresh_database, out)  # auto: detected from the first region whose text tells them apart
    assert "offsets counted in UTF-16 code units (detected) were converted to code points" in report.files[0].notes
    assert kit.snapshot(fresh_database) == kit.snapshot(database)

    declared = tmp_path / "declared.sqlite3"
    result = cli("import", out, "--db", declared, "--no-nlp", "--offsets", "utf16", "--format", "labelstudio")
    assert result.code == 0, result.err
    assert kit.snapshot(declared) == kit.snapshot(database)
    result = cli("import", out, "--db", tmp_path / "wrong.sqlite3", "--no-nlp", "--offsets", "codepoints")
    assert result.code == 1 and "has text" in result.err and ":2: task 1: annotations[0].result[" in result.err


def test_code_point_export_reads_back_without_conversion(
    database: Database, fresh_database: Database, kit: Any
) -> None:
    kit.import_lines(database, [unicode_line()])
    report = kit.import_files(fresh_database, kit.export(database, "labelstudio").path)
    assert not any("converted" in note for note in report.files[0].notes)
    assert kit.snapshot(fresh_database) == kit.snapshot(database)


# ---------------------------------------------------------------- bad input


def good_task() -> dict[str, Any]:
    result = [region("p", TEXT, "Ajai Malhotra", "PERSON")]
    return {"id": 1, "data": {"text": TEXT}, "annotations": [{"completed_by": 1, "result": result}]}


def with_result(*items: dict[str, Any]) -> dict[str, Any]:
    return {"id": 2, "data": {"text": TEXT}, "annotations": [{"completed_by": 1, "result": list(items)}]}


def bad_region(**value: Any) -> dict[str, Any]:
    item = region("p", TEXT, "Ajai Malhotra", "PERSON")
    item["value"].update(value)
    return item


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        (
            with_result(bad_region(text="Vladimir Putin")),
            r"task 2: annotations\[0\]\.result\[0\] \[0, 13\] has text 'Vladimir Putin' "
            r"but the document has 'Ajai Malhotra'",
        ),
        (
            with_result(bad_region(start=13, end=0, text=None)),
            r"task 2: annotations\[0\]\.result\[0\] \[13, 0\) is reversed",
        ),
        (with_result(bad_region(end=9999, text=None)), r"task 2: .*out of range"),
        (
            with_result(region("p", TEXT, "Ajai Malhotra", "PERSON"), relation("p", "zz", "x")),
            r"task 2: annotations\[0\]\.result\[1\] relation to_id 'zz' is not the id of a labelled region",
        ),
        (with_result(bad_region(start="0")), r"task 2: .*offsets must be integers"),
        (with_result(bad_region(labels="PERSON")), r"task 2: .*value\.labels must be a non-empty list"),
        (
            with_result(
                region("c", TEXT, "the visit mattered", "CLAIM"),
                per_region("c", "stance", "choices", "x") | {"value": {"choices": "support"}},
            ),
            r"task 2: .*value\.choices must be a list of one string",
        ),
        ({"id": 2, "data": "text"}, r"task 2: 'data' must be an object"),
        ({"id": 2, "data": {"text": TEXT}, "annotations": {}}, r"task 2: 'annotations' must be a list, got dict"),
        ({"id": 2, "data": {"text": TEXT}, "annotations": [{"completed_by": [1], "result": []}]}, r"completed_by"),
        ("a string", r"task 2: a Label Studio task must be a JSON object, got str"),
        (
            with_result(
                region("c", TEXT, "the visit mattered", "CLAIM"),
                region("q", TEXT, "said", "CUE"),
                region("r", TEXT, "added", "CUE"),
                relation("q", "c", "CUE"),
                relation("r", "c", "CUE"),
            ),
            r"task 2: claim 'c' has two CUE relations",
        ),
    ],
)
def test_bad_tasks_fail_the_file_with_one_located_line(
    database: Database, tmp_path: Path, second: Any, problem: str, kit: Any
) -> None:
    path = write_json(tmp_path / "bad.json", [good_task(), second])
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False, fmt="labelstudio"))
    (outcome,) = report.failed
    assert outcome.error is not None and "\n" not in outcome.error
    starts = [
        n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in ("  {", '  "a string"')
    ]
    line = starts[1]
    assert outcome.error.startswith(f"{path}:{line}: task 2: "), outcome.error
    assert re.search(problem, outcome.error), outcome.error
    assert kit.snapshot(database) == {}


def test_invalid_json_names_the_line(database: Database, tmp_path: Path, kit: Any) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"data": {"text": "a"}, "annotations": []},\n  {"data": {"text": }}\n]', encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False, fmt="labelstudio"))
    assert (report.failed[0].error or "").startswith(f"{path}:3: invalid JSON")
    path.write_text('[{"data": {"text": "a"}} {"data": {"text": "b"}}]', encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False, fmt="labelstudio"))
    assert (report.failed[0].error or "") == f"{path}:1: invalid JSON (expected ',' or ']' after an array element)"
    assert kit.snapshot(database) == {}


def test_the_text_field_may_have_another_name() -> None:
    options = ReadOptions()
    record = labelstudio.parse_task({"data": {"content": "Hello there.", "n": 3}}, options)
    assert record.document.text == "Hello there." and record.document.meta == {"n": 3}
    assert "text read from the task data field 'content'" in options.report()
    with pytest.raises(InputError, match="'data' has no 'text'"):
        labelstudio.parse_task({"data": {"a": "x", "b": "y"}}, ReadOptions())


# ---------------------------------------------------------------- command line, sniffing, streaming


def test_cli_import_auto_and_export(cli: Callable[..., Any], db_path: Path, tmp_path: Path) -> None:
    source = write_json(tmp_path / "ls.json", hand_made_tasks())
    result = cli("import", source, "--db", db_path, "--no-nlp")
    assert result.code == 0, result.err
    assert f"{source}: read as labelstudio" in result.out_lines
    out = tmp_path / "out.json"
    result = cli("export", "-o", out, "--format", "labelstudio", "--db", db_path, "--offsets", "utf16")
    assert result.code == 0, result.err
    assert "as labelstudio" in result.out
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [len(task["annotations"]) for task in tasks] == [2, 1]
    assert {a["completed_by"]["email"] for a in tasks[0]["annotations"]} == {"labelstudio-user-5", "bob@example.org"}


def test_cli_reports_a_bad_task_on_one_line(cli: Callable[..., Any], db_path: Path, tmp_path: Path) -> None:
    path = write_json(tmp_path / "bad.json", [with_result(bad_region(start=13, end=0, text=None))])
    result = cli("import", path, "--db", db_path, "--no-nlp")
    assert result.code == 1
    assert result.err_lines[0] == (
        f"annotator: error: {path}:2: task 1: annotations[0].result[0] [13, 0) is reversed (start after end)"
    )


def test_sniffing(tmp_path: Path) -> None:
    path = write_json(tmp_path / "ls.json", hand_made_tasks())
    assert sniff(str(path), path.read_bytes()[:65536]) == "labelstudio"
    assert sniff("x.json", b'{"data": {"text": "a"}, "predictions": []}') == "labelstudio"
    assert not labelstudio.sniff("x.json", b'[{"data": {"text": "a"}}]')
    assert not labelstudio.sniff("x.jsonl", b'{"text": "a", "annotations": []}')


def test_writer_streams_task_by_task() -> None:
    sink = io.StringIO()
    seen: list[int] = []

    def pairs() -> Iterator[tuple[Document, AnnotationSet]]:
        for index in range(3):
            seen.append(sink.getvalue().count('"data"'))
            document = Document(f"d{index}", f"Text {index}.", id=index + 1)
            yield document, AnnotationSet(annotator="a", entities=[Entity(0, 4, "X", EntitySource.IMPORT)])
            yield document, AnnotationSet(annotator="b", status=Status.SKIPPED)

    labelstudio.write(pairs(), sink, WriteOptions(losses=ExportLosses("Label Studio")))
    assert seen == [0, 0, 1]  # a task is written once the next document's first pair shows it is complete
    tasks = json.loads(sink.getvalue())
    assert [[a["was_cancelled"] for a in task["annotations"]] for task in tasks] == [[False, True]] * 3
    empty = io.StringIO()
    labelstudio.write(iter(()), empty, WriteOptions(losses=ExportLosses("Label Studio")))
    assert json.loads(empty.getvalue()) == []


def test_per_region_results_a_region_cannot_have_are_skipped_with_a_note() -> None:
    options = ReadOptions()
    task = with_result(
        region("p", TEXT, "Ajai Malhotra", "PERSON"),
        region("a", TEXT, "India,", "CLAIM"),
        region("b", TEXT, "will not pick a side.", "CLAIM"),
        relation("a", "b", "CLAIM_PART"),
        per_region("p", "stance", "choices", "support"),
        per_region("a", "stance", "choices", "neutral"),
        per_region("b", "stance", "choices", "oppose"),
        per_region("a", "kind", "choices", "person"),
        per_region("a", "rating", "choices", "5"),
    )
    (aset,) = labelstudio.parse_task(task, options).annotations
    (split,) = aset.claims
    assert split.stance is not None and split.stance.label == "neutral"
    report = options.report()
    assert "per-region 'stance' results on PERSON regions skipped" in report
    assert "per-region 'stance' results on later parts of split claims skipped" in report
    assert "per-region 'kind' results on CLAIM regions skipped" in report
    assert "per-region choices results named 'rating' skipped" in report
