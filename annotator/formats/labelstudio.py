"""Label Studio's JSON export (an array of tasks), read and written.

A task is ``{"id", "data": {"text": ...}, "annotations": [...], "predictions": [...]}``; each
annotation has ``completed_by`` (a user id, or an object with ``email``) and a ``result`` list of
regions: ``{"id", "from_name", "to_name", "type": "labels", "value": {"start", "end", "text",
"labels"}}``, relations ``{"type": "relation", "from_id", "to_id", "direction", "labels"}``, and
per-region results (``choices``, ``textarea``) that share the id of the region they describe.

Each annotation becomes one annotation set (its annotator is ``completed_by``'s email, or
``labelstudio-user-<id>``); cancelled (skipped) annotations and drafts are not imported, with a
note. Predictions are the model's: the first one's labelled regions become the document's model
entities; their relations and per-region results are skipped, with a note.

Claims, speakers and cues use the layout every span-and-relation format shares
(:mod:`annotator.formats.claim_layout`); a claim's stance is a per-region ``choices`` result
(``from_name`` "stance"), its target and note per-region ``textarea`` results ("target", "note"); a
speaker's name, kind and entity label ride on their first mention ("speaker", "kind",
"entity_label"); the document note is a ``textarea`` result named "document_note".

Offsets are checked against each region's ``text`` (Label Studio collapses white space in it, so
only the words must agree); Label Studio counts UTF-16 code units, which ``auto`` detects from the
first region whose text tells the units apart. The writer streams the array task by task.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import count, groupby
from typing import Any, BinaryIO, TextIO

from annotator.domain.errors import InputError
from annotator.domain.model import AnnotationSet, Document, EntitySource, Span, Status, text_sha256
from annotator.formats.claim_layout import (
    ATTRS,
    CLAIM_PART,
    SPAN_ATTRS,
    SPAN_LABELS,
    LabelledSpan,
    Link,
    flatten,
    rebuild,
    unplaced_claim_speakers,
    unplaced_speakers,
)
from annotator.formats.interchange import LOSS_ENTITY_SOURCES, ExportItem, ExportLosses, ReadOptions, WriteOptions
from annotator.formats.jsonio import (
    iso_timestamp,
    json_list,
    json_object,
    json_type,
    json_values,
    list_field,
    require_keys,
    text_field,
)
from annotator.formats.offsets import SpanWriter
from annotator.formats.records import Record
from annotator.formats.textio import check_text, decode_utf8

LABELS_TAG = "label"
"""``from_name`` of the Labels tag written for every span."""
TEXT_TAG = "text"
"""``to_name``: the Text tag showing ``$text``."""
DOCUMENT_NOTE_TAG = "document_note"
"""``from_name`` of the (not per-region) TextArea holding the annotator's note on the document."""
ID_FIELD = "doc_id"
"""The task data field that holds the document's external id."""
CHOICE_ATTRS = ("stance", "kind")
"""Span attributes written as per-region Choices; the others are per-region TextAreas."""
USER_PREFIX = "labelstudio-user-"
"""An annotation's ``completed_by`` user id without an email becomes the annotator ``labelstudio-user-<id>``."""
TASK_PREFIX = "labelstudio-"
"""A task without ``data.doc_id`` gets the external id ``labelstudio-<task id>``."""
UNLABELLED_RELATION = "relation"
_DIRECTIONS = ("right", "left", "bi")


# ---------------------------------------------------------------- reading


def read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]:
    """Yield one :class:`Record` per task of a Label Studio JSON export (an array, or tasks one after another)."""
    text = decode_utf8(stream.read(), path)
    for index, (value, line) in enumerate(json_values(text, path), start=1):
        try:
            record = parse_task(value, options)
        except InputError as error:
            raise InputError(f"task {index}: {error.problem}", path, line) from None
        record.line = line
        yield record


