"""doccano JSONL: read, write, and round trips through the real import and export services."""

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from native_lines import NOTE, TEXT, UNICODE, span, unicode_line, utf16

from annotator.domain.errors import InputError
from annotator.domain.model import AnnotationSet, Document, Entity, EntitySource, Span, Status, text_sha256
from annotator.formats import doccano
from annotator.formats.interchange import ExportLosses, ReadOptions, WriteOptions
from annotator.formats.offsets import OffsetUnit, SpanWriter
from annotator.services.formats import sniff
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database


def carol_line() -> dict[str, Any]:
    """A doccano line for article-1 by carol, with relations between entities."""
    ajai, india, ministry = span("Ajai Malhotra"), span("India"), span("The ministry")
    return {
        "id": "article-1",
        "text": TEXT,
        "annotator": "carol",
        "entities": [
            {"id": 10, "label": "PERSON", "start_offset": ajai["start"], "end_offset": ajai["end"]},
            {"id": 11, "label": "GPE", "start_offset": india["start"], "end_offset": india["end"]},
            {"id": 12, "label": "ORG", "start_offset": ministry["start"], "end_offset": ministry["end"]},
        ],
        "relations": [
            {"id": 1, "from_id": 10, "to_id": 11, "type": "citizen_of"},
            {"id": 2, "from_id": 12, "to_id": 11, "type": "part_of"},
        ],
    }


@pytest.fixture
def annotated(annotated: Database, kit: Any) -> Database:
    """The database with the native lines and carol's doccano line imported."""
    kit.import_lines(annotated, [carol_line()], "carol.jsonl", fmt="doccano")
    return annotated


def read_file(path: Path, offsets: OffsetUnit = OffsetUnit.AUTO) -> tuple[list[Any], ReadOptions]:
    options = ReadOptions(offsets=offsets)
    with path.open("rb") as stream:
        return list(doccano.read(stream, str(path), options)), options


# ---------------------------------------------------------------- native → doccano → native


def test_native_to_doccano_to_native_keeps_everything_doccano_carries(
    annotated: Database, fresh_database: Database, kit: Any
) -> None:
    before = kit.snapshot(annotated)
    assert set(before) == {("article-1", "alice"), ("article-1", "bob"), ("article-1", "carol"), ("article-2", None)}
    exported = kit.export(annotated, "doccano")
    assert exported.report.lines == 4 and exported.report.documents == 2
    warnings = exported.warnings()
    assert "cannot carry speakers without a mention: 2 not written" in warnings
    assert "cannot carry speakers of claims that name no mention: 3 not written" in warnings
    assert "whether entities came from the model or a person" in warnings
    kit.import_files(fresh_database, exported.path)
    after = kit.snapshot(fresh_database)
    assert after == kit.carried(before, sources=False)
    alice = after[("article-1", "alice")]
    split = next(c for c in alice["claims"] if len(c[0]) == 2)
    assert [TEXT[p.start : p.end] for p in split[0]] == ["India,", "will not pick a side."]
    assert TEXT[split[2].start : split[2].end] == "he" and split[1][0] == "Ajai Malhotra"
    assert alice["status"] == "done" and after[("article-1", "bob")]["status"] == "in_progress"
    assert after[("article-1", "carol")]["relations"] == sorted(
        [
            (Span(0, 13), Span(19, 24), "citizen_of"),
            (Span(*_offsets("The ministry")), Span(19, 24), "part_of"),
        ]
    )


def _offsets(piece: str) -> tuple[int, int]:
    found = span(piece)
    return found["start"], found["end"]


