"""Offsets are code points into the stored text, whatever the text holds; nothing is normalised."""

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
THUMBS = "\U0001f44d\U0001f3fd"
FLAG_IN = "\U0001f1ee\U0001f1f3"
CAFE = "cafe\u0301"  # decomposed: NFC would make it four code points
ARABIC = "قال الوزير إن الاتفاق مهم"
HEBREW = "אמר השר כי ההסכם חשוב"
CJK = "北京市发言人表示"

TRICKY_TEXT = (
    f"Family {FAMILY} likes it {THUMBS}.\r\n"
    f"India {FLAG_IN} and {CJK}.\r"
    f"The {CAFE} was open. {ARABIC}\n"
    f"{HEBREW}\u2028end \U0001d54f\u00a0x"
)
PIECES = [FAMILY, THUMBS, FLAG_IN, CJK, CAFE, "الوزير", "השר", "\r\n", "\r", "\u2028", "\U0001d54f"]


def _span(text: str, piece: str) -> dict[str, Any]:
    start = text.index(piece)
    return {"start": start, "end": start + len(piece), "text": piece}


def _all_spans(line: dict[str, Any]) -> list[dict[str, Any]]:
    spans = list(line["entities"])
    for speaker in line["speakers"]:
        spans.extend(speaker["mentions"])
    for claim in line["claims"]:
        spans.append(claim)
        spans.extend(claim.get("parts", []))
        if claim["cue"]:
            spans.append(claim["cue"])
        if claim["speaker"] and claim["speaker"]["mention"]:
            spans.append(claim["speaker"]["mention"])
    return spans


def _export_lines(database: Database, path: Path) -> list[dict[str, Any]]:
    export_jsonl(database, str(path))
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").split("\n") if line]


def test_jsonl_import_keeps_the_text_exactly(database: Database, tmp_path: Path, jsonl: Callable) -> None:
    text = TRICKY_TEXT
    line = {
        "format": "annotator/v1",
        "id": "tricky",
        "text": text,
        "annotator": "alice",
        "entities": [{**_span(text, piece), "label": "PERSON"} for piece in PIECES],
        "speakers": [{"id": "s1", "name": "minister", "mentions": [_span(text, "الوزير"), _span(text, "השר")]}],
        "claims": [
            {
                **_span(text, f"likes it {THUMBS}"),
                "speaker": {"id": "s1", "mention": _span(text, "השר")},
                "cue": _span(text, FAMILY),
            },
            {
                "start": text.index(FLAG_IN),
                "end": text.index(CAFE) + len(CAFE),
                "text": text[text.index(FLAG_IN) : text.index(CAFE) + len(CAFE)],
                "parts": [_span(text, FLAG_IN), _span(text, CAFE)],
            },
        ],
    }
    report = import_paths(database, [str(jsonl(tmp_path / "in.jsonl", [line]))], ImportOptions(use_nlp=False))
    assert report.failed == [], report.failed
    (exported,) = _export_lines(database, tmp_path / "out.jsonl")
    assert exported["text"] == text  # CRLF, lone CR, U+2028, decomposed é: all as they were
    assert "\u0301" in exported["text"] and "\r\n" in exported["text"] and "\u2028" in exported["text"]
    spans = _all_spans(exported)
    assert len(spans) >= len(PIECES) + 5
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]
    assert sorted(e["text"] for e in exported["entities"]) == sorted(PIECES)


