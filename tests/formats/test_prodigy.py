"""Prodigy JSONL: read, write and sniff, and round trips through the real import and export services."""

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from native_lines import NOTE, TEXT, claim, native_lines, span, utf16
from sqlalchemy import func, select

from annotator.domain.errors import InputError
from annotator.domain.model import (
    AnnotationSet,
    Document,
    Entity,
    EntitySource,
    Relation,
    Span,
    Status,
    text_sha256,
)
from annotator.domain.spans import grapheme_starts
from annotator.formats import prodigy
from annotator.formats.interchange import ExportLosses, ReadOptions, WriteOptions
from annotator.formats.offsets import OffsetUnit, describe_unit
from annotator.formats.records import Record
from annotator.services import formats as registry
from annotator.services.exporting import iter_annotations
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database
from annotator.store.tables import DocumentRow

NER_SAMPLE = "prodigy/annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
RAW_SAMPLE = "prodigy/news_headlines.jsonl"
REL_SAMPLE = "prodigy/rel_component_annotations.jsonl"

UNICODE_TEXT = (
    "Fans 👍🏽 of 李雷 said the 👨‍👩‍👧 team won.\r\nHe added: “中国 will host 🇮🇳 talks\r\nnext year”, "
    "the café owner said."
)


# ---------------------------------------------------------------- helpers


def read_text(lines: list[Any] | str, options: ReadOptions | None = None) -> list[Record]:
    data = lines if isinstance(lines, str) else "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines)
    return list(prodigy.read(io.BytesIO(data.encode("utf-8")), "t.jsonl", options or ReadOptions()))


def annotation_sets(database: Database) -> dict[str, tuple[Document, list[AnnotationSet]]]:
    """External id → (document, its annotation sets)."""
    found: dict[str, tuple[Document, list[AnnotationSet]]] = {}
    with database.read() as session:
        for document, aset in iter_annotations(session):
            found.setdefault(document.external_id, (document, []))[1].append(aset)
    return found


def document_count(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(DocumentRow)) or 0)


