"""citron's JSON annotation format (BBC R&D's quote extractor, github.com/bbc/citron), read and written.

citron trains and evaluates on one JSON object per document (its
``docs/data_format.md``; written by its annotator app and its PARC 3.0
pre-processing script)::

    {"text": "...",
     "quotes": [{"cue": span, "sources": [span, ...], "contents": [span, ...],
                 "coreferences": [span, ...]}],
     "coreference_groups": [[span, ...], ...]}

where a span is ``{"start", "end", "text"}`` in character offsets, end
exclusive. A quote maps to a :class:`~annotator.domain.model.Claim`: its
``contents`` are the claim's parts (several = a split claim), its ``cue`` the
cue; its first ``sources`` span is the mention naming the speaker, and its
other sources, its ``coreferences`` (the name a pronoun source stands for:
"He" → "Ajai Malhotra") and every ``coreference_groups`` group touching them
are further mentions of the same speaker. Quotes sharing a mention span
share a speaker, named by the text of their longest mention that is not a
pronoun.

Reading accepts a file holding one document object (what citron reads and
writes), a JSON list of them, or JSON lines of them; ``citron-extract``
output (quotes without the document ``text``, in token offsets) is refused
with a message saying so. Writing gives one document object per line (JSON
lines): a file with one document is exactly a citron file, and each line of
a longer one is. Three keys citron ignores are added so a file reads back
whole: ``id`` (the document id), ``annotator`` and ``meta``. A document
nobody annotated is written without ``quotes`` (it is not a document with no
quotes) and reads back as a bare text. Everything citron has no place for is
tallied as a loss.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from annotator.domain.errors import InputError
from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Span,
    Speaker,
    SpeakerKind,
    Status,
    text_sha256,
)
from annotator.formats.interchange import ExportItem, ExportLosses, ReadOptions, WriteOptions
from annotator.formats.jsonio import json_error, parse_json
from annotator.formats.offsets import SpanWriter
from annotator.formats.records import Record
from annotator.formats.textio import check_text, decode_utf8

SUFFIXES = (".json",)
_STDIN_NAMES = ("-", "<stdin>")
_PRONOUN_WORDS = """
    i me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its itself
    we us our ours ourselves they them their theirs themselves one someone somebody who whom this that these those
"""
PRONOUNS = frozenset(_PRONOUN_WORDS.split())
"""Mentions that do not name anyone: a speaker is named after its longest mention that is not one of these."""

NOTE_NO_CONTENTS = "citron quotes without contents skipped (a claim needs at least one content span)"
NOTE_CONFIDENCE = "citron confidence scores of predicted quotes not kept"
NOTE_GROUPS = "citron coreference groups not linked to any quote source skipped"

LOSS_ENTITIES = "entities"
LOSS_RELATIONS = "relations between entities"
LOSS_STANCE = "stance labels"
LOSS_TARGET = "stance targets"
LOSS_CLAIM_NOTE = "claim notes"
LOSS_DOC_NOTE = "document notes"
LOSS_STATUS = "document status (read back as new)"
LOSS_NO_CUE = "claims without a cue (every citron quote has one)"
LOSS_NO_MENTION = "claim speakers without a mention"
LOSS_KIND = "speaker kinds other than person"
LOSS_ENTITY_LABEL = "speaker entity labels"
LOSS_UNCLAIMED = "speakers not named by any written quote"
LOSS_NAME = "speaker names other than the text of their longest mention"


# ---------------------------------------------------------------- reading


def read(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Record]:
    """The registry's reader: one record per citron document object in the file; raise on the first bad one."""
    text = decode_utf8(stream.read(), path)
    from_stdin = path in _STDIN_NAMES
    documents = list(_documents(text, path))
    single = len(documents) == 1 and documents[0][2] is None
    for line, obj, where in documents:
        default_id = None if from_stdin or not single else Path(path).stem
        try:
            record = parse_document(obj, options, default_id)
        except InputError as error:
            problem = f"{where}: {error.problem}" if where else error.problem
            raise InputError(problem, path, line) from None
        except RecursionError:
            raise InputError("JSON is nested too deeply", path, line) from None
        record.line = line
        yield record