def test_written_lines_are_doccano_relation_extraction_lines(annotated: Database, kit: Any) -> None:
    lines = kit.export(annotated, "doccano").lines()
    alice = next(line for line in lines if line.get("annotator") == "alice")
    assert list(alice)[:2] == ["id", "text"] and alice["id"] == "article-1"
    assert alice["date"] == "2025-12-01" and alice["tags"] == ["a", "b"]  # metadata as top-level keys, as doccano does
    ids = {entity["id"] for entity in alice["entities"]}
    for entity in alice["entities"]:
        assert set(entity) == {"id", "label", "start_offset", "end_offset"}
    for relation in alice["relations"]:
        assert set(relation) == {"id", "from_id", "to_id", "type"} and {relation["from_id"], relation["to_id"]} <= ids
    labels = {entity["label"] for entity in alice["entities"]}
    assert {"CLAIM", "SOURCE", "CUE", "PERSON", "GPE"} <= labels
    assert {r["type"] for r in alice["relations"]} == {
        "CLAIM_PART",
        "COREF",
        "SOURCE",
        "CUE",
        "citizen_of",
        "member_of",
    }
    attrs = alice["annotator_attrs"]
    assert attrs["offsets"] == "codepoints" and attrs["status"] == "done" and attrs["note"] == "document note"
    stance = next(item for item in attrs["spans"] if item.get("stance") == "support")
    assert TEXT[stance["start_offset"] : stance["end_offset"]].startswith("India's foreign policy")
    assert stance["target"] == "strategic autonomy" and stance["note"] == NOTE and stance["label"] == "CLAIM"
    speaker = next(item for item in attrs["spans"] if item.get("speaker") == "Ajai Malhotra")
    assert speaker["kind"] == "person" and speaker["entity_label"] == "PERSON" and speaker["label"] == "SOURCE"
    model = next(line for line in lines if line["id"] == "article-2")
    assert "annotator" not in model and [e["label"] for e in model["entities"]] == ["GPE"]


def test_a_line_that_went_through_doccano_keeps_its_attributes(tmp_path: Path) -> None:
    """doccano re-exports our extra keys as metadata and gives entities its own ids: both are read the same."""
    document = Document("d1", TEXT)
    aset = AnnotationSet(annotator="alice", status=Status.DONE)
    aset.entities.append(Entity(0, 13, "PERSON"))
    line = doccano.example_object(document, aset, SpanWriter(), ExportLosses("doccano"))
    renumbered = {**line, "id": 417, "Comments": []}
    renumbered["entities"] = [{**e, "id": e["id"] + 1000} for e in line["entities"]]
    record = doccano.parse_example(renumbered, ReadOptions())
    assert record.document.external_id == "doccano-417" and record.document.meta == {"Comments": []}
    (read_back,) = record.annotations
    assert [(e.start, e.end, e.label) for e in read_back.entities] == [(0, 13, "PERSON")]
    assert read_back.annotator == "alice" and read_back.status == Status.DONE


# ---------------------------------------------------------------- doccano samples → native → doccano


@pytest.mark.parametrize(
    "name", ["export_relation_extraction.json", "import_relation_extraction.jsonl", "import_sequence_labeling.jsonl"]
)
def test_doccano_samples_survive_native_and_back(samples: Path, name: str, database: Database, kit: Any) -> None:
    annotator = "dana"
    sample = samples / "doccano" / name
    original, _ = read_file(sample)
    kit.import_files(database, sample, fmt="doccano", annotator=annotator)
    export = kit.export(database, "doccano")
    assert export.report.warnings == []
    exported, _ = read_file(export.path)

    def content(records: list[Any]) -> list[Any]:
        return [
            (
                r.document.text,
                sorted((e.start, e.end, e.label) for a in r.annotations for e in a.entities),
                sorted((x.head, x.child, x.label) for a in r.annotations for x in a.relations),
            )
            for r in records
        ]

    assert content(exported) == content(original)
    assert {a.annotator for r in exported for a in r.annotations} == {annotator}
    if "relation" in name:
        assert len(exported[0].annotations[0].relations) == 3


