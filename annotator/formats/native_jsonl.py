"""The native JSONL format (``annotator/v1``, shared/FORMAT.md), read and written.

Reading accepts bare lines (``{"text": ..., "id"?: ..., "meta"?: {...}}``)
and full ``annotator/v1`` lines. Every span is checked against the text;
nothing is repaired.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any, BinaryIO, TextIO, TypeVar

from annotator.domain.errors import InputError
from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Entity,
    EntitySource,
    Relation,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
    text_sha256,
)
from annotator.domain.spans import claim_extent, validate_span
from annotator.formats.interchange import ExportItem, ReadOptions, WriteOptions
from annotator.formats.jsonio import (
    iso_timestamp,
    json_object,
    list_field,
    load_object,
    optional_str,
    read_json_lines,
    require_keys,
)
from annotator.formats.records import Record
from annotator.formats.textio import check_text

FORMAT_ID = "annotator/v1"
SUFFIXES = (".jsonl", ".ndjson")
_E = TypeVar("_E", Status, SpeakerKind, EntitySource)
_ENTITY_SOURCES = {source.value: source for source in EntitySource}


def read_jsonl(lines: Iterable[bytes], path: str) -> Iterator[Record]:
    """Yield one :class:`Record` per non-blank line of a JSONL file; raise on the first bad line."""
    return read_json_lines(lines, path, parse_line, "JSON lines")


def parse_line(line: str) -> Record:
    """Parse one JSONL line into a :class:`Record` (no location; the caller adds it)."""
    data = load_object(line)
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError("missing 'text'" if text is None else f"'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError("'text' is empty")
    check_text(text, "'text'")
    declared_hash = data.get("text_sha256")
    if declared_hash is not None and declared_hash != text_sha256(text):
        raise InputError("'text_sha256' does not match 'text' (the text changed under its annotations)")
    external_id = data.get("id")
    if external_id is None:
        external_id = text_sha256(text)[:16]
    elif not isinstance(external_id, str) or not external_id.strip():
        raise InputError(f"'id' must be a non-empty string, got {external_id!r}")
    meta = data.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(f"'meta' must be an object, got {type(meta).__name__}")
    document = Document(external_id=external_id, text=text, meta=meta)
    record = Record(document)
    fmt = data.get("format")
    if fmt is not None and fmt != FORMAT_ID:
        raise InputError(f"unknown 'format' {fmt!r}; this program reads {FORMAT_ID!r}")
    if fmt == FORMAT_ID or any(
        key in data for key in ("entities", "speakers", "claims", "relations", "annotator", "status")
    ):
        record.annotations.append(_parse_annotations(data, text))
    return record


def _parse_annotations(data: dict[str, Any], text: str) -> AnnotationSet:
    annotator = data.get("annotator")
    if annotator is not None and (not isinstance(annotator, str) or not annotator.strip()):
        raise InputError(f"'annotator' must be a non-empty string or null, got {annotator!r}")
    status = _enum(Status, data.get("status", "new"), "status")
    note = optional_str(data.get("note"), "note")
    updated_at = iso_timestamp(data.get("updated_at"))
    aset = AnnotationSet(annotator=annotator, status=status, note=note, updated_at=updated_at)
    aset.entities = [_parse_entity(item, text, index) for index, item in enumerate(list_field(data, "entities"))]
    speakers_by_key: dict[str, Speaker] = {}
    for index, item in enumerate(list_field(data, "speakers")):
        key, speaker = _parse_speaker(item, text, index)
        if key in speakers_by_key:
            raise InputError(f"speakers[{index}] repeats speaker id {key!r}")
        speakers_by_key[key] = speaker
        aset.speakers.append(speaker)
    aset.claims = [
        _parse_claim(item, text, index, speakers_by_key) for index, item in enumerate(list_field(data, "claims"))
    ]
    aset.relations = [_parse_relation(item, text, index) for index, item in enumerate(list_field(data, "relations"))]
    return aset


def _parse_relation(item: object, text: str, index: int) -> Relation:
    """A relation kept from another tool: ``{"head": span, "child": span, "label": str}``."""
    obj = json_object(item, f"relations[{index}]")
    label = obj.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"relations[{index}] needs a non-empty string 'label', got {label!r}")
    head = _span(json_object(obj.get("head"), f"relations[{index}].head"), text, f"relations[{index}].head")
    child = _span(json_object(obj.get("child"), f"relations[{index}].child"), text, f"relations[{index}].child")
    return Relation(head, child, label)


def _parse_entity(item: object, text: str, index: int) -> Entity:
    if isinstance(item, dict):  # fast path for a valid entity; anything else takes the checks below
        start, end, label, source = item.get("start"), item.get("end"), item.get("label"), item.get("source", "import")
        expected = item.get("text")
        if (
            type(start) is int
            and type(end) is int
            and 0 <= start < end <= len(text)
            and type(label) is str
            and label.strip()
            and type(source) is str
            and source in _ENTITY_SOURCES
            and (expected is None or text[start:end] == expected)
        ):
            return Entity(start, end, label, _ENTITY_SOURCES[source])
    what = f"entities[{index}]"
    obj = json_object(item, what)
    span = _span(obj, text, what)
    label = obj.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"{what} needs a string 'label', got {label!r}")
    source = _enum(EntitySource, obj.get("source", "import"), f"{what} source")
    return Entity(span.start, span.end, label, source)


def _parse_speaker(item: object, text: str, index: int) -> tuple[str, Speaker]:
    what = f"speakers[{index}]"
    obj = json_object(item, what)
    key = obj.get("id", f"#{index}")
    if not isinstance(key, str):
        raise InputError(f"{what} 'id' must be a string, got {key!r}")
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{what} needs a string 'name', got {name!r}")
    kind = _enum(SpeakerKind, obj.get("kind", "person"), f"{what} kind")
    entity_label = optional_str(obj.get("entity_label"), f"{what} entity_label")
    mentions = sorted(
        {
            _span(json_object(m, f"{what}.mentions[{i}]"), text, f"{what}.mentions[{i}]")
            for i, m in enumerate(list_field(obj, "mentions"))
        }
    )
    return key, Speaker(name=name, kind=kind, entity_label=entity_label, mentions=mentions)


def _parse_claim(item: object, text: str, index: int, speakers: dict[str, Speaker]) -> Claim:
    what = f"claims[{index}]"
    obj = json_object(item, what)
    span = _span(obj, text, what)
    parts = None
    if obj.get("parts") is not None:
        raw_parts = obj["parts"]
        if not isinstance(raw_parts, list) or len(raw_parts) < 2:
            raise InputError(f"{what} 'parts' must be a list of two or more spans")
        parts = [
            _span(json_object(p, f"{what}.parts[{i}]"), text, f"{what}.parts[{i}]") for i, p in enumerate(raw_parts)
        ]
        for before, after in pairwise(parts):
            if after.start < before.end:
                raise InputError(f"{what} parts must be in text order and must not overlap")
        if claim_extent(parts) != span:
            raise InputError(f"{what} start/end must run from the first part's start to the last part's end")
    claim = Claim(span.start, span.end, parts=parts)
    speaker_ref = obj.get("speaker")
    if speaker_ref is not None:
        ref = json_object(speaker_ref, f"{what}.speaker")
        key = ref.get("id")
        if key not in speakers:
            raise InputError(f"{what} refers to speaker {key!r}, which is not in 'speakers'")
        claim.speaker = speakers[key]
        if ref.get("mention") is not None:
            mention = _span(json_object(ref["mention"], f"{what}.speaker.mention"), text, f"{what}.speaker.mention")
            claim.mention = mention
            if mention not in claim.speaker.mentions:
                claim.speaker.mentions.append(mention)
                claim.speaker.mentions.sort()
    if obj.get("cue") is not None:
        claim.cue = _span(json_object(obj["cue"], f"{what}.cue"), text, f"{what}.cue")
    if obj.get("stance") is not None:
        stance = json_object(obj["stance"], f"{what}.stance")
        claim.stance = Stance(
            optional_str(stance.get("label"), f"{what}.stance label"),
            optional_str(stance.get("target"), f"{what}.stance target"),
        )
    claim.note = optional_str(obj.get("note"), f"{what} note")
    claim.created_at = iso_timestamp(obj.get("created_at"))
    claim.updated_at = iso_timestamp(obj.get("updated_at"))
    return claim


def _span(obj: dict[str, Any], text: str, what: str) -> Span:
    require_keys(obj, what, "start", "end")
    return validate_span(text, obj["start"], obj["end"], obj.get("text"), what)


def _enum(enum: type[_E], value: object, what: str) -> _E:
    try:
        return enum(value)  # type: ignore[arg-type]  # anything not a member raises ValueError
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InputError(f"{what} {value!r} is not one of: {allowed}") from None


# ---------------------------------------------------------------- writing


def span_json(span: Span, text: str) -> dict[str, Any]:
    """A span object with its text, as FORMAT.md writes every span."""
    return {"start": span.start, "end": span.end, "text": text[span.start : span.end]}


def line_object(document: Document, aset: AnnotationSet) -> dict[str, Any]:
    """The ``annotator/v1`` object for one (document, annotator) pair."""
    text = document.text
    speaker_keys = {id(speaker): f"s{index}" for index, speaker in enumerate(aset.speakers, start=1)}
    return {
        "format": FORMAT_ID,
        "id": document.external_id,
        "text": text,
        "text_sha256": document.sha256,
        "meta": document.meta,
        "annotator": aset.annotator,
        "status": aset.status.value,
        "updated_at": aset.updated_at.isoformat() if aset.updated_at else None,
        "entities": [  # span_json's keys, spelt out: this loop is most of an export's formatting
            {
                "id": f"e{index}",
                "start": entity.start,
                "end": entity.end,
                "text": text[entity.start : entity.end],
                "label": entity.label,
                "source": entity.source.value,
            }
            for index, entity in enumerate(aset.entities, start=1)
        ],
        "speakers": [
            {
                "id": speaker_keys[id(speaker)],
                "name": speaker.name,
                "kind": speaker.kind.value,
                "entity_label": speaker.entity_label,
                "mentions": [span_json(mention, text) for mention in speaker.mentions],
            }
            for speaker in aset.speakers
        ],
        "claims": [_claim_json(claim, text, speaker_keys, index) for index, claim in enumerate(aset.claims, start=1)],
        **_relations_json(aset, text),
        "note": aset.note,
    }


def _relations_json(aset: AnnotationSet, text: str) -> dict[str, Any]:
    """``relations`` (other tools' links, kept for round trips), only when there are any."""
    if not aset.relations:
        return {}
    return {
        "relations": [
            {"head": span_json(r.head, text), "child": span_json(r.child, text), "label": r.label}
            for r in aset.relations
        ]
    }


def _claim_json(claim: Claim, text: str, speaker_keys: dict[int, str], index: int) -> dict[str, Any]:
    result: dict[str, Any] = {"id": f"c{index}", **span_json(claim.span, text)}
    if claim.parts:
        result["parts"] = [span_json(part, text) for part in claim.parts]
    result["speaker"] = (
        {
            "id": speaker_keys[id(claim.speaker)],
            "mention": span_json(claim.mention, text) if claim.mention else None,
        }
        if claim.speaker is not None
        else None
    )
    result["cue"] = span_json(claim.cue, text) if claim.cue else None
    result["stance"] = (
        {"label": claim.stance.label, "target": claim.stance.target}
        if claim.stance is not None and not claim.stance.is_empty
        else None
    )
    result["note"] = claim.note
    return result


def format_line(document: Document, aset: AnnotationSet) -> str:
    """One line of the native format, with its trailing newline."""
    return json.dumps(line_object(document, aset), ensure_ascii=False) + "\n"


def read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]:
    """The registry's reader: native lines, offsets in code points as FORMAT.md requires."""
    del options  # the native format always counts code points; spans are checked by parse_line
    return read_jsonl(stream, path)


def write(pairs: Iterable[ExportItem], sink: TextIO, options: WriteOptions) -> None:
    """The registry's writer: one line per (document, annotator); the native format carries everything."""
    del options
    for document, aset in pairs:
        sink.write(format_line(document, aset))


def sniff(path: str, head: bytes) -> bool:
    """True for a ``.jsonl`` name or a first line that is an ``annotator/v1`` or bare ``{"text": ...}`` object."""
    del path
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    return first.startswith(b"{") and (b'"annotator/v1"' in first or b'"text"' in first)
