"""doccano's JSONL (sequence labelling and relation extraction), read and written.

doccano exports one JSON object per example line: ``{"id", "text", "label": [[start, end, "LABEL"], ...]}``
for sequence labelling, ``{"id", "text", "entities": [{"id", "label", "start_offset", "end_offset"}],
"relations": [{"id", "from_id", "to_id", "type"}]}`` with relation labelling on, and the example's
metadata as further top-level keys (``"Comments"`` and whatever columns the import had). Older releases
wrote ``"labels"`` and a ``"meta"`` object, and 1.0 wrote per-user ``"annotations"`` with ``"user"``; its
import dialog lets the text and label columns be renamed; its example files also come pretty-printed (one
JSON object or array over many lines). All of these are read; unknown keys become the document's ``meta``.

Claims, speakers and cues use the layout every span-and-relation format shares
(:mod:`annotator.formats.claim_layout`). doccano spans have no attributes, so what the layout attaches
to a span (a claim's stance, target and note; a speaker's name, kind and entity label) is written in
one extra key, ``annotator_attrs``, with the line's status, note, timestamp and offset unit. doccano keeps
unknown keys of an imported line as the example's metadata and writes them back on export, so the
attributes survive a trip through doccano; they are matched to spans by offsets and label.

Writing always uses the relation-extraction shape (``entities`` + ``relations``), the only one that can
hold split claims, speakers and cues. doccano's browser counts offsets in UTF-16 code units, so an
export for doccano should be written with ``--offsets utf16``; the unit is recorded in
``annotator_attrs`` and detected from it on import.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain
from typing import Any, BinaryIO, TextIO

from annotator.domain.errors import InputError
from annotator.domain.model import AnnotationSet, Document, EntitySource, Span, Status, text_sha256
from annotator.formats.claim_layout import (
    SPAN_ATTRS,
    LabelledSpan,
    Link,
    flatten,
    rebuild,
    unplaced_claim_speakers,
    unplaced_speakers,
)
from annotator.formats.interchange import LOSS_ENTITY_SOURCES, ExportItem, ExportLosses, ReadOptions, WriteOptions
from annotator.formats.jsonio import (
    decode_line,
    json_list,
    json_object,
    json_type,
    json_values,
    load_json,
    optional_str,
    read_json_lines,
    require_keys,
    text_field,
)
from annotator.formats.offsets import OffsetUnit, SpanWriter
from annotator.formats.records import Record
from annotator.formats.textio import check_text, decode_utf8

ATTRS_KEY = "annotator_attrs"
"""The extra key that carries what doccano spans cannot: span attributes, status, note, offset unit."""
ANNOTATOR_KEY = "annotator"
ID_PREFIX = "doccano-"
"""A numeric doccano example id becomes the external id ``doccano-<id>``."""
USER_PREFIX = "doccano-user-"
"""A numeric doccano user id (1.0 ``annotations``) becomes the annotator ``doccano-user-<id>``."""
RESERVED_KEYS = frozenset(
    {"id", "text", "entities", "relations", "label", "labels", "annotations", "meta", ANNOTATOR_KEY, ATTRS_KEY}
)
"""Top-level keys this module reads itself; document metadata of these names cannot be written."""
_CONCRETE_UNITS = {unit.value: unit for unit in OffsetUnit if unit != OffsetUnit.AUTO}
_TRIPLES = re.compile(rb'"[^"\\]{1,64}"\s*:\s*\[\s*\[\s*\d+\s*,\s*\d+\s*,\s*"')


# ---------------------------------------------------------------- reading


def read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]:
    """Yield one :class:`Record` per doccano example: JSONL, or one pretty-printed JSON object or array."""
    consumed: list[bytes] = []
    lines = iter(stream)
    for raw in lines:
        consumed.append(raw)
        line = decode_line(raw, path, len(consumed))
        if not line.strip():
            continue
        try:
            first = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            first = None
        if isinstance(first, dict):  # JSON lines: one example a line
            yield from read_json_lines(
                chain(consumed, lines), path, lambda text: parse_example(load_json(text), options), "doccano examples"
            )
        else:  # a JSON array, or an object over many lines: parse the whole file
            consumed.extend(lines)
            for value, line_number in json_values(decode_utf8(b"".join(consumed), path), path):
                yield _located(value, path, line_number, options)
        return
    raise InputError("is empty: no doccano examples to import", path)


def _located(data: object, path: str, line: int, options: ReadOptions) -> Record:
    try:
        record = parse_example(data, options)
    except InputError as error:
        raise error.located(path, line) from None
    record.line = line
    return record


class _Attrs:
    """What one line's ``annotator_attrs`` says."""

    def __init__(self) -> None:
        self.status: Status | None = None
        self.note: str | None = None
        self.updated_at: datetime | None = None
        self.unit: OffsetUnit | None = None
        self.spans: dict[tuple[object, object, str], deque[dict[str, str]]] = defaultdict(deque)

    def take(self, start: object, end: object, label: str) -> dict[str, str]:
        """The attributes written for the span ``[start, end)`` labelled ``label`` (in the file's unit), if any."""
        waiting = self.spans.get((start, end, label))
        return waiting.popleft() if waiting else {}

    def left(self) -> int:
        """How many span attributes matched no span."""
        return sum(len(waiting) for waiting in self.spans.values())