def test_sequence_labelling_sample_without_an_annotator_is_the_model_layer(
    samples: Path, database: Database, kit: Any
) -> None:
    sample = samples / "doccano" / "import_sequence_labeling.jsonl"
    report = kit.import_files(database, sample, fmt="doccano")
    assert report.added == 3
    assert "text read from the column 'column_data': 3" in report.files[0].notes
    state = kit.snapshot(database)
    eu = text_sha256("EU rejects German call to boycott British lamb.")[:16]
    assert state[(eu, None)]["entities"] == [(0, 2, "ORG", "import")]
    lines = kit.export(database, "doccano").lines()
    assert [line["entities"][0]["label"] for line in lines] == ["ORG", "PERSON", "PERSON"]
    assert all("annotator" not in line for line in lines)


def test_relations_without_an_annotator_need_one(samples: Path, database: Database, kit: Any) -> None:
    """Relations are an annotator's work: a file of them without a name is refused, not stored as the model's."""
    sample = samples / "doccano" / "import_relation_extraction.jsonl"
    report = import_paths(database, [str(sample)], ImportOptions(use_nlp=False, fmt="doccano"))
    (outcome,) = report.failed
    assert (
        outcome.error
        == f"{sample}:1: has claims, speakers or relations but no annotator; name one with --annotator NAME"
    )
    assert kit.snapshot(database) == {}


# ---------------------------------------------------------------- reading details


def test_pretty_printed_objects_and_arrays_are_read_with_their_lines(tmp_path: Path) -> None:
    first = {"text": "One example.", "label": [[0, 3, "CARDINAL"]]}
    second = {"text": "Two examples.", "labels": [[0, 3, "CARDINAL"]], "meta": {"source": "x"}, "score": 1}
    path = tmp_path / "array.json"
    path.write_text(json.dumps([first, second], indent=2), encoding="utf-8")
    records, _ = read_file(path)
    assert [r.line for r in records] == [2, 12]
    assert records[1].document.meta == {"source": "x", "score": 1}
    assert [(e.start, e.end, e.label) for e in records[1].annotations[0].entities] == [(0, 3, "CARDINAL")]
    path.write_text(json.dumps(first, indent=2) + "\n" + json.dumps(second, indent=4), encoding="utf-8")
    records, _ = read_file(path)
    assert [r.document.text for r in records] == ["One example.", "Two examples."]


def test_categories_and_comments_stay_in_meta() -> None:
    record = doccano.parse_example(
        {"id": 3, "text": "Fine.", "label": ["positive"], "Comments": ["check"], "cats": ["x"]}, ReadOptions()
    )
    assert record.document.external_id == "doccano-3"
    assert record.document.meta == {"label": ["positive"], "Comments": ["check"], "cats": ["x"]}
    assert record.annotations == []
    losses = ExportLosses("doccano")
    line = doccano.example_object(record.document, AnnotationSet(), SpanWriter(), losses)
    assert line["label"] == ["positive"] and line["Comments"] == ["check"] and not losses.counts
    again = doccano.parse_example(json.loads(json.dumps(line)), ReadOptions())
    assert again.document.meta == record.document.meta
    document = Document("d", "Fine.", meta={"entities": 1, "label": [[0, 1, "X"]]})
    doccano.example_object(document, AnnotationSet(), SpanWriter(), losses)
    assert sorted(losses.counts) == [
        "document metadata fields named like doccano's own keys (entities)",
        "document metadata fields named like doccano's own keys (label)",
    ]


def test_doccano_one_zero_user_annotations_become_one_set_per_user() -> None:
    options = ReadOptions()
    record = doccano.parse_example(
        {
            "text": "Ajai Malhotra met officials.",
            "annotations": [
                {"label": "PERSON", "start_offset": 0, "end_offset": 13, "user": 1},
                {"label": "PERSON", "start_offset": 5, "end_offset": 13, "user": 2},
            ],
            "annotation_approver": None,
        },
        options,
    )
    assert [(a.annotator, [(e.start, e.end) for e in a.entities]) for a in record.annotations] == [
        ("doccano-user-1", [(0, 13)]),
        ("doccano-user-2", [(5, 13)]),
    ]
    assert record.document.meta == {"annotation_approver": None}