def tasks(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_task_shape(task: dict[str, Any], unit: OffsetUnit = OffsetUnit.CODEPOINTS) -> None:
    """Tokens cover the text (with ``ws``), every span and relation end is exactly tokens ``token_start..token_end``."""
    text = task["text"]

    graphemes = [*grapheme_starts(text), len(text)]

    def piece(start: int, end: int) -> str:
        if unit == OffsetUnit.UTF16:
            return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")
        if unit == OffsetUnit.GRAPHEMES:
            return text[graphemes[start] : graphemes[end]]
        return text[start:end]

    tokens = task["tokens"]
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    for token in tokens:
        assert piece(token["start"], token["end"]) == token["text"]
    for item in task["spans"]:
        assert piece(item["start"], item["end"]) == item["text"]
        assert tokens[item["token_start"]]["start"] == item["start"]
        assert tokens[item["token_end"]]["end"] == item["end"]
    for relation in task.get("relations", []):
        for side in ("head", "child"):
            end = relation[f"{side}_span"]
            assert relation[side] == end["token_end"]
            assert tokens[end["token_start"]]["start"] == end["start"]
            assert tokens[end["token_end"]]["end"] == end["end"]
    assert "_input_hash" not in task and "_task_hash" not in task


# ---------------------------------------------------------------- round trips through the services


def test_native_to_prodigy_to_native_keeps_everything_prodigy_carries(
    annotated: Database, fresh_database: Database, kit: Any
) -> None:
    exported = kit.export(annotated, "prodigy")
    assert (exported.report.fmt, exported.report.lines) == ("prodigy", 3)
    assert sorted(exported.report.warnings) == sorted(
        f"Prodigy JSONL cannot carry {what}: {count} not written (see docs/formats.md)"
        for what, count in [
            ("statuses other than done (every annotator's task is written as answer 'accept')", 1),
            ("document notes", 1),
            ("speakers without a mention", 2),
            ("claim speakers without a mention", 3),
        ]
    )
    written = exported.lines()
    for task in written:
        check_task_shape(task)
    alice, bob, model = written
    meta = native_lines()[0]["meta"]
    for task in (alice, bob):
        assert task["answer"] == "accept" and task["meta"] == {"id": "article-1", **meta}
        assert task["_view_id"] == "relations"
        assert task["_annotator_id"] == task["_session_id"]
    assert not {"answer", "_annotator_id", "_session_id", "_view_id"} & model.keys()
    labels = sorted(s["label"] for s in alice["spans"])
    assert labels == ["CLAIM"] * 8 + ["CUE"] * 4 + ["GPE", "GPE", "ORG", "PERSON"] + ["SOURCE"] * 6
    assert sorted(r["label"] for r in alice["relations"]) == sorted(
        ["CLAIM_PART", "COREF", "citizen_of", "member_of"] + ["CUE"] * 4 + ["SOURCE"] * 4
    )
    member_of = next(r for r in alice["relations"] if r["label"] == "member_of")
    assert (member_of["head_span"]["label"], member_of["child_span"]["label"]) == (None, "ORG")
    first = next(s for s in alice["spans"] if s["text"].startswith("India's foreign"))
    assert first["annotator"] == {"key": "c1", "stance": "support", "target": "strategic autonomy", "note": NOTE}

    kit.import_files(fresh_database, exported.path, fmt="prodigy")
    before, after = kit.snapshot(annotated), kit.snapshot(fresh_database)
    assert after == kit.carried(before, status="done", notes=False)
    assert len(after[("article-1", "alice")]["relations"]) == 2
    (split,) = [c for c in after[("article-1", "alice")]["claims"] if len(c[0]) == 2]
    assert [TEXT[p.start : p.end] for p in split[0]] == ["India,", "will not pick a side."]
    assert split[2] is not None and TEXT[split[2].start : split[2].end] == "he"


def test_what_prodigy_cannot_carry_is_reported(database: Database, kit: Any) -> None:
    alice = {**native_lines()[0], "status": "in_progress"}  # with a document note and speakers without a mention
    kit.import_lines(database, [alice])
    report = kit.export(database, "prodigy").report
    warnings = "\n".join(report.warnings)
    for what in ("statuses other than done", "document notes", "speakers without a mention: 1", "claim speakers"):
        assert what in warnings
    assert all(w.startswith("Prodigy JSONL cannot carry") for w in report.warnings)


def test_prodigy_ner_sample_to_native_and_back(
    database: Database, fresh_database: Database, samples: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    """Prodigy → database → annotator/v1 JSONL → another database → Prodigy: the same spans and answers."""
    source = samples / NER_SAMPLE
    db_path, fresh_path = tmp_path / "db.sqlite3", tmp_path / "fresh.sqlite3"
    result = cli("import", source, "--no-nlp", "--db", db_path, "--annotator", "alice", "--add-labels")
    assert result.code == 0, result.err
    assert f"{source}: read as prodigy" in result.out_lines
    assert f"{source}: rejected or ignored records skipped" in result.out_lines  # the one ignored task
    assert "imported 372 documents" in result.out
    native = tmp_path / "native.jsonl"
    assert cli("export", "-o", native, "--db", db_path).code == 0
    assert cli("import", native, "--no-nlp", "--db", fresh_path, "--add-labels").code == 0
    out = tmp_path / "back.jsonl"
    result = cli("export", "-o", out, "--format", "prodigy", "--db", fresh_path)
    assert result.code == 0 and result.err == "" and "as prodigy" in result.out

    original = {t["text"]: t for t in tasks(source) if t["answer"] == "accept"}
    back = {t["text"]: t for t in tasks(out)}
    assert back.keys() == original.keys()
    for text, task in back.items():
        check_task_shape(task)
        old = original[text]
        assert task["answer"] == old["answer"] == "accept"
        assert sorted((s["start"], s["end"], s["label"]) for s in task["spans"]) == sorted(
            (s["start"], s["end"], s["label"]) for s in old.get("spans", [])
        )
        assert task["meta"] == {"id": text_sha256(text)[:16], **old["meta"]}
        assert task["_annotator_id"] == "alice"


def test_prodigy_relations_sample_round_trip(samples: Path, tmp_path: Path, cli: Callable[..., Any]) -> None:
    """Prodigy → database → annotator/v1 JSONL → another database → Prodigy: the same spans and relations."""
    source = samples / REL_SAMPLE
    db_path, fresh_path = tmp_path / "db.sqlite3", tmp_path / "fresh.sqlite3"
    result = cli("import", source, "--no-nlp", "--db", db_path, "--annotator", "alice", "--add-labels")
    assert result.code == 0, result.err
    assert "entity:GGP" in result.out
    native = tmp_path / "native.jsonl"
    assert cli("export", "-o", native, "--db", db_path).code == 0
    assert cli("import", native, "--no-nlp", "--db", fresh_path, "--add-labels").code == 0
    out = tmp_path / "back.jsonl"
    assert cli("export", "-o", out, "--format", "prodigy", "--db", fresh_path).code == 0

    def relations(task: dict[str, Any]) -> list[Any]:
        return sorted(
            (
                (r["head_span"]["start"], r["head_span"]["end"], r["head_span"]["label"]),
                (r["child_span"]["start"], r["child_span"]["end"], r["child_span"]["label"]),
                r["label"],
            )
            for r in task.get("relations", [])
        )

    original = {t["text"]: t for t in tasks(source)}
    back = {t["text"]: t for t in tasks(out)}
    assert back.keys() == original.keys()
    same_tokens = 0
    for text, task in back.items():
        check_task_shape(task)
        old = original[text]
        assert task["answer"] == old["answer"] == "accept"
        assert sorted((s["start"], s["end"], s["label"]) for s in task["spans"]) == sorted(
            (s["start"], s["end"], s["label"]) for s in old["spans"]
        )
        assert relations(task) == relations(old)
        if [(t["start"], t["end"]) for t in task["tokens"]] == [(t["start"], t["end"]) for t in old["tokens"]]:
            same_tokens += 1  # where the tokens agree, head and child (token indexes) are the original ones
            assert sorted((r["head"], r["child"], r["label"]) for r in task.get("relations", [])) == sorted(
                (r["head"], r["child"], r["label"]) for r in old["relations"]
            )
    assert same_tokens > 100


def test_raw_input_sample(database: Database, samples: Path, kit: Any) -> None:
    """Raw input tasks are documents without annotations; repeated texts are one document."""
    source = samples / RAW_SAMPLE
    assert prodigy.sniff(str(source), source.read_bytes()[: registry.SNIFF_BYTES]) is False  # plain {"text"}: jsonl
    report = kit.import_files(database, source, fmt="prodigy")
    texts = [t["text"] for t in tasks(source)]
    assert report.added == len(set(texts)) and report.skipped == len(texts) - len(set(texts))
    assert report.files[0].annotations_added == 0
    written = kit.export(database, "prodigy").lines()
    assert [t["text"] for t in written] == list(dict.fromkeys(texts))
    for task in written:  # the model's (empty) layer: an input task, no answer, no annotator
        check_task_shape(task)
        assert task["spans"] == [] and task["meta"]["source"] == "The New York Times"
        assert not {"answer", "_annotator_id", "_session_id", "_view_id"} & task.keys()


# ---------------------------------------------------------------- reading


def ner_task(text: str, spans: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"text": text, "spans": spans, "answer": "accept", **fields}


def test_rejected_and_ignored_records_are_counted_and_skipped(
    database: Database, tmp_path: Path, cli: Callable[..., Any], jsonl: Callable[..., Path]
) -> None:
    org = {"start": 0, "end": 4, "label": "ORG"}
    path = jsonl(
        tmp_path / "answers.jsonl",
        [
            ner_task("Uber fixes things.", [org]),
            ner_task("Uber breaks things.", [org], answer="reject"),
            ner_task("Uber ignores things.", [org], answer="ignore"),
            {"text": "Uber waits for an answer."},
        ],
    )
    result = cli("import", path, "--no-nlp", "--db", tmp_path / "db.sqlite3", "--format", "prodigy", "--annotator", "x")
    assert result.code == 0, result.err
    assert f"{path}: rejected or ignored records skipped: 2" in result.out_lines
    assert "imported 2 documents" in result.out
    assert read_text([{"text": "B.", "answer": "reject"}, {"text": "C.", "answer": "ignore"}]) == []
    with pytest.raises(InputError, match="'answer' must be 'accept', 'reject' or 'ignore', got 'maybe'"):
        read_text([ner_task("A.", [], answer="maybe")])


def test_annotator_comes_from_the_task_then_the_session(
    database: Database, tmp_path: Path, jsonl: Callable[..., Path], kit: Any
) -> None:
    text = "Malhotra said India stays neutral."
    person = {"start": 0, "end": 8, "label": "PERSON", "text": "Malhotra"}
    gpe = {"start": 14, "end": 19, "label": "GPE", "text": "India"}
    path = jsonl(
        tmp_path / "sessions.jsonl",
        [
            ner_task(text, [person], _session_id="news-alice"),
            ner_task(text, [gpe], _session_id="news-bob"),
            ner_task(text, [person, gpe], _annotator_id="news-carol", _session_id="2019-03-11_15-15-44"),
        ],
    )
    report = kit.import_files(database, path, fmt="prodigy")
    assert (report.added, report.files[0].annotations_added) == (1, 3)
    ((_, sets),) = annotation_sets(database).values()
    assert {a.annotator: [(e.start, e.label) for e in a.entities] for a in sets} == {
        "news-alice": [(0, "PERSON")],
        "news-bob": [(14, "GPE")],
        "news-carol": [(0, "PERSON"), (14, "GPE")],
    }
    assert {a.status for a in sets} == {Status.DONE}


def test_annotator_option_is_used_when_no_session(
    database: Database, tmp_path: Path, jsonl: Callable[..., Path], kit: Any
) -> None:
    text = "Malhotra said India stays neutral."
    claim = {"start": 14, "end": 33, "label": "CLAIM", "text": text[14:33]}
    path = jsonl(tmp_path / "nameless.jsonl", [ner_task(text, [claim], _session_id=None)])
    report = import_paths(database, [str(path)], ImportOptions(fmt="prodigy", use_nlp=False))
    assert report.files[0].error is not None and "--annotator" in report.files[0].error
    assert document_count(database) == 0
    kit.import_files(database, path, fmt="prodigy", annotator="carol")
    ((_, (aset,)),) = annotation_sets(database).values()
    assert aset.annotator == "carol" and [(c.start, c.end) for c in aset.claims] == [(14, 33)]


def test_unanswered_task_with_spans_is_a_model_layer_without_annotator(
    database: Database, tmp_path: Path, jsonl: Callable[..., Path], kit: Any
) -> None:
    text = "Malhotra said India stays neutral."
    path = jsonl(tmp_path / "input.jsonl", [{"text": text, "spans": [{"start": 14, "end": 19, "label": "GPE"}]}])
    (record,) = read_text(path.read_text(encoding="utf-8"))
    (aset,) = record.annotations
    assert aset.annotator is None and aset.status is Status.NEW
    kit.import_files(database, path, fmt="prodigy")
    ((_, (stored,)),) = annotation_sets(database).values()
    assert stored.annotator is None and [(e.start, e.end, e.label) for e in stored.entities] == [(14, 19, "GPE")]


def test_document_id_and_meta() -> None:
    text = "Malhotra said India stays neutral."
    (by_meta, by_top, by_hash, numbered) = read_text(
        [
            {"text": text, "meta": {"id": "a1", "source": "wire"}},
            {"text": text + " Two.", "id": "top", "meta": {"id": "other"}},
            {"text": text + " Three.", "meta": {"source": "wire"}},
            {"text": text + " Four.", "meta": {"id": 7}},
        ]
    )
    assert (by_meta.document.external_id, by_meta.document.meta) == ("a1", {"source": "wire"})
    assert (by_top.document.external_id, by_top.document.meta) == ("top", {"id": "other"})
    assert by_hash.document.external_id == text_sha256(text + " Three.")[:16]
    assert (numbered.document.external_id, numbered.document.meta) == ("7", {"id": 7})
    # The writer puts the id back where it came from.
    document, aset = by_top.document, AnnotationSet(annotator="a")
    assert prodigy.task_object(document, aset)["id"] == "top"
    assert prodigy.task_object(by_meta.document, aset)["meta"] == {"id": "a1", "source": "wire"}


def test_relations_resolve_by_span_or_by_last_token() -> None:
    text = "Smad activates Id1 and Id2 strongly."
    tokens = [
        {"text": t, "start": s, "end": s + len(t), "id": i}
        for i, (t, s) in enumerate(
            [("Smad", 0), ("activates", 5), ("Id1", 15), ("and", 19), ("Id2", 23), ("strongly", 27), (".", 35)]
        )
    ]
    spans = [
        {"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "GGP"},
        {"start": 15, "end": 18, "token_start": 2, "token_end": 2, "label": "GGP"},
        {"start": 23, "end": 26, "token_start": 4, "token_end": 4, "label": "GGP"},
    ]
    relations = [
        {"head": 0, "child": 2, "head_span": spans[0], "child_span": spans[1], "label": "Pos-Reg"},
        {"head": 0, "child": 4, "label": "No-rel"},  # no head_span/child_span: the spans ending at those tokens
        {  # a relation to tokens that are no labelled span
            "head": 2,
            "child": 5,
            "head_span": spans[1],
            "child_span": {"start": 27, "end": 35, "token_start": 5, "token_end": 5, "label": None},
            "label": "Manner",
        },
    ]
    (record,) = read_text(
        [{"text": text, "tokens": tokens, "spans": spans, "relations": relations, "answer": "accept"}]
    )
    (aset,) = record.annotations
    assert [(e.start, e.end) for e in aset.entities] == [(0, 4), (15, 18), (23, 26)]
    assert aset.relations == [
        Relation(Span(0, 4), Span(15, 18), "Pos-Reg"),
        Relation(Span(0, 4), Span(23, 26), "No-rel"),
        Relation(Span(15, 18), Span(27, 35), "Manner"),
    ]
    # Written back: the unlabelled end is a relation end only, not a span.
    aset.annotator = "alice"
    task = prodigy.task_object(record.document, aset)
    check_task_shape(task)
    assert [s["label"] for s in task["spans"]] == ["GGP"] * 3
    manner = next(r for r in task["relations"] if r["label"] == "Manner")
    assert manner["child_span"]["label"] is None and manner["child"] == 5
    (again,) = read_text([task])
    assert again.annotations[0].relations == aset.relations


def test_entity_source_and_overlapping_spans_survive_writing_and_reading(kit: Any) -> None:
    text = "Malhotra said India stays neutral."
    aset = AnnotationSet(
        annotator="alice",
        status=Status.DONE,
        entities=[
            Entity(0, 8, "PERSON", EntitySource.MANUAL),
            Entity(14, 19, "GPE", EntitySource.MODEL),
            Entity(14, 25, "LOC", EntitySource.IMPORT),
        ],
    )
    document = Document("d", text)
    task = prodigy.task_object(document, aset)
    check_task_shape(task)
    assert task["_view_id"] == "ner_manual" and "relations" not in task
    (record,) = read_text([task])
    (back,) = record.annotations
    assert back.annotator == aset.annotator and kit.view(record.document, back) == kit.view(document, aset)


def test_spans_tokens_must_agree_and_offsets_are_checked() -> None:
    text = "Silicon Valley needs fixing."
    tokens = [
        {"text": "Silicon", "start": 0, "end": 7, "id": 0, "ws": True},
        {"text": "Valley", "start": 8, "end": 14, "id": 1, "ws": True},
        {"text": "needs", "start": 15, "end": 20, "id": 2, "ws": True},
    ]
    good = {"start": 0, "end": 14, "token_start": 0, "token_end": 1, "label": "LOC"}
    (record,) = read_text([ner_task(text, [good], tokens=tokens)])
    assert [(e.start, e.end) for e in record.annotations[0].entities] == [(0, 14)]
    with pytest.raises(InputError, match=r"does not match its tokens 0\.\.2 \(token_end is inclusive\)"):
        read_text([ner_task(text, [{**good, "token_end": 2}], tokens=tokens)])
    with pytest.raises(InputError, match="'token_end' must be a token index from 0 to 2, got 9"):
        read_text([ner_task(text, [{**good, "token_end": 9}], tokens=tokens)])
    with pytest.raises(InputError, match="spans\\[0\\] \\[0, 14\\) has text 'Silicon Alley'"):
        read_text([ner_task(text, [{**good, "text": "Silicon Alley"}])])
    with pytest.raises(InputError, match="is out of range"):
        read_text([ner_task(text, [{**good, "end": 99}])])
    with pytest.raises(InputError, match="needs a string 'label'"):
        read_text([ner_task(text, [{"start": 0, "end": 7}])])
    with pytest.raises(InputError, match="missing 'text'"):
        read_text([{"image": "x.png", "answer": "accept"}])
    with pytest.raises(InputError, match="is empty: no Prodigy tasks"):
        read_text("\n\n")


# ---------------------------------------------------------------- offsets


def unicode_native_line() -> dict[str, Any]:
    t = UNICODE_TEXT

    def s(piece: str) -> dict[str, Any]:
        return span(piece, text=t)

    return {
        "format": "annotator/v1",
        "id": "uni",
        "text": t,
        "annotator": "alice",
        "status": "done",
        "entities": [{**s("李雷"), "label": "PERSON"}, {**s("中国"), "label": "GPE"}, {**s("café"), "label": "ORG"}],
        "speakers": [
            {"id": "s1", "name": "李雷", "kind": "group", "mentions": [s("Fans 👍🏽 of 李雷"), s("He")]},
            {"id": "s2", "name": "the owner", "kind": "person", "mentions": [s("the café owner")]},
        ],
        "claims": [
            claim(
                [s("the 👨‍👩‍👧 team won")], t, speaker={"id": "s1", "mention": s("Fans 👍🏽 of 李雷")}, cue=s("said")
            ),
            claim(
                [s("中国 will host 🇮🇳 talks\r\nnext year")],
                t,
                speaker={"id": "s1", "mention": s("He")},
                cue=s("added"),
                stance={"label": "support", "target": "🇮🇳 talks"},
            ),
            claim(
                [s("“中国 will host 🇮🇳 talks\r\nnext year”, ")], t, speaker={"id": "s2", "mention": s("the café owner")}
            ),
        ],
    }


@pytest.mark.parametrize("unit", [OffsetUnit.CODEPOINTS, OffsetUnit.UTF16, OffsetUnit.GRAPHEMES])
def test_emoji_cjk_and_crlf_offsets_round_trip(
    database: Database, fresh_database: Database, unit: OffsetUnit, kit: Any
) -> None:
    kit.import_lines(database, [unicode_native_line()])
    out = kit.export(database, "prodigy", offsets=unit).path
    (task,) = tasks(out)
    check_task_shape(task, unit)
    assert any(t["text"] == "\r\n" for t in task["tokens"])  # a line break is a token, as spaCy makes it
    assert any(t["text"] == "👨‍👩‍👧" for t in task["tokens"])  # an emoji sequence is not cut apart
    report = kit.import_files(fresh_database, out, fmt="prodigy")
    if unit == OffsetUnit.CODEPOINTS:
        assert report.files[0].notes == []
    else:
        assert report.files[0].notes == [
            f"offsets counted in {describe_unit(unit)} (detected) were converted to code points"
        ]
    assert kit.snapshot(fresh_database) == kit.snapshot(database)


def test_offsets_from_a_javascript_tool_are_detected_or_declared(
    database: Database, tmp_path: Path, cli: Callable[..., Any], jsonl: Callable[..., Path]
) -> None:
    text = "Fans 👍🏽 said 🇮🇳 India won."
    start = text.index("India")
    js_span = {"start": utf16(text, start), "end": utf16(text, start + 5), "label": "GPE"}
    assert js_span["start"] != start
    with_text = jsonl(tmp_path / "js.jsonl", [ner_task(text, [{**js_span, "text": "India"}], _session_id="d-a")])
    db_path = tmp_path / "db.sqlite3"
    result = cli("import", with_text, "--no-nlp", "--db", db_path, "--format", "prodigy")
    assert result.code == 0, result.err
    assert f"{with_text}: offsets counted in UTF-16 code units (detected) were converted to code points" in result.out
    # Without span texts nothing tells the units apart: --offsets utf16 says it.
    bare = jsonl(tmp_path / "bare.jsonl", [ner_task(text + " Again.", [js_span], _session_id="d-a")])
    result = cli("import", bare, "--no-nlp", "--db", db_path, "--format", "prodigy", "--offsets", "utf16")
    assert result.code == 0, result.err
    entities = {
        doc.text: [(e.start, e.end) for e in sets[0].entities] for doc, sets in annotation_sets(database).values()
    }
    assert entities == {text: [(start, start + 5)], text + " Again.": [(start, start + 5)]}


# ---------------------------------------------------------------- bad input


BAD_LINES = {
    "invalid JSON": ('{"text": "Uber fixes.", "answer": "accept"', "invalid JSON"),
    "span text": (
        {"text": "Uber fixes.", "spans": [{"start": 0, "end": 4, "label": "ORG", "text": "Ubex"}], "answer": "accept"},
        "spans[0] [0, 4) has text 'Ubex' but the document has 'Uber' there",
    ),
    "token_end": (
        {
            "text": "Uber fixes.",
            "tokens": [
                {"text": "Uber", "start": 0, "end": 4, "id": 0},
                {"text": "fixes", "start": 5, "end": 10, "id": 1},
            ],
            "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 1, "label": "ORG"}],
            "answer": "accept",
        },
        "does not match its tokens 0..1",
    ),
    "relation to a missing span": (
        {
            "text": "Uber fixes Lyft.",
            "spans": [{"start": 0, "end": 4, "label": "ORG"}],
            "relations": [
                {
                    "head": 0,
                    "child": 2,
                    "head_span": {"start": 0, "end": 4, "label": "ORG"},
                    "child_span": {"start": 11, "end": 15, "label": "ORG"},
                    "label": "FIXES",
                }
            ],
            "answer": "accept",
        },
        "relations[0] child_span [11, 15) ORG is not one of the task's spans",
    ),
    "non-list spans": (
        {"text": "Uber fixes.", "spans": {"start": 0, "end": 4, "label": "ORG"}, "answer": "accept"},
        "'spans' must be a list, got dict",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_bad_input_names_file_and_line_and_imports_nothing(
    database: Database, db_path: Path, tmp_path: Path, cli: Callable[..., Any], case: str
) -> None:
    bad, problem = BAD_LINES[case]
    good = json.dumps(ner_task("Uber is fine.", [{"start": 0, "end": 4, "label": "ORG"}], _session_id="d-a"))
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + (bad if isinstance(bad, str) else json.dumps(bad)) + "\n", encoding="utf-8")
    result = cli("import", path, "--no-nlp", "--db", db_path, "--format", "prodigy")
    assert result.code == 1
    errors = [line for line in result.err_lines if line.startswith("annotator: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"annotator: error: {path}:2: ") and problem in errors[0]
    assert document_count(database) == 0


# ---------------------------------------------------------------- command line and sniffing


def test_cli_import_and_export(
    database: Database, db_path: Path, tmp_path: Path, cli: Callable[..., Any], jsonl: Callable[..., Path]
) -> None:
    native = jsonl(tmp_path / "native.jsonl", native_lines())
    assert cli("import", native, "--no-nlp", "--db", db_path).code == 0
    out = tmp_path / "out.jsonl"
    result = cli("export", "-o", out, "--format", "prodigy", "--db", db_path)
    assert result.code == 0
    assert all(line.startswith("annotator: warning: Prodigy JSONL cannot carry") for line in result.err_lines)
    assert result.out_lines == [f"wrote 3 annotation sets (2 documents) as prodigy to {out}"]
    other = tmp_path / "other.sqlite3"
    result = cli("import", out, "--no-nlp", "--db", other)  # --format auto
    assert result.code == 0, result.err
    assert result.out_lines[0] == f"{out}: read as prodigy"
    result = cli("import", out, "--no-nlp", "--db", tmp_path / "third.sqlite3", "--format", "prodigy")
    assert result.code == 0 and "read as" not in result.out
    assert "added 2 annotation sets" in result.out


def test_sniff(samples: Path) -> None:
    for name in (NER_SAMPLE, REL_SAMPLE):
        head = (samples / name).read_bytes()[: registry.SNIFF_BYTES]
        assert prodigy.sniff(name, head) is True
        assert registry.sniff(name, head) == "prodigy"

    def lines(*objects: Any) -> bytes:
        return b"".join(json.dumps(obj).encode() + b"\n" for obj in objects)

    text = "Uber fixes."
    assert prodigy.sniff("a.jsonl", lines({"text": text, "_input_hash": 1, "_task_hash": 2}))
    assert prodigy.sniff("a.jsonl", lines({"text": text}, {"text": text, "answer": "accept"}))
    assert prodigy.sniff("a.jsonl", lines({"text": text, "spans": [{"start": 0, "end": 4, "token_start": 0}]}))
    assert prodigy.sniff("a.jsonl", lines({"text": text, "tokens": [{"text": "Uber", "ws": True}]}))
    # Native lines (even with an "answer" in meta), doccano lines and raw input are not Prodigy's.
    native = {"format": "annotator/v1", "text": text, "meta": {"answer": "accept", "_view_id": "x"}}
    assert not prodigy.sniff("a.jsonl", lines(native, {"text": text, "answer": "accept"}))
    assert not prodigy.sniff("a.jsonl", lines({"text": text, "label": [[0, 4, "ORG"]]}))
    doccano = {"id": 1, "text": text, "entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 4}]}
    assert not prodigy.sniff("a.jsonl", lines({**doccano, "relations": [{"id": 1, "from_id": 1, "to_id": 1}]}))
    assert not prodigy.sniff("a.jsonl", lines({"text": text, "meta": {"source": "x"}}))
    assert not prodigy.sniff("a.json", b'[{"text": "Uber fixes.", "answer": "accept"}]')
    # A first line longer than the head: judged by its keys.
    long_text = "word " * 20_000
    head = lines({"text": long_text, "_input_hash": 1})[: registry.SNIFF_BYTES]
    assert prodigy.sniff("a.jsonl", head[:1000] + b'"_view_id": "ner_manual"')
    assert not prodigy.sniff("a.jsonl", lines({"format": "annotator/v1", "text": long_text})[: registry.SNIFF_BYTES])


# ---------------------------------------------------------------- tokens


def test_tokens_split_at_every_span_edge_and_carry_ws() -> None:
    text = "Smad-phosphorylation rose  in Uber’s U.S. unit,\n\nMr. Li said. "
    edges = [Span(0, 2), Span(30, 37), Span(21, 26)]  # inside a word; "Uber’s " with its space; "rose "
    tokens = prodigy.tokenize(text, edges)
    words = [t.text_in(text) for t in tokens]
    assert words[:8] == ["Sm", "ad", "-", "phosphorylation", "rose", " ", " ", "in"]
    assert words[8:] == ["Uber", "’s", " ", "U.S.", "unit", ",", "\n\n", "Mr.", "Li", "said", "."]
    for edge in edges:
        assert edge.start in {t.start for t in tokens} and edge.end in {t.end for t in tokens}
    task = prodigy.task_object(Document("d", text), AnnotationSet(annotator="a"))
    check_task_shape(task)
    plain = [t["text"] for t in task["tokens"]]
    assert plain[:6] == ["Smad", "-", "phosphorylation", "rose", " ", "in"]  # one space is a ws, two are a token
    assert plain[-2:] == ["said", "."] and task["tokens"][-1]["ws"] is True


def test_write_counts_losses_per_set() -> None:
    losses = ExportLosses("Prodigy JSONL")
    sink = io.StringIO()
    document = Document("d", "Uber fixes.")
    prodigy.write(
        [(document, AnnotationSet(annotator="a", status=Status.NEW, note="n")), (document, AnnotationSet())],
        sink,
        WriteOptions(losses=losses),
    )
    assert len(sink.getvalue().splitlines()) == 2
    assert dict(losses.counts) == {
        "statuses other than done (every annotator's task is written as answer 'accept')": 1,
        "document notes": 1,
    }
