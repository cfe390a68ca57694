"""Prodigy JSONL (``ner_manual`` and ``rel.manual`` tasks), read and written.

One task per line: ``text``, ``tokens`` (``{text, start, end, id, ws}``),
``spans`` (``{start, end, label, token_start, token_end, text?}``, token_end
inclusive), ``relations`` (``{head, child, label, head_span, child_span}``,
``head``/``child`` being the token index of the span's last token),
``answer``, ``_annotator_id``/``_session_id``, ``_view_id`` and ``meta``.

Claims, speakers and cues are laid out as spans and relations by
:mod:`annotator.formats.claim_layout`; what the layout attaches to a span
(stance, target, note, speaker name and kind, an entity's source) and the
span's layout key travel in an extra ``"annotator"`` object on the span,
which Prodigy keeps as it keeps any extra key of a task.

Reading takes each accepted task (or an unanswered input task) as a
document; rejected and ignored tasks are skipped and counted. Writing gives
one task per (document, annotator); the model's entities are written as an
unanswered input task with pre-highlighted spans.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, BinaryIO, TextIO

from annotator.domain.errors import InputError, UserError
from annotator.domain.model import AnnotationSet, Document, EntitySource, Span, Status, text_sha256
from annotator.domain.spans import grapheme_starts
from annotator.formats.claim_layout import (
    ATTRS,
    RELATION_END,
    SPAN_LABELS,
    LabelledSpan,
    Link,
    flatten,
    rebuild,
    unplaced_claim_speakers,
    unplaced_speakers,
)
from annotator.formats.interchange import ExportItem, ReadOptions, WriteOptions
from annotator.formats.jsonio import json_object, list_field, load_object, read_json_lines, require_keys
from annotator.formats.offsets import OffsetTable, OffsetUnit
from annotator.formats.records import Record
from annotator.formats.textio import check_text

EXTRA = "annotator"
"""The key of the object this program adds to a Prodigy span: the layout key and attributes."""
KEY_ATTR = "key"
SOURCE_ATTR = "source"
"""An entity's source (``model``, ``manual``, ``import``) in the span's extra object."""
ACCEPT, REJECT, IGNORE = "accept", "reject", "ignore"
SKIPPED_NOTE = "rejected or ignored records skipped"
VIEW_NER = "ner_manual"
VIEW_RELATIONS = "relations"
_PRODIGY_KEYS = ("_input_hash", "_task_hash", "_session_id", "_view_id", "_annotator_id")
_PRODIGY_KEY_BYTES = re.compile(rb'"(?:_input_hash|_task_hash|_session_id|_view_id|_annotator_id|token_start)"\s*:')
_ENTITY_SOURCES = {source.value: source for source in EntitySource}


# ---------------------------------------------------------------- reading


def read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]:
    """Yield one :class:`Record` per accepted or unanswered task; raise :class:`InputError` on the first bad line."""
    return read_json_lines(stream, path, lambda line: parse_task(line, options), "Prodigy tasks")


def parse_task(line: str, options: ReadOptions) -> Record | None:
    """Parse one Prodigy task; ``None`` for a rejected or ignored one (counted in ``options``)."""
    data = load_object(line, "a JSON object (a Prodigy task)")
    answer = data.get("answer")
    if answer in (REJECT, IGNORE):
        options.note(SKIPPED_NOTE)
        return None
    if answer not in (None, ACCEPT):
        raise InputError(f"'answer' must be 'accept', 'reject' or 'ignore', got {answer!r}")
    text = data.get("text")
    if not isinstance(text, str):
        if text is None:
            raise InputError("missing 'text': annotator reads Prodigy text tasks only")
        raise InputError(f"'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError("'text' is empty")
    check_text(text, "'text'")
    document = Document(*_identity(data, text))
    record = Record(document)
    annotator = _annotator(data)
    has_annotations = bool(list_field(data, "spans")) or bool(list_field(data, "relations"))
    if answer == ACCEPT or has_annotations:
        aset = _TaskReader(data, text, options).annotation_set(annotator)
        aset.status = Status.DONE if answer == ACCEPT else Status.NEW
        aset.updated_at = _timestamp(data.get("_timestamp"))
        record.annotations.append(aset)
    return record


def _identity(data: dict[str, Any], text: str) -> tuple[str, str, dict[str, Any]]:
    """The document's id, text and meta: ``id``, else ``meta.id`` (taken out of meta), else a hash of the text."""
    meta = data.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(f"'meta' must be an object, got {type(meta).__name__}")
    meta = dict(meta)
    external_id = _id(data.get("id"), "'id'")
    if external_id is None:
        meta_id = meta.get("id")
        external_id = _id(meta_id, "'meta.id'")
        if isinstance(meta_id, str):
            del meta["id"]  # the writer puts it back from the document's id
    return external_id or text_sha256(text)[:16], text, meta