def test_sniffing(samples: Path) -> None:
    for path in sorted((samples / "doccano").glob("*.json*")):
        assert sniff(str(path), path.read_bytes()[:65536]) == "doccano", path
    assert sniff("x.jsonl", b'{"text": "a", "labels": [[0, 1, "X"]]}\n') == "doccano"
    assert not doccano.sniff("x.json", b'[{"data": {"text": "a"}, "annotations": []}]')
    assert not doccano.sniff("x.jsonl", b'{"format": "annotator/v1", "text": "a", "entities": []}')


# ---------------------------------------------------------------- offsets


def test_utf16_export_is_detected_and_declared_on_import(
    database: Database, tmp_path: Path, cli: Callable[..., Any], db_path: Path, fresh_database: Database, kit: Any
) -> None:
    kit.import_lines(database, [unicode_line()])
    export = kit.export(database, "doccano", "utf16.jsonl", offsets=OffsetUnit.UTF16)
    out = export.path
    (line,) = export.lines()
    assert line["text"] == UNICODE and line["annotator_attrs"]["offsets"] == "utf16"
    person = next(e for e in line["entities"] if e["label"] == "PERSON")
    start = UNICODE.index("Priya Sharma")
    assert (person["start_offset"], person["end_offset"]) == (utf16(UNICODE, start), utf16(UNICODE, start + 12))
    assert person["start_offset"] != start

    records, options = read_file(out)  # auto: the unit is read from annotator_attrs
    assert "offsets counted in UTF-16 code units (detected) were converted to code points" in options.report()
    (aset,) = records[0].annotations
    assert [UNICODE[e.start : e.end] for e in aset.entities] == ["🇮🇳", "東京", "Priya Sharma"]

    report = kit.import_files(fresh_database, out)
    assert any("UTF-16" in note for note in report.files[0].notes)
    assert kit.snapshot(fresh_database) == kit.snapshot(database)

    declared = tmp_path / "declared.sqlite3"
    result = cli("import", out, "--db", declared, "--no-nlp", "--offsets", "utf16")
    assert result.code == 0, result.err
    assert kit.snapshot(declared) == kit.snapshot(database)


def test_a_plain_doccano_file_in_utf16_needs_the_unit_declared(tmp_path: Path, jsonl: Callable[..., Path]) -> None:
    start = UNICODE.index("Priya Sharma")
    given = {"text": UNICODE, "label": [[utf16(UNICODE, start), utf16(UNICODE, start + 12), "PERSON"]]}
    path = jsonl(tmp_path / "plain.jsonl", [given])
    records, _ = read_file(path, OffsetUnit.UTF16)
    (entity,) = records[0].annotations[0].entities
    assert UNICODE[entity.start : entity.end] == "Priya Sharma"
    records, _ = read_file(path)  # auto, no text to tell: read as code points, a different (valid) span
    (entity,) = records[0].annotations[0].entities
    assert UNICODE[entity.start : entity.end] != "Priya Sharma"
    inside = {"text": UNICODE, "label": [[8, 10, "X"]]}  # UTF-16 offset 8 falls inside the ZWJ family's first emoji
    with pytest.raises(InputError, match="inside a character"):
        read_file(jsonl(tmp_path / "inside.jsonl", [inside]), OffsetUnit.UTF16)
    beyond = {"text": UNICODE, "label": [[len(UNICODE), utf16(UNICODE, len(UNICODE)), "X"]]}
    with pytest.raises(InputError, match=r"out of range.*import with --offsets utf16"):
        read_file(jsonl(tmp_path / "beyond.jsonl", [beyond]))


def test_crlf_offsets_are_exact(database: Database, fresh_database: Database, kit: Any) -> None:
    kit.import_lines(database, [unicode_line()])
    export = kit.export(database, "doccano")
    (line,) = export.lines()
    for entity in line["entities"]:
        assert UNICODE[entity["start_offset"] : entity["end_offset"]].strip() != ""
    claim_span = next(
        e for e in line["entities"] if UNICODE[e["start_offset"] : e["end_offset"]] == "talks will resume"
    )
    assert claim_span["label"] == "CLAIM"
    kit.import_files(fresh_database, export.path)
    assert kit.snapshot(fresh_database) == kit.snapshot(database)