def parse_task(task: object, options: ReadOptions) -> Record:
    """One Label Studio task (a decoded JSON value) as a :class:`Record`; no location (the caller adds it)."""
    if not isinstance(task, dict):
        raise InputError(f"a Label Studio task must be a JSON object, got {json_type(task)}")
    data = task.get("data")
    if not isinstance(data, dict):
        raise InputError(f"'data' must be an object holding the task's text, got {json_type(data)}")
    text_key = text_field(
        data,
        others=(ID_FIELD,),
        name=lambda key: f"'data.{key}'",
        missing="'data' has no 'text'{hint}; the task's text must be in data.text",
    )
    if text_key != "text":
        options.note(f"text read from the task data field {text_key!r}")
    text: str = data[text_key]
    document = Document(external_id=_external_id(data.get(ID_FIELD), task.get("id"), text), text=text)
    document.meta = {key: value for key, value in data.items() if key not in (text_key, ID_FIELD)}
    record = Record(document)
    seen: set[str | None] = set()
    for index, item in enumerate(list_field(task, "annotations")):
        aset = _annotation(item, f"annotations[{index}]", text, options)
        if aset is None:
            continue
        if aset.annotator in seen:
            options.note("further annotations by an annotator who already has one on the task skipped")
            continue
        seen.add(aset.annotator)
        record.annotations.append(aset)
    model = _predictions(task.get("predictions"), text, options)
    if model is not None:
        record.annotations.insert(0, model)
    if list_field(task, "drafts"):
        options.note("Label Studio drafts (unsubmitted annotations) not imported", len(task["drafts"]))
    return record


def _external_id(doc_id: object, task_id: object, text: str) -> str:
    if doc_id is not None:
        if not isinstance(doc_id, str) or not doc_id.strip():
            raise InputError(f"'data.{ID_FIELD}' must be a non-empty string, got {doc_id!r}")
        return doc_id
    if isinstance(task_id, int | str) and not isinstance(task_id, bool) and str(task_id).strip():
        return f"{TASK_PREFIX}{task_id}"
    return text_sha256(text)[:16]


def _annotation(item: object, what: str, text: str, options: ReadOptions) -> AnnotationSet | None:
    item = json_object(item, what)
    if item.get("was_cancelled") is True:
        options.note("cancelled (skipped) Label Studio annotations not imported")
        return None
    annotator = _completed_by(item.get("completed_by"), what)
    spans, links, note = _results(item.get("result"), f"{what}.result", text, options)
    aset = rebuild(spans, links, annotator, text)
    aset.status = Status.DONE
    aset.note = note
    aset.updated_at = iso_timestamp(item.get("updated_at"))
    return aset