def _id(value: object, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} must be a non-empty string or an integer, got {value!r}")
    return value


def _annotator(data: dict[str, Any]) -> str | None:
    """``_annotator_id``, else ``_session_id`` (kept whole, "dataset-name"), else None."""
    for key in ("_annotator_id", "_session_id"):
        value = data.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"'{key}' must be a string or null, got {value!r}")
        return value
    return None


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


class _TaskReader:
    """Reads one task's spans and relations into the claim layout's spans and links."""

    def __init__(self, data: dict[str, Any], text: str, options: ReadOptions) -> None:
        self.data = data
        self.text = text
        self.options = options
        self.tokens = list_field(data, "tokens")
        self.spans: list[LabelledSpan] = []
        self.token_ends: dict[str, object] = {}  # each span's token_end as the file gives it, by key
        self.sources: list[EntitySource] = []  # the source of each entity span, in span order
        self.by_key: dict[str, LabelledSpan] = {}
        self.by_raw: dict[tuple[object, object, str], list[str]] = {}  # (start, end, label) as written → keys
        self.unlabelled: dict[Span, str] = {}

    def annotation_set(self, annotator: str | None) -> AnnotationSet:
        """The annotation set the task's spans and relations lay out."""
        for index, item in enumerate(list_field(self.data, "spans")):
            self._read_span(item, index)
        links = [self._read_relation(item, index) for index, item in enumerate(list_field(self.data, "relations"))]
        aset = rebuild(self.spans, links, annotator, self.text)
        for entity, source in zip(aset.entities, self.sources, strict=True):
            entity.source = source
        return aset

    def _read_span(self, item: object, index: int) -> None:
        what = f"spans[{index}]"
        obj = json_object(item, what)
        require_keys(obj, what, "start", "end")
        label = obj.get("label")
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{what} needs a string 'label', got {label!r}")
        span = self.options.spans.span(self.text, obj["start"], obj["end"], obj.get("text"), what)
        self._check_tokens(obj, span, what)
        extra = obj.get(EXTRA)
        extra = json_object(extra, f"{what}.{EXTRA}") if extra is not None else {}
        key = extra.get(KEY_ATTR)
        if key is None:
            key = f"#{index}"
        elif not isinstance(key, str) or not key.strip():
            raise InputError(f"{what}.{EXTRA}.{KEY_ATTR} must be a non-empty string, got {key!r}")
        if key in self.by_key:
            raise InputError(f"{what} repeats key {key!r} of another span ({EXTRA}.{KEY_ATTR} is unique in a task)")
        attrs: dict[str, str] = {}
        for name in ATTRS:
            value = extra.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise InputError(f"{what}.{EXTRA}.{name} must be a string, got {value!r}")
            check_text(value, f"{what}.{EXTRA}.{name}")
            attrs[name] = value
        if label not in SPAN_LABELS:
            source = extra.get(SOURCE_ATTR, EntitySource.IMPORT.value)
            if source not in _ENTITY_SOURCES:
                allowed = ", ".join(_ENTITY_SOURCES)
                raise InputError(f"{what}.{EXTRA}.{SOURCE_ATTR} {source!r} is not one of: {allowed}")
            self.sources.append(_ENTITY_SOURCES[source])
        labelled = LabelledSpan(key, span, label, attrs)
        self.spans.append(labelled)
        self.token_ends[key] = obj.get("token_end")
        self.by_key[key] = labelled
        self.by_raw.setdefault((obj["start"], obj["end"], label), []).append(key)

    def _check_tokens(self, obj: dict[str, Any], span: Span, what: str) -> None:
        """When the task has tokens, the span's token_start/token_end (inclusive) must cover exactly its characters."""
        if not self.tokens or ("token_start" not in obj and "token_end" not in obj):
            return
        first, last = obj.get("token_start"), obj.get("token_end")
        for name, value in (("token_start", first), ("token_end", last)):
            if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(self.tokens)):
                raise InputError(
                    f"{what} '{name}' must be a token index from 0 to {len(self.tokens) - 1}, got {value!r}"
                )
        assert isinstance(first, int) and isinstance(last, int)
        start = self._token(first).start
        end = self._token(last).end
        if (start, end) != (span.start, span.end):
            raise InputError(
                f"{what} [{span.start}, {span.end}) {span.text_in(self.text)!r} does not match its tokens "
                f"{first}..{last} (token_end is inclusive), which cover [{start}, {end}) {self.text[start:end]!r}"
            )

    def _token(self, index: int) -> Span:
        what = f"tokens[{index}]"
        obj = json_object(self.tokens[index], what)
        require_keys(obj, what, "start", "end")
        return self.options.spans.span(self.text, obj["start"], obj["end"], obj.get("text"), what)

    def _read_relation(self, item: object, index: int) -> Link:
        what = f"relations[{index}]"
        obj = json_object(item, what)
        label = obj.get("label")
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{what} needs a string 'label', got {label!r}")
        head = self._end(obj, "head", what)
        child = self._end(obj, "child", what)
        return Link(head, child, label)

    def _end(self, obj: dict[str, Any], side: str, what: str) -> str:
        """The key of the span a relation's ``head`` or ``child`` names."""
        token = obj.get(side)
        if token is not None and not _is_int(token):
            raise InputError(f"{what} '{side}' must be a token index, got {token!r}")
        given = obj.get(f"{side}_span")
        if given is None:
            if token is None:
                raise InputError(f"{what} has neither '{side}_span' nor '{side}'")
            matches = [key for key, end in self.token_ends.items() if end == token and key in self.by_key]
            if len(matches) != 1:
                problem = "no span" if not matches else f"{len(matches)} spans"
                raise InputError(
                    f"{what} '{side}' is token {token}, where {problem} of the task ends; give '{side}_span'"
                )
            return matches[0]
        span_obj = json_object(given, f"{what}.{side}_span")
        require_keys(span_obj, f"{what}.{side}_span", "start", "end")
        label = span_obj.get("label")
        start, end = span_obj["start"], span_obj["end"]
        if label is None:  # a relation to tokens that are not a labelled span (Prodigy allows it)
            span = self.options.spans.span(self.text, start, end, span_obj.get("text"), f"{what}.{side}_span")
            key = self.unlabelled.get(span)
            if key is None:
                key = f"#{what}.{side}"
                self.unlabelled[span] = key
                labelled = LabelledSpan(key, span, RELATION_END)
                self.spans.append(labelled)
                self.token_ends[key] = span_obj.get("token_end")
                self.by_key[key] = labelled
            return key
        if not isinstance(label, str):
            raise InputError(f"{what}.{side}_span 'label' must be a string or null, got {label!r}")
        if not (_is_int(start) and _is_int(end)):
            raise InputError(f"{what}.{side}_span offsets must be integers, got start={start!r} end={end!r}")
        candidates = self.by_raw.get((start, end, label), [])
        if not candidates:
            raise InputError(
                f"{what} {side}_span [{start}, {end}) {label} is not one of the task's spans; "
                "a relation must join two spans listed in 'spans'"
            )
        extra = span_obj.get(EXTRA)
        wanted = extra.get(KEY_ATTR) if isinstance(extra, dict) else None
        key = wanted if wanted in candidates else candidates[0]
        expected_token = self.token_ends[key]
        if token is not None and _is_int(expected_token) and token != expected_token:
            raise InputError(
                f"{what} '{side}' is token {token}, but its {side}_span [{start}, {end}) ends at token "
                f"{expected_token} ('{side}' is the index of the span's last token)"
            )
        return key


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------- writing