def parse_example(data: object, options: ReadOptions) -> Record:
    """One doccano example (a decoded JSON value) as a :class:`Record`; no location (the caller adds it)."""
    if not isinstance(data, dict):
        raise InputError(f"each doccano example must be a JSON object, got {json_type(data)}")
    text_key = text_field(
        data,
        others=RESERVED_KEYS,
        name=repr,
        missing="missing 'text'{hint}; a doccano example needs its text in 'text'",
    )
    text: str = data[text_key]
    if text_key != "text":
        options.note(f"text read from the column {text_key!r}")
    used = {text_key, "id"}
    document = Document(external_id=_external_id(data.get("id"), text), text=text)
    if isinstance(data.get("meta"), dict):
        document.meta.update(data["meta"])
        used.add("meta")
    annotator = data.get(ANNOTATOR_KEY)
    if annotator is not None and (not isinstance(annotator, str) or not annotator.strip()):
        raise InputError(f"'{ANNOTATOR_KEY}' must be a non-empty string or null, got {annotator!r}")
    used.add(ANNOTATOR_KEY)
    attrs = _parse_attrs(data.get(ATTRS_KEY), options)
    used.add(ATTRS_KEY)
    record = Record(document)

    spans: list[LabelledSpan] = []
    label_key = _label_key(data)
    if label_key is not None:
        used.add(label_key)
        if label_key not in ("label", "labels"):
            options.note(f"spans read from the column {label_key!r}")
        spans.extend(_label_spans(data[label_key], label_key, text, attrs, options))
    entity_spans, keys = _entities(data.get("entities"), text, attrs, options)
    spans.extend(entity_spans)
    links = _relations(data.get("relations"), keys)
    used.update(("entities", "relations"))
    if attrs.left():
        options.note("span attributes in 'annotator_attrs' that match no span were skipped", attrs.left())
    if label_key is not None or any(k in data for k in ("entities", "relations", ANNOTATOR_KEY, ATTRS_KEY)):
        aset = rebuild(spans, links, annotator, text)
        aset.status = attrs.status or Status.NEW
        aset.note = attrs.note
        aset.updated_at = attrs.updated_at
        record.annotations.append(aset)
    if _is_user_annotations(data.get("annotations")):
        used.add("annotations")
        record.annotations.extend(_user_annotations(data["annotations"], text, options))
    for key, value in data.items():
        if key not in used:
            document.meta[key] = value
    return record


def _external_id(raw: object, text: str) -> str:
    if raw is None:
        return text_sha256(text)[:16]
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise InputError(f"'id' must be a string or an integer, got {raw!r}")
    if isinstance(raw, int):
        return f"{ID_PREFIX}{raw}"
    if not raw.strip():
        raise InputError("'id' is an empty string")
    return raw