def _completed_by(value: object, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        email = value.get("email")
        if isinstance(email, str) and email.strip():
            return email
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{USER_PREFIX}{value}"
    if isinstance(value, str) and value.strip():
        return value
    raise InputError(f"{what} 'completed_by' must be a user id or an object with an 'email', got {value!r}")


def _results(
    items: object, what: str, text: str, options: ReadOptions
) -> tuple[list[LabelledSpan], list[Link], str | None]:
    """The labelled spans, links and document note of one ``result`` list."""
    results = json_list(items, what)
    regions: dict[str, list[tuple[str, Span, str]]] = {}
    for index, item in enumerate(results):
        where = f"{what}[{index}]"
        item = json_object(item, where)
        if item.get("type") != "labels":
            continue
        region = _region_id(item.get("id"), index, where)
        value = _value(item, where)
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise InputError(f"{where} value.labels must be a non-empty list of labels, got {labels!r}")
        require_keys(value, f"{where} value", "start", "end")
        span = options.spans.span(text, value["start"], value["end"], value.get("text"), where, loose_whitespace=True)
        entries = regions.setdefault(region, [])
        for label in labels:
            if not isinstance(label, str) or not label.strip():
                raise InputError(f"{where} has a label that is not a non-empty string: {label!r}")
            check_text(label, f"{where} label")
            entries.append((region if not entries else f"{region}#{len(entries)}", span, label))
    attrs: dict[str, dict[str, str]] = {}
    links: list[Link] = []
    note: str | None = None
    for index, item in enumerate(results):
        where = f"{what}[{index}]"
        kind = item.get("type")
        if kind == "labels":
            continue
        if kind == "relation":
            links.extend(_links(item, regions, where, options))
            continue
        if kind not in ("choices", "textarea"):
            options.note(f"Label Studio results of type {kind!r} skipped")
            continue
        region = item.get("id")
        name = item.get("from_name")
        if region is not None and str(region) in regions:
            if name not in ATTRS:
                options.note(f"per-region {kind} results named {name!r} skipped")
                continue
            attrs.setdefault(str(region), {})[str(name)] = _result_text(item, kind, where)
        elif name == DOCUMENT_NOTE_TAG and kind == "textarea":
            note = _result_text(item, kind, where)
        else:
            options.note(f"document-level {kind} results named {name!r} skipped")
    later_parts = {link.child for link in links if link.label == CLAIM_PART}
    for region, values in attrs.items():
        label = regions[region][0][2]
        allowed = SPAN_ATTRS.get(label, ()) if region not in later_parts else ()
        for name in [name for name in values if name not in allowed]:
            del values[name]
            where = "later parts of split claims" if region in later_parts else f"{label} regions"
            options.note(f"per-region {name!r} results on {where} skipped")
    spans = [
        LabelledSpan(key, span, label, attrs.get(region, {}) if position == 0 else {})
        for region, entries in regions.items()
        for position, (key, span, label) in enumerate(entries)
    ]
    return spans, links, note


def _region_id(value: object, index: int, where: str) -> str:
    if value is None:
        return f"#{index}"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{where} 'id' must be a string, got {value!r}")
    return str(value)


def _value(item: dict[str, Any], where: str) -> dict[str, Any]:
    return json_object(item.get("value"), f"{where} 'value'")


def _links(item: dict[str, Any], regions: dict[str, Any], where: str, options: ReadOptions) -> list[Link]:
    ends = []
    for name in ("from_id", "to_id"):
        value = item.get(name)
        if value is None or isinstance(value, bool) or str(value) not in regions:
            raise InputError(f"{where} relation {name} {value!r} is not the id of a labelled region of this annotation")
        ends.append(str(value))
    direction = item.get("direction", "right")
    if direction not in _DIRECTIONS:
        raise InputError(f"{where} relation direction {direction!r} is not one of: {', '.join(_DIRECTIONS)}")
    head, child = ends if direction != "left" else ends[::-1]
    if direction == "bi":
        options.note("bidirectional Label Studio relations read as from_id → to_id")
    labels = item.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) and label.strip() for label in labels):
        raise InputError(f"{where} relation labels must be a list of non-empty strings, got {labels!r}")
    if not labels:
        options.note(f"Label Studio relations without a label read with the label {UNLABELLED_RELATION!r}")
        labels = [UNLABELLED_RELATION]
    return [Link(head, child, label) for label in labels]


def _result_text(item: dict[str, Any], kind: str, where: str) -> str:
    value = _value(item, where)
    if kind == "choices":
        choices = value.get("choices")
        if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], str):
            raise InputError(f"{where} value.choices must be a list of one string, got {choices!r}")
        result: str = choices[0]
    else:
        texts = value.get("text")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise InputError(f"{where} value.text must be a list of strings, got {texts!r}")
        result = "\n".join(texts)
    check_text(result, where)
    return result


def _predictions(items: object, text: str, options: ReadOptions) -> AnnotationSet | None:
    """The first prediction's labelled regions, as the model's entities."""
    predictions = json_list(items, "predictions")
    if not predictions:
        return None
    if len(predictions) > 1:
        options.note("Label Studio predictions after the first skipped", len(predictions) - 1)
    first = json_object(predictions[0], "predictions[0]")
    spans, links, note = _results(first.get("result"), "predictions[0].result", text, options)
    kept = [item for item in spans if item.label not in SPAN_LABELS]
    skipped = len(spans) - len(kept) + len(links) + (note is not None) + sum(1 for s in spans if s.attrs)
    if skipped:
        options.note("claims, speakers, relations and attributes in predictions skipped (predictions are entities)")
    model = rebuild(kept, [], None)
    return model if model.entities else None


# ---------------------------------------------------------------- writing