def write(pairs: Iterable[ExportItem], sink: TextIO, options: WriteOptions) -> None:
    """One Prodigy task per (document, annotation set); what Prodigy cannot carry is tallied in ``options.losses``."""
    losses = options.losses
    for document, aset in pairs:
        if aset.annotator is not None:
            if aset.status != Status.DONE:
                losses.lose("statuses other than done (every annotator's task is written as answer 'accept')")
            if aset.note:
                losses.lose("document notes")
        losses.lose("speakers without a mention", unplaced_speakers(aset))
        losses.lose("claim speakers without a mention", unplaced_claim_speakers(aset))
        sink.write(json.dumps(task_object(document, aset, options.offsets), ensure_ascii=False) + "\n")


def task_object(
    document: Document, aset: AnnotationSet, unit: OffsetUnit | str = OffsetUnit.CODEPOINTS
) -> dict[str, Any]:
    """The Prodigy task for one (document, annotation set), offsets counted in ``unit``.

    A set with an annotator is an accepted task in their name; the model's
    entities (``annotator`` None) are an input task with pre-highlighted spans.
    """
    text = document.text
    layout = flatten(aset)
    sources = {f"e{index}": entity.source.value for index, entity in enumerate(aset.entities, start=1)}
    listed = [item for item in layout.spans if item.label != RELATION_END]
    listed.sort(key=lambda item: (item.span.start, item.span.end))
    boundaries = [item.span for item in layout.spans]
    tokens = tokenize(text, boundaries)
    first_token = {token.start: index for index, token in enumerate(tokens)}
    last_token = {token.end: index for index, token in enumerate(tokens)}
    offset = _offsets(text, unit)

    def span_json(item: LabelledSpan, with_text: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = {"start": offset(item.span.start), "end": offset(item.span.end)}
        if with_text:
            result["text"] = item.span.text_in(text)
        result["token_start"] = first_token[item.span.start]
        result["token_end"] = last_token[item.span.end]
        result["label"] = item.label if item.label != RELATION_END else None
        return result

    by_key = layout.by_key()
    spans = []
    for item in listed:
        extra: dict[str, str] = {KEY_ATTR: item.key, **item.attrs}
        if item.key in sources:
            extra[SOURCE_ATTR] = sources[item.key]
        spans.append({**span_json(item), EXTRA: extra})
    relations = []
    for link in layout.links:
        head, child = by_key[link.head], by_key[link.child]
        relations.append(
            {
                "head": last_token[head.span.end],
                "child": last_token[child.span.end],
                "head_span": {**span_json(head, False), EXTRA: {KEY_ATTR: head.key}},
                "child_span": {**span_json(child, False), EXTRA: {KEY_ATTR: child.key}},
                "label": link.label,
            }
        )
    task: dict[str, Any] = {"text": text}
    meta = dict(document.meta)
    if meta.get("id", document.external_id) != document.external_id:
        task["id"] = document.external_id  # meta has an "id" of its own: the document's id goes beside it
    else:
        meta = {"id": document.external_id, **meta}
    task["meta"] = meta
    task["tokens"] = [
        {"text": token.text_in(text), "start": offset(token.start), "end": offset(token.end), "id": index, "ws": ws}
        for index, (token, ws) in enumerate(zip(tokens, _spaces(text, tokens), strict=True))
    ]
    task["spans"] = spans
    if relations:
        task["relations"] = relations
    if aset.annotator is not None:
        task["answer"] = ACCEPT
        task["_view_id"] = VIEW_RELATIONS if relations else VIEW_NER
        task["_annotator_id"] = aset.annotator
        task["_session_id"] = aset.annotator
        if aset.updated_at is not None:
            task["_timestamp"] = int(aset.updated_at.timestamp())
    return task


def _offsets(text: str, unit: OffsetUnit | str) -> Callable[[int], int]:
    """A function from a code point index to an offset in ``unit`` (code points for ``auto``)."""
    chosen = OffsetUnit(unit)
    if chosen == OffsetUnit.UTF16 and any(ord(char) > 0xFFFF for char in text):
        before = [0, *accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)]
        return before.__getitem__
    if chosen == OffsetUnit.GRAPHEMES:
        table = OffsetTable(text, chosen)

        def grapheme(index: int) -> int:
            try:
                return table.from_codepoint(index)
            except ValueError:
                raise UserError(
                    f"a span or token boundary at {index} falls inside a grapheme of a document; "
                    "export with --offsets codepoints"
                ) from None

        return grapheme
    return lambda index: index


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""
    (?:Mr|Mrs|Ms|Dr|Jr|Sr|St|Prof|Gen|Sen|Rep|Gov|Inc|Corp|Ltd|vs|etc)\.(?![^\W_])  # Mr. Jr. Inc.
    | (?:[^\W\d_]\.){2,}(?![^\W_])                                              # U.S. F.B.I.
    | ['’](?i:s|m|d|re|ve|ll)(?![^\W_])                                         # 's 're 'll after an abbreviation
    | [^\W_](?:                                                                  # a word or a number:
        [\w\u0300-\u036f]                                                       #   letters, digits, marks
        | ['’](?=[^\W_])                                                         #   O'Neil, don't (split below)
        | (?<=\d)[.,](?=\d)                                                      #   3.5, 1,000
        | \.(?=[^\W\d_])                                                         #   Buy.com, I.P.O.s
        | -(?=\d)                                                                #   IL-4, COVID-19
      )*
    | \S                                                                        # any other character on its own
    """,
    re.VERBOSE,
)
_CLITIC = re.compile(r"(?:['’](?:s|m|d|re|ve|ll)|n['’]t)$", re.IGNORECASE)
"""A contraction spaCy splits off a word: "Uber’s" → "Uber" "’s", "don't" → "do" "n't"."""


def tokenize(text: str, spans: Iterable[Span] = ()) -> list[Span]:
    """Tokens of ``text`` (words, punctuation, runs of white space other than one space), split at every span edge.

    Close to spaCy's English tokens (punctuation and hyphens apart, "’s" on
    its own), so Prodigy shows familiar tokens; a single space after a token
    is that token's ``ws``, not a token, unless a span starts or ends on it.
    Tokens never split a grapheme (an emoji sequence, a letter with its
    combining marks) unless a span edge does.
    """
    starts: set[int] = set()
    ends: set[int] = set()
    for span in spans:
        starts.add(span.start)
        ends.add(span.end)
    edges = starts | ends
    pieces: list[tuple[int, int]] = []
    previous = 0
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if start > previous:
            pieces.extend(_gap(text, previous, start, bool(pieces), starts, ends))
        clitic = _CLITIC.search(match.group())
        if clitic is not None and clitic.start() > 0:
            pieces.append((start, start + clitic.start()))
            pieces.append((start + clitic.start(), end))
        else:
            pieces.append((start, end))
        previous = end
    if previous < len(text):
        pieces.extend(_gap(text, previous, len(text), bool(pieces), starts, ends))
    if not text.isascii():
        pieces = _whole_graphemes(text, pieces, edges)
    ordered = sorted(edges)
    tokens: list[Span] = []
    for start, end in pieces:
        first = bisect_right(ordered, start)
        cuts = ordered[first : bisect_right(ordered, end - 1, first)]
        for left, right in zip([start, *cuts], [*cuts, end], strict=True):
            tokens.append(Span(left, right))
    return tokens


def _gap(text: str, start: int, end: int, after_token: bool, starts: set[int], ends: set[int]) -> list[tuple[int, int]]:
    """The tokens of the white space ``text[start:end]``: none for one space after a token, unless a span needs it."""
    if after_token and text[start] == " " and start not in starts and start + 1 not in ends:
        start += 1  # the previous token's ws
    return [(start, end)] if start < end else []


def _whole_graphemes(text: str, pieces: list[tuple[int, int]], edges: set[int]) -> list[tuple[int, int]]:
    """Join adjacent pieces that meet inside a grapheme (and not at a span edge)."""
    boundaries = set(grapheme_starts(text))
    joined: list[tuple[int, int]] = []
    for start, end in pieces:
        if joined and joined[-1][1] == start and start not in boundaries and start not in edges:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _spaces(text: str, tokens: list[Span]) -> list[bool]:
    """Each token's ``ws``: True when one space follows it that is not a token itself."""
    result = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1].start if index + 1 < len(tokens) else len(text)
        result.append(following == token.end + 1 and text[token.end] == " ")
    return result


