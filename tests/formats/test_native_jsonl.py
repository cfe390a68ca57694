"""The annotator/v1 reader and writer (shared/FORMAT.md)."""

import json
from typing import Any

import pytest

from annotator.domain.errors import InputError
from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Entity,
    EntitySource,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
    text_sha256,
)
from annotator.formats.native_jsonl import FORMAT_ID, format_line, line_object, parse_line, read_jsonl

TEXT = "Malhotra said India stays neutral."


def _span(start: int, end: int, text: str = TEXT) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def _full(**changes: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "format": FORMAT_ID,
        "id": "d1",
        "text": TEXT,
        "meta": {"date": "2025-12-01"},
        "annotator": "alice",
        "status": "in_progress",
        "entities": [{**_span(0, 8), "label": "PERSON", "source": "manual"}, {**_span(14, 19), "label": "GPE"}],
        "speakers": [{"id": "s1", "name": "Ajai Malhotra", "kind": "person", "mentions": [_span(0, 8)]}],
        "claims": [
            {
                **_span(14, 33),
                "speaker": {"id": "s1", "mention": _span(0, 8)},
                "cue": _span(9, 13),
                "stance": {"label": "neutral", "target": "India"},
                "note": "clear",
            }
        ],
        "note": "doc note",
    }
    line.update(changes)
    return line


def _parse(obj: Any) -> Any:
    return parse_line(json.dumps(obj, ensure_ascii=False))


def test_bare_line_gets_a_hash_id_and_no_annotations() -> None:
    record = _parse({"text": TEXT})
    assert record.document.text == TEXT
    assert record.document.external_id == text_sha256(TEXT)[:16]
    assert record.document.meta == {}
    assert record.annotations == []
    record = _parse({"text": TEXT, "id": "given", "meta": {"url": "https://example.org"}})
    assert record.document.external_id == "given" and record.document.meta == {"url": "https://example.org"}


def test_full_line_is_parsed_into_domain_objects() -> None:
    record = _parse(_full())
    (aset,) = record.annotations
    assert aset.annotator == "alice" and aset.status is Status.IN_PROGRESS and aset.note == "doc note"
    assert [(e.start, e.end, e.label, e.source) for e in aset.entities] == [
        (0, 8, "PERSON", EntitySource.MANUAL),
        (14, 19, "GPE", EntitySource.IMPORT),  # no source given: it came from a file
    ]
    (speaker,) = aset.speakers
    (claim,) = aset.claims
    assert claim.speaker is speaker and claim.mention == Span(0, 8) and claim.cue == Span(9, 13)
    assert claim.stance == Stance("neutral", "India") and claim.note == "clear" and claim.parts is None