def test_a_utf16_offset_is_refused_not_repaired(database: Database, tmp_path: Path, jsonl: Callable) -> None:
    text = f"{THUMBS} Putin said so."
    utf16_start = len(text[: text.index("Putin")].encode("utf-16-le")) // 2
    line = {
        "text": text,
        "annotator": "a",
        "entities": [{"start": utf16_start, "end": utf16_start + 5, "text": "Putin", "label": "PERSON"}],
    }
    report = import_paths(database, [str(jsonl(tmp_path / "u16.jsonl", [line]))], ImportOptions(use_nlp=False))
    (failed,) = report.failed
    assert f"{tmp_path / 'u16.jsonl'}:1: entities[0]" in failed.error and "has text 'Putin'" in failed.error


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"{FAMILY} one\r\ntwo\r\n".encode(), f"{FAMILY} one\ntwo"),
        (f"{ARABIC}\r{HEBREW}\r".encode(), f"{ARABIC}\n{HEBREW}"),
        (f"{CAFE}\r\n\r{CJK}".encode(), f"{CAFE}\n\n{CJK}"),
    ],
)
def test_plain_text_import_normalises_line_breaks_only(
    database: Database, tmp_path: Path, raw: bytes, expected: str
) -> None:
    (tmp_path / "a.txt").write_bytes(raw)
    import_paths(database, [str(tmp_path / "a.txt")], ImportOptions(use_nlp=False))
    (line,) = _export_lines(database, tmp_path / "out.jsonl")
    assert line["text"] == expected
    assert line["meta"]["newlines_normalized"] is True


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_a_bom_is_dropped(database: Database, tmp_path: Path, suffix: str) -> None:
    body = f"{ARABIC} {FAMILY}"
    content = body if suffix == ".txt" else json.dumps({"text": body, "id": "b"}, ensure_ascii=False) + "\n"
    path = tmp_path / f"bom{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + content.encode())
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False))
    assert report.failed == [] and report.added == 1
    (line,) = _export_lines(database, tmp_path / "out.jsonl")
    assert line["text"] == body and not line["text"].startswith("\ufeff")


# ------------------------------------------------------------------ property

SINGLE = 'abZ  \n\r\t\u2028\u2029\x85.,"\\\u0301\u200d\ufe0f中文عש\u200f\U0001d54f\U0001f600\u00a0'
ALPHABET = st.sampled_from([*SINGLE, "\r\n", "e\u0301", FAMILY, THUMBS, FLAG_IN])
# Also any other code point that is valid in stored text (no NUL, no lone surrogates).
ANY_CHAR = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
TEXTS = st.lists(st.one_of(ALPHABET, ANY_CHAR), min_size=1, max_size=40).map("".join).filter(lambda t: t.strip() != "")


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(TEXTS)
    bounds = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).filter(lambda se: se[0] < se[1])
    return text, draw(st.lists(bounds, min_size=1, max_size=6))


@pytest.fixture(scope="module")
def property_db(tmp_path_factory: pytest.TempPathFactory) -> Any:
    database = Database.open(tmp_path_factory.mktemp("prop") / "db.sqlite3")
    yield database
    database.close()


_counter = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=text_and_spans())
def test_any_text_and_valid_spans_survive_import_and_export(
    case: tuple[str, list[tuple[int, int]]], property_db: Database, tmp_path: Path
) -> None:
    text, bounds = case
    number = next(_counter)
    person = f"annotator-{number}"
    spans = [{"start": s, "end": e, "text": text[s:e]} for s, e in bounds]
    line = {
        "format": "annotator/v1",
        "id": f"prop-{number}",
        "text": text,
        "annotator": person,
        "entities": [{**span, "label": "PERSON"} for span in spans],
        "speakers": [{"id": "s1", "name": "x", "mentions": spans}],
        "claims": [{**span, "cue": span} for span in spans],
    }
    source = tmp_path / f"case-{number}.jsonl"
    source.write_bytes((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    report = import_paths(property_db, [str(source)], ImportOptions(use_nlp=False))
    assert report.failed == [], report.failed[0].error
    out = tmp_path / f"out-{number}.jsonl"
    export_jsonl(property_db, str(out), annotator=person)
    (exported,) = [json.loads(raw) for raw in out.read_bytes().decode("utf-8").split("\n") if raw]
    assert exported["text"] == text
    expected = sorted((s["start"], s["end"], s["text"]) for s in spans)
    assert sorted((e["start"], e["end"], e["text"]) for e in exported["entities"]) == expected
    assert sorted((c["start"], c["end"], c["text"]) for c in exported["claims"]) == expected
    assert sorted((c["cue"]["start"], c["cue"]["end"], c["cue"]["text"]) for c in exported["claims"]) == expected
    assert [(m["start"], m["end"], m["text"]) for m in exported["speakers"][0]["mentions"]] == sorted(set(expected))
    for span in _all_spans(exported):
        assert text[span["start"] : span["end"]] == span["text"]