# ---------------------------------------------------------------- sniffing


def sniff(path: str, head: bytes) -> bool:
    """True for JSON lines with keys only Prodigy writes (``_input_hash``, ``_view_id``, ``answer``, ``ws`` tokens...).

    Looks at the lines in ``head`` until one tells: a native ``annotator/v1``
    line, a doccano line or raw ``{"text": ...}`` input is not claimed.
    """
    del path
    lines = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n")
    for number, raw in enumerate(lines[:200]):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            if number == 0 and len(lines) == 1:  # one line longer than the head: judge by its keys
                return b'"annotator/v1"' not in raw and _PRODIGY_KEY_BYTES.search(raw) is not None
            if number == len(lines) - 1:  # the head cut the last line short
                break
            return False
        if not isinstance(data, dict):
            return False
        verdict = _looks_like_prodigy(data)
        if verdict is not None:
            return verdict
    return False


def _looks_like_prodigy(data: dict[str, Any]) -> bool | None:
    """True for a Prodigy task, False for another format's line, None when the line cannot tell."""
    if "format" in data or not isinstance(data.get("text"), str):
        return False
    if any(key in data for key in _PRODIGY_KEYS) or data.get("answer") in (ACCEPT, REJECT, IGNORE):
        return True
    spans, tokens = data.get("spans"), data.get("tokens")
    if isinstance(spans, list) and any(isinstance(s, dict) and "token_start" in s for s in spans):
        return True
    if isinstance(tokens, list) and any(isinstance(t, dict) and "ws" in t for t in tokens):
        return True
    return None


__all__ = ["parse_task", "read", "sniff", "task_object", "tokenize", "write"]