# ---------------------------------------------------------------- bad input


GOOD = {"text": "Ajai Malhotra spoke.", "label": [[0, 13, "PERSON"]]}


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        ("{not json", r":2: invalid JSON"),
        (json.dumps({"text": "Ajai spoke.", "label": [[5, 2, "PERSON"]]}), r":2: label\[0\] \[5, 2\) is reversed"),
        (
            json.dumps({"text": "Ajai spoke.", "label": [[0, 99, "PERSON"]]}),
            r":2: label\[0\] \[0, 99\) is out of range",
        ),
        (
            json.dumps(
                {
                    "text": "Ajai spoke.",
                    "entities": [{"id": 1, "label": "PERSON", "start_offset": 0, "end_offset": 4}],
                    "relations": [{"from_id": 1, "to_id": 7, "type": "x"}],
                }
            ),
            r":2: relations\[0\] to_id 7 is not the id of an entity",
        ),
        (json.dumps({"text": 5}), r":2: 'text' must be a string, got int"),
        (
            json.dumps({"text": "Ajai spoke.", "label": [[0, "4", "PERSON"]]}),
            r":2: label\[0\] offsets must be integers",
        ),
        (
            json.dumps({"text": "Ajai spoke.", "label": [[0, 4]]}),
            r":2: label\[0\] must be a list \[start, end, label\]",
        ),
        (json.dumps({"text": "Ajai spoke.", "entities": {}}), r":2: 'entities' must be a list, got dict"),
        (
            json.dumps(
                {"text": "Ajai spoke.", "entities": [{"id": 1, "label": 3, "start_offset": 0, "end_offset": 4}]}
            ),
            r":2: entities\[0\] needs a string label, got 3",
        ),
        (json.dumps(["Ajai spoke."]), r":2: each doccano example must be a JSON object, got list"),
        (
            json.dumps({"text": "Ajai spoke.", "annotator_attrs": {"status": "finished"}}),
            r":2: 'annotator_attrs' status 'finished' is not one of",
        ),
        (
            json.dumps({"text": "Ajai spoke.", "annotator": "x", "label": [[0, 4, "CLAIM"], [0, 4, "CLAIM"]]}),
            None,
        ),
    ],
)
def test_bad_lines_fail_the_file_with_one_located_line(
    database: Database, tmp_path: Path, second: str, problem: str | None, kit: Any
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + second + "\n", encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False, fmt="doccano"))
    if problem is None:  # the control case: two identical claims are allowed
        assert not report.failed
        return
    (outcome,) = report.failed
    assert outcome.error is not None and "\n" not in outcome.error
    assert outcome.error.startswith(str(path) + ":")
    assert re.search(problem, outcome.error), outcome.error
    assert kit.snapshot(database) == {}


def test_pretty_printed_errors_name_the_line(database: Database, tmp_path: Path, kit: Any) -> None:
    path = tmp_path / "bad.json"
    bad = {"text": "Ajai spoke.", "entities": [{"id": 0, "label": "PERSON", "start_offset": 4, "end_offset": 1}]}
    path.write_text(json.dumps([GOOD, bad], indent=2), encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False, fmt="doccano"))
    (outcome,) = report.failed
    assert re.fullmatch(rf"{re.escape(str(path))}:12: entities\[0\] \[4, 1\) is reversed.*", outcome.error or "")
    path.write_text('[\n  {"text": "a"},\n  {"text": }\n]', encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False, fmt="doccano"))
    assert (report.failed[0].error or "").startswith(f"{path}:3: invalid JSON")
    assert kit.snapshot(database) == {}


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="is empty"):
        read_file(path)


# ---------------------------------------------------------------- command line