def _documents(text: str, path: str) -> Iterator[tuple[int | None, object, str | None]]:
    """The document objects of a file: ``(line, object, where)``; ``where`` names an element of a list."""
    if not text.strip():
        raise InputError("is empty: no citron document to import", path)
    try:
        data = parse_json(text)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise InputError(json_error(error), path, error.lineno) from None
        yield from _json_lines(text, path)  # more than one value: JSON lines, one document per line
        return
    except RecursionError:
        raise InputError("JSON is nested too deeply", path) from None
    except InputError as error:  # NaN, Infinity, a number too large
        raise error.located(path) from None
    if isinstance(data, dict):
        yield None, data, None
    elif isinstance(data, list):
        if not data:
            raise InputError("is an empty JSON list: no citron document to import", path)
        for index, item in enumerate(data):
            yield None, item, f"document [{index}]"
    else:
        raise InputError(
            f"must hold a citron document object, a list of them or one per line, not a JSON {type(data).__name__}",
            path,
        )


def _json_lines(text: str, path: str) -> Iterator[tuple[int | None, object, str | None]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, parse_json(line), None
        except json.JSONDecodeError as error:
            raise InputError(
                f"{json_error(error)}; a file of several citron documents must have one JSON object per line",
                path,
                number,
            ) from None
        except RecursionError:
            raise InputError("JSON is nested too deeply", path, number) from None
        except InputError as error:
            raise error.located(path, number) from None


def parse_document(obj: object, options: ReadOptions, default_id: str | None = None) -> Record:
    """One citron document object as a :class:`Record` (no location; the caller adds it)."""
    if not isinstance(obj, dict):
        raise InputError(f"a citron document must be a JSON object, got {_type(obj)}")
    text = obj.get("text")
    if text is None:
        if "quotes" in obj and isinstance(obj.get("source"), dict):
            raise InputError(
                "is citron-extract output, which has no 'text' (and counts offsets in tokens); "
                "add the article text as 'text' with character offsets, or import the article itself"
            )
        raise InputError("missing 'text': a citron document needs the article text its offsets count in")
    if not isinstance(text, str):
        raise InputError(f"'text' must be a string, got {_type(text)}")
    if not text.strip():
        raise InputError("'text' is empty")
    check_text(text, "'text'")
    external_id = obj.get("id")
    if external_id is None:
        external_id = default_id or text_sha256(text)[:16]
    elif not isinstance(external_id, str) or not external_id.strip():
        raise InputError(f"'id' must be a non-empty string, got {external_id!r}")
    meta = obj.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(f"'meta' must be an object, got {_type(meta)}")
    record = Record(Document(external_id=external_id, text=text, meta=meta))
    annotator = obj.get("annotator")
    if annotator is not None and (not isinstance(annotator, str) or not annotator.strip()):
        raise InputError(f"'annotator' must be a non-empty string or null, got {annotator!r}")
    quotes = obj.get("quotes")
    if quotes is None and "coreference_groups" not in obj:
        return record  # a bare text: nothing annotated
    record.annotations.append(_annotations(obj, text, annotator, options))
    return record


def _annotations(obj: dict[str, Any], text: str, annotator: str | None, options: ReadOptions) -> AnnotationSet:
    quotes = _list(obj.get("quotes"), "'quotes'")
    groups = _list(obj.get("coreference_groups"), "'coreference_groups'")
    speakers = _SpeakerGroups()
    claims: list[tuple[list[Span], Span | None, Span | None]] = []  # parts, cue, mention
    for index, item in enumerate(quotes):
        what = f"quotes[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{what} must be an object, got {_type(item)}")
        contents = sorted(set(_spans(item, "contents", text, what, options)))
        for before, after in pairwise(contents):
            if after.start < before.end:
                raise InputError(f"{what} contents {_show(before, text)} and {_show(after, text)} overlap")
        cue = _span(item["cue"], text, f"{what}.cue", options) if item.get("cue") is not None else None
        sources = _spans(item, "sources", text, what, options)
        corefs = _spans(item, "coreferences", text, what, options)
        if "confidence" in item:
            options.note(NOTE_CONFIDENCE)
        if not contents:
            options.note(NOTE_NO_CONTENTS)
            continue
        mentions = sources + corefs
        mention = mentions[0] if mentions else None
        speakers.join(mentions)
        claims.append((contents, cue, mention))
    skipped = 0
    for index, raw_group in enumerate(groups):
        what = f"coreference_groups[{index}]"
        group = [_span(item, text, f"{what}[{i}]", options) for i, item in enumerate(_list(raw_group, what))]
        if any(speakers.known(span) for span in group):
            speakers.join(group)
        else:
            skipped += 1
    if skipped:
        options.note(NOTE_GROUPS, skipped)
    aset = AnnotationSet(annotator=annotator, status=Status.NEW)
    by_root: dict[Span, Speaker] = {}
    for root, members in speakers.groups().items():
        mentions = sorted(members)
        speaker = Speaker(name=speaker_name(text, mentions), kind=SpeakerKind.PERSON, mentions=mentions)
        by_root[root] = speaker
        aset.speakers.append(speaker)
    for parts, cue, mention in claims:
        aset.claims.append(
            Claim(
                parts[0].start,
                parts[-1].end,
                parts=parts if len(parts) > 1 else None,
                speaker=by_root[speakers.root(mention)] if mention is not None else None,
                mention=mention,
                cue=cue,
            )
        )
    return aset