def _parse_attrs(raw: object, options: ReadOptions) -> _Attrs:
    attrs = _Attrs()
    if raw is None:
        return attrs
    raw = json_object(raw, f"'{ATTRS_KEY}'")
    unit = raw.get("offsets")
    if unit is not None:
        if unit not in _CONCRETE_UNITS:
            raise InputError(f"'{ATTRS_KEY}' offsets {unit!r} is not one of: {', '.join(_CONCRETE_UNITS)}")
        attrs.unit = _CONCRETE_UNITS[unit]
        reader = options.spans
        if reader.declared not in (OffsetUnit.AUTO, attrs.unit):
            raise InputError(
                f"'{ATTRS_KEY}' says offsets count {unit}, but the import was told {reader.declared.value}; "
                "import with --offsets auto"
            )
        if reader.declared == OffsetUnit.AUTO:
            if reader.detected is None:
                reader.detected = attrs.unit
            elif reader.detected != attrs.unit:
                raise InputError(
                    f"'{ATTRS_KEY}' says offsets count {unit}, but earlier lines count {reader.detected.value}"
                )
    status = raw.get("status")
    if status is not None:
        try:
            attrs.status = Status(status)
        except ValueError:
            raise InputError(
                f"'{ATTRS_KEY}' status {status!r} is not one of: {', '.join(s.value for s in Status)}"
            ) from None
    attrs.note = optional_str(raw.get("note"), f"'{ATTRS_KEY}' note")
    updated = optional_str(raw.get("updated_at"), f"'{ATTRS_KEY}' updated_at")
    if updated is not None:
        try:
            attrs.updated_at = datetime.fromisoformat(updated)
        except ValueError:
            raise InputError(f"'{ATTRS_KEY}' updated_at {updated!r} is not an ISO 8601 timestamp") from None
    items = raw.get("spans") or []
    if not isinstance(items, list):
        raise InputError(f"'{ATTRS_KEY}' spans must be a list, got {json_type(items)}")
    for index, item in enumerate(items):
        what = f"'{ATTRS_KEY}' spans[{index}]"
        item = json_object(item, what)
        label = item.get("label")
        if not isinstance(label, str):
            raise InputError(f"{what} needs a string 'label', got {label!r}")
        for name in ("start_offset", "end_offset"):
            if isinstance(item.get(name), bool) or not isinstance(item.get(name), int):
                raise InputError(f"{what} '{name}' must be an integer, got {item.get(name)!r}")
        values: dict[str, str] = {}
        allowed = SPAN_ATTRS.get(label, ())
        for name, value in item.items():
            if name in ("start_offset", "end_offset", "label"):
                continue
            if name not in allowed:
                options.note(f"span attributes in '{ATTRS_KEY}' that a {label} span cannot have skipped ({name})")
                continue
            if not isinstance(value, str):
                raise InputError(f"{what} {name!r} must be a string, got {value!r}")
            check_text(value, f"{what} {name!r}")
            values[name] = value
        attrs.spans[(item.get("start_offset"), item.get("end_offset"), label)].append(values)
    return attrs


def _looks_like_spans(key: str, value: object) -> bool:
    if not isinstance(value, list):
        return False
    if key in ("label", "labels"):  # doccano's own names: anything list-shaped is read (and checked) as spans
        return not value or any(isinstance(item, list) for item in value)
    return bool(value) and all(
        isinstance(item, list) and len(item) == 3 and isinstance(item[0], int) and isinstance(item[2], str)
        for item in value
    )


def _label_key(data: dict[str, Any]) -> str | None:
    for key in ("label", "labels"):
        if key in data and _looks_like_spans(key, data[key]):
            return key
    found = [k for k, v in data.items() if k not in RESERVED_KEYS and _looks_like_spans(k, v)]
    return found[0] if len(found) == 1 else None


def _label_spans(items: list[Any], key: str, text: str, attrs: _Attrs, options: ReadOptions) -> list[LabelledSpan]:
    spans = []
    for index, item in enumerate(items):
        what = f"{key}[{index}]"
        if not isinstance(item, list) or len(item) != 3:
            raise InputError(f"{what} must be a list [start, end, label], got {item!r}")
        start, end, label = item
        label = _label(label, what)
        span = _span(text, start, end, what, options)
        spans.append(LabelledSpan(f"l{index}", span, label, attrs.take(start, end, label)))
    return spans


def _entities(
    items: object, text: str, attrs: _Attrs, options: ReadOptions
) -> tuple[list[LabelledSpan], dict[str, str]]:
    """The spans of ``entities``, and the span key of each entity id."""
    spans: list[LabelledSpan] = []
    keys: dict[str, str] = {}
    for index, item in enumerate(json_list(items, "entities")):
        what = f"entities[{index}]"
        item = json_object(item, what)
        label = _label(item.get("label"), what)
        require_keys(item, what, "start_offset", "end_offset")
        start, end = item["start_offset"], item["end_offset"]
        span = _span(text, start, end, what, options)
        key = f"e{index}"
        raw_id = item.get("id")
        if raw_id is not None:
            if isinstance(raw_id, bool) or not isinstance(raw_id, int | str):
                raise InputError(f"{what} 'id' must be an integer or a string, got {raw_id!r}")
            if str(raw_id) in keys:
                raise InputError(f"{what} repeats the entity id {raw_id!r}")
            keys[str(raw_id)] = key
        spans.append(LabelledSpan(key, span, label, attrs.take(start, end, label)))
    return spans, keys


def _relations(items: object, keys: dict[str, str]) -> list[Link]:
    links = []
    for index, item in enumerate(json_list(items, "relations")):
        what = f"relations[{index}]"
        item = json_object(item, what)
        ends = []
        for name in ("from_id", "to_id"):
            value = item.get(name)
            if value is None or isinstance(value, bool) or str(value) not in keys:
                raise InputError(f"{what} {name} {value!r} is not the id of an entity of this example")
            ends.append(keys[str(value)])
        label = item.get("type")
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{what} needs a string 'type', got {label!r}")
        links.append(Link(ends[0], ends[1], label))
    return links