def test_cli_import_auto_and_export(cli: Callable[..., Any], db_path: Path, samples: Path, tmp_path: Path) -> None:
    sample = samples / "doccano" / "export_relation_extraction.json"
    result = cli("import", sample, "--db", db_path, "--no-nlp", "--annotator", "dana")
    assert result.code == 0, result.err
    assert f"{sample}: read as doccano" in result.out_lines
    out = tmp_path / "out.jsonl"
    result = cli("export", "-o", out, "--format", "doccano", "--db", db_path, "--offsets", "utf16")
    assert result.code == 0, result.err
    assert "as doccano" in result.out
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["annotator"] == "dana" and len(line["relations"]) == 3
    assert line["annotator_attrs"]["offsets"] == "utf16"


def test_cli_reports_a_bad_file_on_one_line(cli: Callable[..., Any], db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "Ajai spoke.", "label": [[3, 1, "PERSON"]]}) + "\n", encoding="utf-8")
    result = cli("import", path, "--db", db_path, "--no-nlp", "--format", "doccano")
    assert result.code == 1
    assert result.err_lines[0] == f"annotator: error: {path}:1: label[0] [3, 1) is reversed (start after end)"


def test_cli_export_warns_about_losses(
    cli: Callable[..., Any], annotated: Database, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = cli("export", "-o", out, "--format", "doccano", "--db", db_path)
    assert result.code == 0
    assert any("speakers without a mention: 2 not written" in line for line in result.err_lines)


def test_writer_streams_line_by_line() -> None:
    sink = io.StringIO()
    written: list[int] = []

    def pairs() -> Iterator[tuple[Document, AnnotationSet]]:
        for index in range(3):
            written.append(len(sink.getvalue().splitlines()))
            yield (
                Document(f"d{index}", f"Text {index}."),
                AnnotationSet(entities=[Entity(0, 4, "X", EntitySource.IMPORT)]),
            )

    doccano.write(pairs(), sink, WriteOptions(losses=ExportLosses("doccano")))
    assert written == [0, 1, 2]


def test_attributes_a_span_cannot_have_are_skipped_with_a_note() -> None:
    options = ReadOptions()
    record = doccano.parse_example(
        {
            "text": "Ajai said it works.",
            "annotator": "alice",
            "label": [[0, 4, "PERSON"], [10, 18, "CLAIM"]],
            "annotator_attrs": {
                "spans": [
                    {"start_offset": 0, "end_offset": 4, "label": "PERSON", "stance": "support"},
                    {"start_offset": 10, "end_offset": 18, "label": "CLAIM", "stance": "support", "speaker": "Ajai"},
                    {"start_offset": 1, "end_offset": 2, "label": "CLAIM", "stance": "oppose"},
                ]
            },
        },
        options,
    )
    (claim_read,) = record.annotations[0].claims
    assert claim_read.stance is not None and claim_read.stance.label == "support"
    report = options.report()
    assert "span attributes in 'annotator_attrs' that a PERSON span cannot have skipped (stance)" in report
    assert "span attributes in 'annotator_attrs' that a CLAIM span cannot have skipped (speaker)" in report
    assert "span attributes in 'annotator_attrs' that match no span were skipped" in report


def test_a_declared_unit_must_agree_with_the_file(tmp_path: Path, jsonl: Callable[..., Path]) -> None:
    line = {"text": "Hi 👋 there.", "label": [[6, 11, "X"]], "annotator_attrs": {"offsets": "utf16"}}
    path = jsonl(tmp_path / "declared.jsonl", [line])
    records, _ = read_file(path, OffsetUnit.UTF16)
    assert [(e.start, e.end) for e in records[0].annotations[0].entities] == [(5, 10)]
    with pytest.raises(InputError, match="says offsets count utf16, but the import was told codepoints"):
        read_file(path, OffsetUnit.CODEPOINTS)
    mixed = jsonl(tmp_path / "mixed.jsonl", [line, {**line, "annotator_attrs": {"offsets": "codepoints"}}])
    with pytest.raises(InputError, match=r"mixed.jsonl:2: .*earlier lines count utf16"):
        read_file(mixed)