class _SpeakerGroups:
    """Union-find over mention spans: spans joined in one quote or coreference group name one speaker."""

    def __init__(self) -> None:
        self._parent: dict[Span, Span] = {}

    def known(self, span: Span) -> bool:
        return span in self._parent

    def root(self, span: Span) -> Span:
        parent = self._parent.setdefault(span, span)
        while parent != span:
            grand = self._parent[parent]
            self._parent[span] = grand
            span, parent = parent, grand
        return span

    def join(self, spans: list[Span]) -> None:
        if not spans:
            return
        first = self.root(spans[0])
        for span in spans[1:]:
            other = self.root(span)
            if other != first:
                keep, drop = min(first, other), max(first, other)
                self._parent[drop] = keep
                first = keep

    def groups(self) -> dict[Span, list[Span]]:
        """Each speaker's mentions keyed by its root, in the order speakers were first seen."""
        result: dict[Span, list[Span]] = {}
        for span in list(self._parent):
            result.setdefault(self.root(span), []).append(span)
        return result


def speaker_name(text: str, mentions: Iterable[Span]) -> str:
    """The text of the longest (then earliest) mention that is not a pronoun, else of the longest mention."""
    naming = naming_mention(text, mentions)
    return " ".join(naming.text_in(text).split()) if naming is not None else ""


def naming_mention(text: str, mentions: Iterable[Span]) -> Span | None:
    """The mention :func:`speaker_name` takes the name from."""
    ordered = sorted(mentions, key=lambda span: (-(span.end - span.start), span.start))
    naming = [span for span in ordered if not is_pronoun(span.text_in(text))]
    chosen = naming or ordered
    return chosen[0] if chosen else None


def is_pronoun(mention: str) -> bool:
    """True for a mention that is an (English) pronoun, which names nobody by itself."""
    return mention.strip().lower() in PRONOUNS


def _spans(item: dict[str, Any], key: str, text: str, what: str, options: ReadOptions) -> list[Span]:
    return [
        _span(span, text, f"{what}.{key}[{index}]", options)
        for index, span in enumerate(_list(item.get(key), f"{what}.{key}"))
    ]


def _span(item: object, text: str, what: str, options: ReadOptions) -> Span:
    if not isinstance(item, dict):
        raise InputError(f"{what} must be a span object with 'start', 'end' and 'text', got {_type(item)}")
    for key in ("start", "end"):
        if key not in item:
            raise InputError(f"{what} is missing '{key}'")
    return options.spans.span(text, item["start"], item["end"], item.get("text"), what)


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{what} must be a list, got {_type(value)}")
    return value


def _type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else f"a {type(value).__name__}")


def _show(span: Span, text: str) -> str:
    return f"[{span.start}, {span.end}) {span.text_in(text)!r}"


# ---------------------------------------------------------------- writing