def test_a_claim_mention_missing_from_the_speaker_is_added_to_it() -> None:
    line = _full()
    line["speakers"][0]["mentions"] = []
    (aset,) = _parse(line).annotations
    assert aset.speakers[0].mentions == [Span(0, 8)]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "each line must be a JSON object, got list"),
        ('"text"', "each line must be a JSON object, got str"),
        ('{"id": "x"}', "missing 'text'"),
        ('{"text": 5}', "'text' must be a string, got int"),
        ('{"text": null}', "missing 'text'"),
        ('{"text": "  \\n "}', "'text' is empty"),
        ('{"text": "a\\u0000b"}', "NUL"),
        ('{"text": "bad \\ud800 half"}', "lone surrogate"),
        ('{"text": "abc", "text_sha256": "00"}', "'text_sha256' does not match"),
        ('{"text": "abc", "id": 7}', "'id' must be a non-empty string"),
        ('{"text": "abc", "meta": []}', "'meta' must be an object"),
        ('{"text": "abc", "format": "other/v9"}', "unknown 'format'"),
    ],
)
def test_bad_lines(raw: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        parse_line(raw)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"status": "finished"}, "status 'finished' is not one of"),
        ({"annotator": ""}, "'annotator' must be a non-empty string"),
        ({"entities": {"a": 1}}, "'entities' must be a list"),
        (
            {"entities": [{"start": 0, "end": 8, "label": "PERSON", "text": "Malhotr"}]},
            r"entities\[0\] \[0, 8\) has text",
        ),
        ({"entities": [{"start": 0, "end": 99, "label": "PERSON"}]}, "out of range"),
        ({"entities": [{"start": 8, "end": 0, "label": "PERSON"}]}, "reversed"),
        ({"entities": [{"start": 0, "label": "PERSON"}]}, "missing 'end'"),
        ({"entities": [{"start": 0, "end": 8}]}, "needs a string 'label'"),
        ({"entities": [{"start": 0, "end": 8, "label": "PERSON", "source": "magic"}]}, "source 'magic'"),
        ({"speakers": [{"id": "s1", "name": "A"}, {"id": "s1", "name": "B"}]}, "repeats speaker id"),
        ({"speakers": [{"id": "s1", "name": "A", "kind": "alien"}]}, "kind 'alien'"),
        ({"speakers": [{"id": "s1"}]}, "needs a string 'name'"),
        ({"claims": [{**_span(0, 8), "speaker": {"id": "nobody"}}]}, "refers to speaker 'nobody'"),
        ({"claims": [{**_span(0, 33), "parts": [_span(0, 8)]}]}, "two or more spans"),
        ({"claims": [{**_span(0, 33), "parts": [_span(14, 33), _span(0, 8)]}]}, "text order"),
        ({"claims": [{**_span(0, 33), "parts": [_span(0, 8), _span(14, 19)]}]}, "first part's start to the last"),
        ({"claims": [{**_span(0, 8), "stance": {"label": 3}}]}, "stance label must be a string"),
        ({"claims": [{**_span(0, 8), "cue": {"start": 9, "end": 13, "text": "told"}}]}, r"claims\[0\].cue"),
        ({"claims": ["c1"]}, r"claims\[0\] must be an object"),
        ({"note": 5}, "note must be a string or null"),
    ],
)
def test_bad_annotations(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        _parse(_full(**change))


def test_read_jsonl_numbers_lines_and_skips_blank_ones() -> None:
    lines = [b'{"text": "one"}\n', b"\n", b"   \n", b'{"text": "two"}\n']
    records = list(read_jsonl(lines, "in.jsonl"))
    assert [(r.document.text, r.line) for r in records] == [("one", 1), ("two", 4)]


def test_read_jsonl_locates_the_bad_line() -> None:
    lines = [b'{"text": "one"}\n', b'{"text": "two"}\n', b'{"text": 3}\n']
    reader = read_jsonl(lines, "in.jsonl")
    assert next(reader).document.text == "one"
    with pytest.raises(InputError) as caught:
        list(reader)
    assert str(caught.value) == "in.jsonl:3: 'text' must be a string, got int"


def test_read_jsonl_drops_a_bom_and_refuses_other_encodings() -> None:
    (record,) = read_jsonl([b'\xef\xbb\xbf{"text": "bom"}\n'], "bom.jsonl")
    assert record.document.text == "bom"
    with pytest.raises(InputError, match=r"^latin\.jsonl:2: is not UTF-8"):
        list(read_jsonl([b'{"text": "ok"}\n', '{"text": "café"}\n'.encode("latin-1")], "latin.jsonl"))


@pytest.mark.parametrize("lines", [[], [b"\n", b"  \r\n"]])
def test_read_jsonl_refuses_an_empty_file(lines: list[bytes]) -> None:
    with pytest.raises(InputError, match=r"^e\.jsonl: is empty"):
        list(read_jsonl(lines, "e.jsonl"))


def test_crlf_line_endings_are_accepted() -> None:
    (record,) = read_jsonl([b'{"text": "a\\r\\nb"}\r\n'], "crlf.jsonl")
    assert record.document.text == "a\r\nb"


def test_writer_output_reads_back_identically() -> None:
    text = "Er sagte: \U0001f44d\U0001f3fd \u05e9\u05dc\u05d5\u05dd \u4e2d\u6587\r\nend"
    speaker = Speaker("Er", SpeakerKind.PERSON, None, [Span(0, 2)])
    anonymous = Speaker("sources", SpeakerKind.ANONYMOUS)
    aset = AnnotationSet(
        annotator="alice",
        status=Status.DONE,
        entities=[Entity(0, 2, "PERSON", EntitySource.MANUAL)],
        speakers=[speaker, anonymous],
        claims=[
            Claim(10, 17, parts=[Span(10, 12), Span(13, 17)], speaker=speaker, mention=Span(0, 2)),
            Claim(18, 20, cue=Span(3, 8), stance=Stance("oppose")),
        ],
    )
    document = Document("d", text, {"title": "T"})
    line = format_line(document, aset)
    assert line.endswith("\n") and line.count("\n") == 1
    assert "\U0001f44d" in line  # UTF-8, not \u escapes
    obj = json.loads(line)
    assert obj["format"] == FORMAT_ID and obj["text_sha256"] == text_sha256(text)
    for span in [
        *obj["entities"],
        *(m for s in obj["speakers"] for m in s["mentions"]),
        *(c for c in obj["claims"]),
        *(p for c in obj["claims"] for p in c.get("parts", [])),
    ]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert obj["claims"][1]["speaker"] is None and obj["claims"][1]["stance"] == {"label": "oppose", "target": None}
    assert "parts" not in obj["claims"][1]
    again = parse_line(line).annotations[0]
    assert line_object(document, again) == line_object(document, aset)


def test_an_empty_stance_is_written_as_null() -> None:
    aset = AnnotationSet("a", claims=[Claim(0, 3, stance=Stance(None, ""))])
    assert line_object(Document("d", "abc def"), aset)["claims"][0]["stance"] is None
