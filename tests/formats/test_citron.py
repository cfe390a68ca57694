"""citron's JSON annotation format: quotes (cue, sources, contents, coreferences) read and written."""

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from native_lines import import_seed, seed_claims_line, span, utf16

from annotator.domain.errors import InputError
from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Entity,
    Relation,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
)
from annotator.formats import citron
from annotator.formats.interchange import ExportLosses, ReadOptions, WriteOptions
from annotator.store.database import Database

Cli = Callable[..., Any]


def _pairs(spans: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(item["start"], item["end"]) for item in spans]


def _shape(line: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A native line's claims as comparable tuples: parts, cue, mention, speaker name and mentions."""
    speakers = {speaker["id"]: speaker for speaker in line["speakers"]}
    shape = []
    for claim in line["claims"]:
        ref = claim["speaker"]
        speaker = speakers[ref["id"]] if ref else None
        shape.append(
            (
                tuple(_pairs(claim.get("parts") or [claim])),
                tuple(_pairs([claim["cue"]])) if claim["cue"] else None,
                tuple(_pairs([ref["mention"]])) if ref and ref["mention"] else None,
                speaker["name"] if speaker else None,
                tuple(_pairs(speaker["mentions"])) if speaker else None,
            )
        )
    return sorted(shape)


def _export_native(cli: Cli, db_path: Path, *extra: str) -> list[dict[str, Any]]:
    result = cli("export", "-o", "-", "--db", db_path, *extra)
    assert result.code == 0, result.err
    return result.json_lines()


def test_native_to_citron_to_native_keeps_claims_speakers_and_offsets(
    cli: Cli,
    db_path: Path,
    database: Database,
    tmp_path: Path,
    fresh_db_path: Path,
    jsonl: Callable[..., Path],
    kit: Any,
) -> None:
    line = seed_claims_line(*import_seed(cli, db_path))
    native = jsonl(tmp_path / "alice.jsonl", [line])
    assert cli("import", "--no-nlp", "--format", "jsonl", "--db", db_path, native).code == 0
    (before,) = _export_native(cli, db_path, "--annotator", "alice")

    exported = kit.export(database, "citron", "alice.json")
    out, report = exported.path, exported.report

    assert report.fmt == "citron" and report.lines == 1
    warnings = exported.warnings()
    for lost in ("stance labels: 1", "stance targets: 1", "claim notes: 1", "entities: 1", "document status"):
        assert f"citron JSON cannot carry {lost}" in warnings, warnings
    assert "speaker names" not in warnings  # "Ajai Malhotra" is the longest mention: it reads back the same
    (written,) = exported.lines()
    text = written["text"]
    assert text == line["text"] and written["id"] == line["id"] and written["annotator"] == "alice"
    by_cue = {quote["cue"]["text"]: quote for quote in written["quotes"]}
    assert set(by_cue) == {"stated", "pointed out", "added", "suggested"}
    assert by_cue["pointed out"]["sources"] == [span("He pointed", text=text, length=2)]
    assert by_cue["pointed out"]["coreferences"] == [span("Ajai Malhotra", text=text)]  # "He" → the name
    assert [c["text"] for c in by_cue["added"]["contents"]] == [
        "The focus",
        "should remain on fostering dialogue and diplomacy",
    ]
    assert written["coreference_groups"] == [sorted(line["speakers"][0]["mentions"], key=lambda s: s["start"])]

    result = cli("import", "--no-nlp", "--format", "citron", "--annotator", "bob", "--db", fresh_db_path, out)
    assert result.code == 0, result.err
    (after,) = _export_native(cli, fresh_db_path)
    assert after["annotator"] == "alice"  # the export's own annotator key wins over --annotator, as in native JSONL
    assert after["id"] == before["id"] and after["text"] == before["text"]
    assert _shape(after) == _shape(before)
    assert len(after["speakers"]) == 1 and after["speakers"][0]["name"] == "Ajai Malhotra"


def _interview() -> tuple[str, dict[str, Any]]:
    """A document as citron's annotator app saves it: ``quotes`` then ``text``, indented, one file."""
    text = (
        "Former ambassador Ajai Malhotra said India must stay neutral. "
        '"Our policy," he added, "is strategic autonomy." '
        "Officials in Delhi declined to comment, according to Reuters."
    )
    quotes = [
        {
            "cue": span("said", text=text),
            "sources": [span("Ajai Malhotra", text=text)],
            "contents": [span("India must stay neutral", text=text)],
        },
        {
            "cue": span("added", text=text),
            "sources": [span("he added", text=text, length=2)],
            "contents": [span('"Our policy,"', text=text), span('"is strategic autonomy."', text=text)],
            "coreferences": [span("Ajai Malhotra", text=text)],
        },
        {
            "cue": span("according to", text=text),
            "sources": [span("Reuters", text=text)],
            "contents": [span("Officials in Delhi declined to comment", text=text)],
        },
    ]
    return text, {"quotes": quotes, "text": text}


def test_a_citron_file_reads_into_claims_and_writes_back_the_same_quotes(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    text, data = _interview()
    path = tmp_path / "interview.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=4, sort_keys=False), encoding="utf-8")

    result = cli("import", "--no-nlp", "--format", "citron", "--annotator", "bob", "--db", db_path, path)

    assert result.code == 0, result.err
    (line,) = _export_native(cli, db_path, "--annotator", "bob")
    assert line["id"] == "interview" and line["text"] == text and line["status"] == "new"
    names = sorted(speaker["name"] for speaker in line["speakers"])
    assert names == ["Ajai Malhotra", "Reuters"]
    malhotra = next(s for s in line["speakers"] if s["name"] == "Ajai Malhotra")
    assert [m["text"] for m in malhotra["mentions"]] == ["Ajai Malhotra", "he"]
    split = next(c for c in line["claims"] if c.get("parts"))
    assert [p["text"] for p in split["parts"]] == ['"Our policy,"', '"is strategic autonomy."']
    assert split["speaker"]["mention"]["text"] == "he" and split["cue"]["text"] == "added"

    out = tmp_path / "again.json"
    exported = cli("export", "-o", out, "--format", "citron", "--db", db_path)
    assert exported.code == 0, exported.err
    (again,) = [json.loads(row) for row in out.read_text(encoding="utf-8").splitlines()]
    assert again["text"] == text
    key = lambda quote: quote["cue"]["start"]  # noqa: E731
    assert sorted(again["quotes"], key=key) == sorted(data["quotes"], key=key)


def _bad(text: str = "Malhotra said India must stay neutral.", **quote: Any) -> dict[str, Any]:
    base = {
        "cue": span("said", text=text),
        "sources": [span("Malhotra", text=text)],
        "contents": [span("India must stay neutral", text=text)],
    }
    return {"text": text, "quotes": [{**base, **quote}]}


GOOD = _bad()
TEXT = GOOD["text"]
# name → (content, expected line or None, problem words)
BAD_INPUTS: dict[str, tuple[str, int | None, str]] = {
    "invalid json": ('{\n    "text": "x",\n    "quotes": [\n', 4, "invalid JSON"),
    "span text differs": (
        json.dumps(_bad(cue={"start": 9, "end": 13, "text": "says"})),
        None,
        "quotes[0].cue [9, 13) has text 'says' but the document has 'said' there",
    ),
    "missing text": (json.dumps({"quotes": GOOD["quotes"]}), None, "missing 'text'"),
    "text not a string": (json.dumps({"text": ["x"], "quotes": []}), None, "'text' must be a string, got a list"),
    "extractor output": (
        json.dumps({"quotes": GOOD["quotes"], "source": {"application": "citron-extractor"}}),
        None,
        "is citron-extract output, which has no 'text'",
    ),
    "quotes not a list": (json.dumps({"text": TEXT, "quotes": GOOD["quotes"][0]}), None, "'quotes' must be a list"),
    "span not an object": (
        json.dumps(_bad(contents=["India must stay neutral"])),
        None,
        "quotes[0].contents[0] must be a span object",
    ),
    "offset not a number": (
        json.dumps(_bad(cue={"start": "9", "end": 13, "text": "said"})),
        None,
        "offsets must be integers",
    ),
    "span out of range": (json.dumps(_bad(cue={"start": 9, "end": 99})), None, "out of range"),
    "overlapping contents": (
        json.dumps(_bad(contents=[span("India must", text=TEXT), span("must stay", text=TEXT)])),
        None,
        "quotes[0] contents [14, 24) 'India must' and [20, 29) 'must stay' overlap",
    ),
    "bad second line": (
        json.dumps(GOOD)
        + "\n"
        + json.dumps(_bad(sources=[{"start": 0, "end": 3, "text": "Mal"}], cue=None))[:-5]
        + "\n",
        2,
        "invalid JSON",
    ),
    "bad line of json lines": (
        json.dumps(GOOD) + "\n" + json.dumps(_bad(sources=[{"start": 0, "end": 3, "text": "Maa"}])) + "\n",
        2,
        "quotes[0].sources[0] [0, 3) has text 'Maa'",
    ),
    "list element not an object": (json.dumps([GOOD, 5]), None, "document [1]: a citron document must be a JSON"),
    "empty file": ("  \n", None, "is empty"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_naming_the_file_and_imports_nothing(
    case: str, cli: Cli, db_path: Path, tmp_path: Path, dump: Callable[[Path], list[str]]
) -> None:
    content, line, problem = BAD_INPUTS[case]
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    seed = tmp_path / "seed.txt"
    seed.write_text("Already here.", encoding="utf-8")
    assert cli("import", "--no-nlp", "--db", db_path, seed).code == 0
    before = dump(db_path)

    result = cli("import", "--no-nlp", "--format", "citron", "--annotator", "bob", "--db", db_path, path)

    assert result.code == 1
    assert len(result.err_lines) == 1, result.err
    (message,) = result.err_lines
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert message.startswith(f"annotator: error: {where}"), message
    assert problem in message, message
    assert "Traceback" not in result.err + result.out
    assert dump(db_path) == before


def test_quotes_without_annotator_need_one(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    result = cli("import", "--no-nlp", "--format", "citron", "--db", db_path, path)
    assert result.code == 1
    assert "but no annotator; name one with --annotator NAME" in result.err
    assert _export_native(cli, db_path) == []


UNICODE_TEXT = (
    '記者会見で👨‍👩‍👧‍👦 Ajai Malhotra said:\r\n"India 🇮🇳 must stay neutral."\r\nHe added that 中国 matters 👍🏽.\r'
)


def _unicode_doc(unit: str = "codepoints") -> dict[str, Any]:
    text = UNICODE_TEXT

    def at(needle: str, length: int | None = None) -> dict[str, Any]:
        found = span(needle, text=text, length=length)
        if unit == "utf16":
            found["start"], found["end"] = utf16(text, found["start"]), utf16(text, found["end"])
        return found

    return {
        "text": text,
        "quotes": [
            {
                "cue": at("said"),
                "sources": [at("Ajai Malhotra")],
                "contents": [at('"India 🇮🇳 must stay neutral."')],
            },
            {
                "cue": at("added"),
                "sources": [at("He added", 2)],
                "contents": [at("中国 matters 👍🏽")],
                "coreferences": [at("Ajai Malhotra")],
            },
        ],
    }


@pytest.mark.parametrize("unit", ["codepoints", "utf16"])
def test_emoji_cjk_and_crlf_keep_exact_offsets(
    unit: str, cli: Cli, db_path: Path, database: Database, tmp_path: Path, kit: Any
) -> None:
    path = tmp_path / "unicode.json"
    path.write_text(json.dumps(_unicode_doc(unit), ensure_ascii=False), encoding="utf-8")

    result = cli("import", "--no-nlp", "--format", "citron", "--annotator", "bob", "--db", db_path, path)

    assert result.code == 0, result.err
    if unit == "utf16":
        assert "offsets counted in UTF-16 code units (detected) were converted to code points" in result.out
    (line,) = _export_native(cli, db_path, "--annotator", "bob")
    text = line["text"]
    assert text == UNICODE_TEXT  # CRLF and the lone CR are kept
    cues = sorted((c["cue"]["start"], c["cue"]["end"], c["cue"]["text"]) for c in line["claims"])
    said, added = text.index("said"), text.index("added")
    assert cues == [(said, said + 4, "said"), (added, added + 5, "added")]
    (speaker,) = line["speakers"]
    assert speaker["name"] == "Ajai Malhotra" and [m["text"] for m in speaker["mentions"]] == ["Ajai Malhotra", "He"]

    (written,) = kit.export(database, "citron", "out.json").lines()
    assert written["quotes"] == _unicode_doc()["quotes"]
    (wide,) = kit.export(database, "citron", "out.json", offsets="utf16").lines()
    assert wide["quotes"] == _unicode_doc("utf16")["quotes"]


def _other_sniffers_present() -> bool:
    for name in ("prodigy", "doccano", "labelstudio"):
        try:
            module = importlib.import_module(f"annotator.formats.{name}")
        except ImportError:
            return False
        if not hasattr(module, "sniff"):
            return False
    return True


def test_cli_imports_a_folder_of_citron_files_by_sniffing_and_exports_them(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    if not _other_sniffers_present():
        pytest.skip("the other formats' sniffers (prodigy, doccano, labelstudio) are not in place yet")
    folder = tmp_path / "corpus"
    folder.mkdir()
    _, data = _interview()
    (folder / "interview.json").write_text(json.dumps(data, indent=4), encoding="utf-8")
    parc_style = {"text": TEXT, "quotes": [{**GOOD["quotes"][0], "id": "wsj_0001_set_1"}]}  # text first, quote ids
    (folder / "parc.json").write_text(json.dumps(parc_style, indent=4), encoding="utf-8")
    many = [_unicode_doc(), {"text": "Nobody said anything here.", "quotes": []}]
    (folder / "list.json").write_text(json.dumps(many), encoding="utf-8")
    lines = tmp_path / "lines.json"
    lines.write_text("".join(json.dumps(doc) + "\n" for doc in _many_texts(3)), encoding="utf-8")

    result = cli("import", "--no-nlp", "--annotator", "bob", "--db", db_path, folder, lines)

    assert result.code == 0, result.err
    for name in ("interview.json", "parc.json", "list.json"):
        assert f"{folder / name}: read as citron" in result.out
    assert f"{lines}: read as citron" in result.out
    exported = _export_native(cli, db_path, "--annotator", "bob")
    assert len(exported) == 7
    assert {line["id"] for line in exported} >= {"interview", "parc"}

    stdout = cli("export", "-o", "-", "--format", "citron", "--annotator", "bob", "--db", db_path)
    assert stdout.code == 0, stdout.err
    docs = stdout.json_lines()
    assert len(docs) == 7 and all(set(doc) >= {"id", "quotes", "text"} for doc in docs)
    assert sum(len(doc["quotes"]) for doc in docs) == 3 + 1 + 2 + 3


def _many_texts(count: int) -> list[dict[str, Any]]:
    docs = []
    for number in range(count):
        text = f"Speaker {number} said item {number} is fine."
        docs.append(
            {
                "text": text,
                "quotes": [
                    {
                        "cue": span("said", text=text),
                        "sources": [span(f"Speaker {number}", text=text)],
                        "contents": [span(f"item {number} is fine", text=text)],
                    }
                ],
            }
        )
    return docs


def test_cli_reads_json_lines_and_lists_with_format_citron(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    lines = tmp_path / "lines.jsonl"
    lines.write_text("".join(json.dumps(doc) + "\n\n" for doc in _many_texts(3)), encoding="utf-8")
    listed = tmp_path / "listed.json"
    listed.write_text(json.dumps([{**doc, "id": f"l{n}"} for n, doc in enumerate(_many_texts(5))]), encoding="utf-8")

    result = cli("import", "--no-nlp", "--format", "citron", "--annotator", "bob", "--db", db_path, lines, listed)

    assert result.code == 0, result.err
    assert "imported 5 documents from 2 files" in result.out
    assert "skipped 3 documents already in the database (same text)" in result.out  # the list repeats 3 texts
    ids = {line["id"] for line in _export_native(cli, db_path, "--annotator", "bob")}
    assert {"l3", "l4"} <= ids and len(ids) == 5


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (json.dumps(GOOD, indent=4).encode(), True),
        (json.dumps({"quotes": GOOD["quotes"], "text": TEXT}).encode(), True),
        (b'[{"text": "x", "quotes": [{"contents": []}]}]', True),
        (b'{"text": "x", "quotes": []}\n', True),
        (b'{"text": "x"}\n', False),
        (b'{"format": "annotator/v1", "text": "x", "claims": []}\n', False),
        (b'{"text": "He said \\"quotes\\": [ and \\"cue\\": here", "spans": []}\n', False),
        (b'{"text": "x", "spans": [{"start": 0, "end": 1, "label": "CUE"}], "_input_hash": 1}\n', False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert citron.sniff("file.json", head) is expected


# ---------------------------------------------------------------- reader and writer units


def _read(doc: dict[str, Any], options: ReadOptions | None = None) -> tuple[AnnotationSet, ReadOptions]:
    options = options or ReadOptions()
    record = citron.parse_document(doc, options)
    (aset,) = record.annotations
    return aset, options


def test_several_sources_and_coreference_groups_are_one_speaker() -> None:
    text = "Morecambe and Wise said it was fine. They later said it was not. Wise laughed; he always does."
    doc = {
        "text": text,
        "quotes": [
            {
                "cue": span("said", text=text),
                "sources": [span("Morecambe and Wise", text=text), span("Wise", text=text)],
                "contents": [span("it was fine", text=text)],
            },
            {
                "cue": span("said", text=text, after="They"),
                "sources": [span("They", text=text)],
                "contents": [span("it was not", text=text)],
            },
        ],
        "coreference_groups": [
            [span("Morecambe and Wise", text=text), span("They", text=text)],
            [span("Wise", text=text, after="not"), span("he", text=text)],  # touches no quote source: skipped
        ],
    }
    aset, options = _read(doc)
    (speaker,) = aset.speakers
    assert speaker.name == "Morecambe and Wise" and speaker.kind is SpeakerKind.PERSON
    assert [m.text_in(text) for m in speaker.mentions] == ["Morecambe and Wise", "Wise", "They"]
    first, second = aset.claims
    assert first.mention is not None and first.mention.text_in(text) == "Morecambe and Wise"
    assert second.mention is not None and second.mention.text_in(text) == "They"
    assert first.speaker is speaker and second.speaker is speaker
    assert options.report() == [citron.NOTE_GROUPS]


def test_quotes_without_contents_or_cue_and_confidence_scores() -> None:
    text = "Officials said nothing. A source claimed the deal is done."
    doc = {
        "text": text,
        "quotes": [
            {"cue": span("said", text=text), "sources": [span("Officials", text=text)], "contents": []},
            {"sources": [], "contents": [span("the deal is done", text=text)], "confidence": "0.8123"},
        ],
    }
    aset, options = _read(doc)
    (claim,) = aset.claims
    assert claim.cue is None and claim.speaker is None and claim.span.text_in(text) == "the deal is done"
    assert aset.speakers == []
    assert sorted(options.report()) == sorted([citron.NOTE_NO_CONTENTS, citron.NOTE_CONFIDENCE])


def test_pronoun_only_speaker_is_named_by_the_pronoun_and_names_skip_pronouns() -> None:
    assert citron.speaker_name("He said so. She agreed.", [Span(0, 2)]) == "He"
    assert citron.speaker_name("They, the ministers, said", [Span(0, 4), Span(6, 19)]) == "the ministers"
    assert citron.is_pronoun(" They ") and not citron.is_pronoun("The diplomat")


def test_bare_text_is_a_document_without_annotations() -> None:
    record = citron.parse_document({"text": "Just an article.", "id": "a1"}, ReadOptions())
    assert record.document.external_id == "a1" and record.annotations == []
    with pytest.raises(InputError, match="'id' must be a non-empty string"):
        citron.parse_document({"text": "x", "id": 5}, ReadOptions())


def test_writer_tallies_what_citron_cannot_carry() -> None:
    text = "Malhotra said India must stay neutral. The ministry, officials said, disagrees. Rao stayed silent."
    malhotra = Speaker("Ajai Malhotra", mentions=[Span(0, 8)])
    officials = Speaker("officials", kind=SpeakerKind.ANONYMOUS, entity_label="ORG", mentions=[Span(53, 62)])
    silent = Speaker("Rao", mentions=[Span(80, 83)])
    author = Speaker("the article", kind=SpeakerKind.AUTHOR)
    aset = AnnotationSet(
        annotator="alice",
        status=Status.IN_PROGRESS,
        entities=[Entity(0, 8, "PERSON")],
        speakers=[malhotra, officials, silent, author],
        claims=[
            Claim(14, 37, speaker=malhotra, mention=Span(0, 8), cue=Span(9, 13), stance=Stance("oppose", "war")),
            Claim(
                39, 78, parts=[Span(39, 51), Span(69, 78)], speaker=officials, mention=Span(53, 62), cue=Span(63, 67)
            ),
            Claim(84, 97, speaker=silent, mention=Span(80, 83), note="no cue"),
            Claim(14, 37, speaker=author, cue=Span(9, 13)),
        ],
        relations=[Relation(Span(0, 8), Span(14, 19), "LIVES_IN")],
        note="document note",
    )
    losses = ExportLosses("citron JSON")
    obj = citron.document_object(Document("d1", text), aset, WriteOptions(losses=losses))
    assert [q["cue"]["text"] for q in obj["quotes"]] == ["said", "said", "said"]
    assert obj["quotes"][1]["contents"] == [
        {"start": 39, "end": 51, "text": "The ministry"},
        {"start": 69, "end": 78, "text": "disagrees"},
    ]
    assert obj["quotes"][2]["sources"] == []  # the author speaks without a mention
    assert "coreference_groups" not in obj
    assert dict(losses.counts) == {
        citron.LOSS_ENTITIES: 1,
        citron.LOSS_RELATIONS: 1,
        citron.LOSS_STANCE: 1,
        citron.LOSS_TARGET: 1,
        citron.LOSS_CLAIM_NOTE: 1,
        citron.LOSS_DOC_NOTE: 1,
        citron.LOSS_STATUS: 1,
        citron.LOSS_NO_CUE: 1,
        citron.LOSS_NO_MENTION: 1,
        citron.LOSS_KIND: 1,
        citron.LOSS_ENTITY_LABEL: 1,
        citron.LOSS_UNCLAIMED: 2,  # Rao (his one claim has no cue) and the author (no mention, not written)
        citron.LOSS_NAME: 1,  # "Ajai Malhotra" reads back as "Malhotra"
    }


def test_a_document_nobody_annotated_has_no_quotes_key_and_reads_back_bare() -> None:
    losses = ExportLosses("citron JSON")
    model_layer = AnnotationSet(entities=[Entity(0, 4, "PERSON")])
    obj = citron.document_object(Document("d1", "Ajai spoke."), model_layer, WriteOptions(losses=losses))
    assert obj == {"id": "d1", "text": "Ajai spoke."}
    assert dict(losses.counts) == {citron.LOSS_ENTITIES: 1}
    assert citron.parse_document(obj, ReadOptions()).annotations == []
    checked = citron.document_object(Document("d1", "Ajai spoke."), AnnotationSet("bob"), WriteOptions(losses=losses))
    assert checked["quotes"] == []  # bob read it and found no quotes