def document_object(document: Document, aset: AnnotationSet, options: WriteOptions) -> dict[str, Any]:
    """The citron document object for one (document, annotator) pair; losses go to ``options.losses``."""
    text = document.text
    writer = SpanWriter(options.offsets)
    losses = options.losses

    def span_json(span: Span) -> dict[str, Any]:
        start, end = writer.offsets(text, span)
        return {"start": start, "end": end, "text": span.text_in(text)}

    _tally_set_losses(aset, losses)
    written: dict[int, Speaker] = {}
    quotes: list[dict[str, Any]] = []
    for claim in aset.claims:
        _tally_claim_losses(claim, losses)
        if claim.cue is None:
            losses.lose(LOSS_NO_CUE)
            continue
        quote: dict[str, Any] = {"cue": span_json(claim.cue), "sources": [], "contents": []}
        if claim.speaker is not None and claim.mention is not None:
            speaker = claim.speaker
            written[id(speaker)] = speaker
            quote["sources"].append(span_json(claim.mention))
            name = naming_mention(text, [*speaker.mentions, claim.mention])
            if name is not None and name != claim.mention:
                quote["coreferences"] = [span_json(name)]
        elif claim.speaker is not None:
            losses.lose(LOSS_NO_MENTION)
        quote["contents"] = [span_json(part) for part in claim.pieces]
        quotes.append(quote)
    groups: list[list[dict[str, Any]]] = []
    for speaker in aset.speakers:
        if id(speaker) not in written:
            losses.lose(LOSS_UNCLAIMED)
            continue
        if speaker.kind != SpeakerKind.PERSON:
            losses.lose(LOSS_KIND)
        if speaker.entity_label:
            losses.lose(LOSS_ENTITY_LABEL)
        if speaker.name != speaker_name(text, speaker.mentions):
            losses.lose(LOSS_NAME)
        if len(speaker.mentions) > 1:
            groups.append([span_json(mention) for mention in sorted(speaker.mentions)])
    result: dict[str, Any] = {"id": document.external_id}
    if aset.annotator is not None:
        result["annotator"] = aset.annotator
    if document.meta:
        result["meta"] = document.meta
    if aset.annotator is not None or quotes:
        result["quotes"] = quotes  # nobody annotated the document: no quotes key, not "no quotes here"
    if groups:
        result["coreference_groups"] = groups
    result["text"] = text
    return result


def _tally_set_losses(aset: AnnotationSet, losses: ExportLosses) -> None:
    losses.lose(LOSS_ENTITIES, len(aset.entities))
    losses.lose(LOSS_RELATIONS, len(aset.relations))
    if aset.note:
        losses.lose(LOSS_DOC_NOTE)
    if aset.annotator is not None and aset.status != Status.NEW:
        losses.lose(LOSS_STATUS)


def _tally_claim_losses(claim: Claim, losses: ExportLosses) -> None:
    if claim.stance is not None and claim.stance.label:
        losses.lose(LOSS_STANCE)
    if claim.stance is not None and claim.stance.target:
        losses.lose(LOSS_TARGET)
    if claim.note:
        losses.lose(LOSS_CLAIM_NOTE)


def format_document(document: Document, aset: AnnotationSet, options: WriteOptions) -> str:
    """One line of a citron export: the document object as compact JSON, with its newline."""
    return json.dumps(document_object(document, aset, options), ensure_ascii=False) + "\n"


def write(pairs: Iterable[ExportItem], sink: TextIO, options: WriteOptions) -> None:
    """The registry's writer: one citron document object per line, one line per (document, annotator)."""
    for document, aset in pairs:
        sink.write(format_document(document, aset, options))


# ---------------------------------------------------------------- sniffing

_QUOTES = re.compile(rb'"quotes"\s*:\s*\[')
_EMPTY_QUOTES = re.compile(rb'"quotes"\s*:\s*\[\s*\]')
_QUOTE_KEYS = re.compile(rb'"(?:cue|contents)"\s*:')


def sniff(path: str, head: bytes) -> bool:
    """True for JSON with a ``quotes`` list whose quotes have a ``cue`` or ``contents`` (or an empty one)."""
    del path
    return bool(_QUOTES.search(head) and (_QUOTE_KEYS.search(head) or _EMPTY_QUOTES.search(head)))


__all__ = [
    "PRONOUNS",
    "SUFFIXES",
    "document_object",
    "format_document",
    "is_pronoun",
    "naming_mention",
    "parse_document",
    "read",
    "sniff",
    "speaker_name",
    "write",
]