def _is_user_annotations(value: object) -> bool:
    """True for doccano 1.0's per-user span list (``[{"start_offset", "end_offset", "label", "user"}]``)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "start_offset" in item for item in value)
    )


def _user_annotations(items: list[dict[str, Any]], text: str, options: ReadOptions) -> list[AnnotationSet]:
    by_user: dict[str | None, list[LabelledSpan]] = {}
    for index, item in enumerate(items):
        what = f"annotations[{index}]"
        label = item.get("label")
        if isinstance(label, int) and not isinstance(label, bool):
            raise InputError(
                f"{what} label is doccano's label id {label}, not a name; export from doccano with label names"
            )
        label = _label(label, what)
        span = _span(text, item.get("start_offset"), item.get("end_offset"), what, options)
        user = item.get("user")
        if user is not None and (isinstance(user, bool) or not isinstance(user, int | str)):
            raise InputError(f"{what} 'user' must be an integer or a string, got {user!r}")
        name = f"{USER_PREFIX}{user}" if isinstance(user, int) else user
        by_user.setdefault(name, []).append(LabelledSpan(f"a{index}", span, label))
    sets = []
    for name, spans in by_user.items():
        aset = rebuild(spans, [], name, text)
        sets.append(aset)
    return sets


def _span(text: str, start: object, end: object, what: str, options: ReadOptions) -> Span:
    try:
        return options.spans.span(text, start, end, None, what)
    except InputError as error:
        reader = options.spans
        if reader.declared == OffsetUnit.AUTO and reader.detected is None and any(ord(c) > 0xFFFF for c in text):
            raise InputError(
                f"{error.problem}; doccano counts UTF-16 code units in texts with emoji: import with --offsets utf16"
            ) from None
        raise


def _label(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} needs a string label, got {value!r}")
    check_text(value, f"{what} label")
    return value


# ---------------------------------------------------------------- writing


def example_object(document: Document, aset: AnnotationSet, writer: SpanWriter, losses: ExportLosses) -> dict[str, Any]:
    """The doccano relation-extraction line for one (document, annotator) pair; tallies what it cannot carry."""
    text = document.text
    layout = flatten(aset)
    ids = {item.key: index for index, item in enumerate(layout.spans)}
    entities: list[dict[str, Any]] = []
    span_attrs: list[dict[str, Any]] = []
    for item in layout.spans:
        start, end = writer.offsets(text, item.span)
        entities.append({"id": ids[item.key], "label": item.label, "start_offset": start, "end_offset": end})
        if item.attrs:
            span_attrs.append({"start_offset": start, "end_offset": end, "label": item.label, **item.attrs})
    line: dict[str, Any] = {"id": document.external_id, "text": text}
    for key, value in document.meta.items():
        if key in RESERVED_KEYS and not (key in ("label", "labels") and not _looks_like_spans(key, value)):
            losses.lose(f"document metadata fields named like doccano's own keys ({key})")
        else:
            line[key] = value
    line["entities"] = entities
    line["relations"] = [
        {"id": index, "from_id": ids[link.head], "to_id": ids[link.child], "type": link.label}
        for index, link in enumerate(layout.links)
    ]
    if aset.annotator is not None:
        line[ANNOTATOR_KEY] = aset.annotator
    attrs: dict[str, Any] = {"offsets": writer.unit.value, "status": aset.status.value}
    if aset.note:
        attrs["note"] = aset.note
    if aset.updated_at is not None:
        attrs["updated_at"] = aset.updated_at.isoformat()
    if span_attrs:
        attrs["spans"] = span_attrs
    line[ATTRS_KEY] = attrs
    losses.lose("speakers without a mention", unplaced_speakers(aset))
    losses.lose("speakers of claims that name no mention", unplaced_claim_speakers(aset))
    losses.lose(
        LOSS_ENTITY_SOURCES,
        sum(1 for entity in aset.entities if entity.source != EntitySource.IMPORT),
    )
    return line


def write(pairs: Iterable[ExportItem], sink: TextIO, options: WriteOptions) -> None:
    """The registry's writer: one relation-extraction line per (document, annotator), offsets in ``options.offsets``."""
    writer = SpanWriter(options.offsets)
    for document, aset in pairs:
        sink.write(json.dumps(example_object(document, aset, writer, options.losses), ensure_ascii=False) + "\n")


def sniff(path: str, head: bytes) -> bool:
    """True for JSON whose first example has ``entities`` with ``start_offset`` or ``[[start, end, "LABEL"]]`` spans."""
    del path
    return b'"start_offset"' in head or _TRIPLES.search(head) is not None


__all__ = ["ATTRS_KEY", "example_object", "parse_example", "read", "sniff", "write"]