def result_items(document: Document, aset: AnnotationSet, writer: SpanWriter) -> list[dict[str, Any]]:
    """The ``result`` list for one annotation set: regions, per-region attributes, relations, document note."""
    text = document.text
    layout = flatten(aset)
    items: list[dict[str, Any]] = []
    region_ids = {item.key: item.key.replace(".", "_") for item in layout.spans}
    for item in layout.spans:
        start, end = writer.offsets(text, item.span)
        where = {"start": start, "end": end, "text": item.span.text_in(text)}
        region = region_ids[item.key]
        items.append(_result(region, LABELS_TAG, "labels", {**where, "labels": [item.label]}))
        for name, value in item.attrs.items():
            if name in CHOICE_ATTRS:
                items.append(_result(region, name, "choices", {**where, "choices": [value]}))
            else:
                items.append(_result(region, name, "textarea", {**where, "text": [value]}))
    for link in layout.links:
        items.append(
            {
                "type": "relation",
                "from_id": region_ids[link.head],
                "to_id": region_ids[link.child],
                "direction": "right",
                "labels": [link.label],
            }
        )
    if aset.note:
        items.append(_result(DOCUMENT_NOTE_TAG, DOCUMENT_NOTE_TAG, "textarea", {"text": [aset.note]}))
    return items


def _result(region: str, from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"id": region, "from_name": from_name, "to_name": TEXT_TAG, "type": kind, "value": value}


def task_object(
    document: Document,
    sets: Iterable[AnnotationSet],
    number: int,
    writer: SpanWriter,
    losses: ExportLosses,
    ids: Iterator[int],
) -> dict[str, Any]:
    """The Label Studio task for one document and its annotation sets; tallies what it cannot carry."""
    data: dict[str, Any] = {"text": document.text, ID_FIELD: document.external_id}
    for key, value in document.meta.items():
        if key in data:
            losses.lose(f"document metadata fields named like Label Studio task fields ({key})")
        else:
            data[key] = value
    annotations: list[dict[str, Any]] = []
    predictions: list[dict[str, Any]] = []
    for aset in sets:
        losses.lose(
            LOSS_ENTITY_SOURCES,
            sum(1 for entity in aset.entities if entity.source != EntitySource.IMPORT),
        )
        if aset.annotator is None:
            if not aset.is_empty:
                predictions.append(_prediction(document, aset, writer, losses))
            continue
        losses.lose("speakers without a mention", unplaced_speakers(aset))
        losses.lose("speakers of claims that name no mention", unplaced_claim_speakers(aset))
        if aset.status in (Status.NEW, Status.IN_PROGRESS):
            losses.lose("statuses new and in progress (an annotation reads back as done)")
        annotation: dict[str, Any] = {
            "id": next(ids),
            "completed_by": {"email": aset.annotator},
            "result": result_items(document, aset, writer),
            "was_cancelled": aset.status == Status.SKIPPED,
            "ground_truth": False,
        }
        if aset.updated_at is not None:
            annotation["updated_at"] = aset.updated_at.isoformat()
        annotations.append(annotation)
    return {"id": number, "data": data, "annotations": annotations, "predictions": predictions}


def _prediction(document: Document, aset: AnnotationSet, writer: SpanWriter, losses: ExportLosses) -> dict[str, Any]:
    """The model's entities as a prediction (claims, speakers and relations of a set with no annotator are lost)."""
    losses.lose("claims of sets without an annotator", len(aset.claims))
    losses.lose("speakers of sets without an annotator", len(aset.speakers))
    losses.lose("relations of sets without an annotator", len(aset.relations))
    names = {" ".join(filter(None, (e.model_name, e.model_version))) for e in aset.entities}
    version = ", ".join(sorted(name for name in names if name)) or "annotator"
    return {"model_version": version, "result": result_items(document, AnnotationSet(entities=aset.entities), writer)}


def write(pairs: Iterable[ExportItem], sink: TextIO, options: WriteOptions) -> None:
    """The registry's writer: a JSON array with one task per document, streamed task by task."""
    writer = SpanWriter(options.offsets)
    ids = count(1)
    sink.write("[")
    number = 0
    for _key, group in groupby(pairs, key=lambda pair: (pair[0].id, pair[0].external_id)):
        items = list(group)
        number += 1
        task = task_object(items[0][0], (aset for _, aset in items), number, writer, options.losses, ids)
        sink.write(("\n" if number == 1 else ",\n") + json.dumps(task, ensure_ascii=False))
    sink.write("\n]\n" if number else "]\n")


def sniff(path: str, head: bytes) -> bool:
    """True for JSON whose first task has ``data`` and ``annotations`` or ``predictions``."""
    del path
    return b'"data"' in head and (b'"annotations"' in head or b'"predictions"' in head)


__all__ = ["parse_task", "read", "result_items", "sniff", "task_object", "write"]
