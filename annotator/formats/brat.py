r"""brat standoff folders: ``NAME.txt`` + ``NAME.ann`` pairs and an ``annotation.conf``, read and written.

Claims are brat *Attribution events*, the layout of the PolNeAR corpus::

    T1  Source 0 8          Malhotra
    T2  Cue 9 13            said
    T3  Content 14 33;40 52 India stays neutral the visit matters
    T4  Attribution 9 13    said
    E1  Attribution:T4 Source:T1 Cue:T2 Content:T3

- ``Content`` fragments are the claim's parts (one fragment: a contiguous
  claim; several ``Content`` arguments, ``Content2:`` ..., add parts);
  ``Cue`` is the cue; ``Source`` is the mention naming the speaker; the
  ``Attribution`` trigger (on the cue, or on the content's first fragment
  when there is no cue) only anchors the event. ``Attribution-no-source``
  events (PolNeAR) are read the same way.
- Every ``Source`` span is a speaker mention; one ``Source`` span used by
  several events is one speaker; the mentions of one speaker are tied by an
  ``*\tEquiv`` line. A speaker's name is an ``AnnotatorNotes`` line
  ``Speaker: NAME`` on its first mention, its kind and entity label the
  attributes ``SpeakerKind`` and ``SpeakerLabel`` there.
- The stance label is the attribute ``Stance`` on the event; the stance
  target an ``AnnotatorNotes`` line ``Target: TEXT`` on the (first)
  ``Content`` span; the claim's note an ``AnnotatorNotes`` line on the event.
- Other ``T`` labels are entities; ``R`` lines are relations (Arg1 the head,
  Arg2 the child); ``T SPAN`` marks a relation end that is not an entity.

Reading and writing go through :mod:`annotator.formats.claim_layout`: the
lines are turned into its labelled spans and links (``CLAIM`` parts chained
by ``CLAIM_PART``, ``SOURCE`` mentions tied by ``COREF``, ``SOURCE`` and
``CUE`` links to the claim) and :func:`~annotator.formats.claim_layout.rebuild`
makes the claims, so brat files mean what the other span-and-relation
formats mean (a brat file written with those labels reads as well).

Offsets count code points of the ``.txt`` file as it is on disk (no newline
translation; a UTF-8 byte order mark counts as one, as brat's UTF-8 reader
sees it). brat cannot hold a line break inside a span's text: as brat does, a
span across lines is written as fragments split at the line breaks, and
fragments separated only by white space that holds a line break (or
touching) are read as one span.

Folder layouts read: ``NAME.txt`` + ``NAME.ann`` (no annotator named, unless
the collection's ``annotation.conf`` says ``# annotator: NAME``, as this
module writes it), and PolNeAR's ``attributions/ARTICLE_ANNOTATOR.ann`` with
the text in ``text/ARTICLE.txt``, one annotation set per annotator. Written:
the model's entities of documents nobody annotated at the top, each
annotator's documents in a subfolder of their own (a brat collection with its
own copy of the texts and an ``annotation.conf`` naming the annotator).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

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
    Status,
)
from annotator.formats.claim_layout import (
    CLAIM,
    CLAIM_PART,
    COREF,
    CUE,
    ENTITY_LABEL_ATTR,
    KIND_ATTR,
    NOTE_ATTR,
    RELATION_END,
    SOURCE,
    SPAN_LABELS,
    SPEAKER_ATTR,
    STANCE_ATTR,
    TARGET_ATTR,
    LabelledSpan,
    Layout,
    Link,
    flatten,
    rebuild,
    unplaced_claim_speakers,
    unplaced_speakers,
)
from annotator.formats.interchange import LOSS_ENTITY_SOURCES, ExportItem, ReadOptions, WriteOptions
from annotator.formats.records import Record
from annotator.formats.textio import BOM, decode_utf8

SOURCE_TYPE = "Source"
CUE_TYPE = "Cue"
CONTENT_TYPE = "Content"
EVENT_TYPE = "Attribution"
NO_SOURCE_EVENT_TYPE = "Attribution-no-source"
CLAIM_EVENT_TYPES = (EVENT_TYPE, NO_SOURCE_EVENT_TYPE)
RESERVED_TYPES = frozenset({SOURCE_TYPE, CUE_TYPE, CONTENT_TYPE, *CLAIM_EVENT_TYPES, *SPAN_LABELS})
"""Span types the layout gives a meaning; an entity label of one of these names cannot be written."""
STANCE_ATTRIBUTE = "Stance"
TARGET_ATTRIBUTE = "Target"
KIND_ATTRIBUTE = "SpeakerKind"
LABEL_ATTRIBUTE = "SpeakerLabel"
NOTE_TYPE = "AnnotatorNotes"
EQUIV_TYPE = "Equiv"
TARGET_PREFIX = "Target: "
SPEAKER_PREFIX = "Speaker: "
CONF_NAME = "annotation.conf"
LAYOUT_MARKER = "# written by annotator: brat layout 1"
"""The first line of every ``annotation.conf`` this module writes."""
ANNOTATOR_PREFIX = "# annotator: "
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
"""Characters that end a line for Python's line readers (brat's); none may appear inside an ``.ann`` line."""

_BREAK_RE = re.compile("[" + "".join(sorted(LINE_BREAKS)) + "]")
_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
_FRAGMENTS_RE = re.compile(r"(\S+) (-?\d+ -?\d+(?:;-?\d+ -?\d+)*)[ \t]*")
_ANNOTATION_LINE = re.compile(r"(?:[TREAMN#][^\t ]*|\*)\t")
_NORMALIZATION_RE = re.compile(r"(\S+) (\S+) (\S+?):(\S+)")
_ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
_UNSAFE_FILE_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
)
_MAX_NAME_BYTES = 200


# ---------------------------------------------------------------- reading


@dataclass(slots=True)
class _TextBound:
    id: str
    label: str
    fragments: list[tuple[int, int]]
    text: str | None
    line: int
    continued: bool = False
    """Its text went on over the following lines (a tool wrote the span's line breaks raw)."""
    spans: list[Span] = field(default_factory=list)
    """The fragments in code points, sorted, touching ones and those split at line breaks joined."""


@dataclass(slots=True)
class _Event:
    id: str
    type: str
    trigger: str
    args: list[tuple[str, str]]
    line: int


@dataclass(slots=True)
class _Binary:
    id: str
    label: str
    args: list[tuple[str, str]]
    line: int


@dataclass(slots=True)
class _Attribute:
    id: str
    name: str
    target: str
    value: str | None
    line: int


@dataclass(slots=True)
class _Note:
    id: str
    type: str
    target: str
    text: str
    line: int


@dataclass(slots=True)
class _Equiv:
    type: str
    ids: list[str]
    line: int


@dataclass(slots=True)
class _Ann:
    """One ``.ann`` file's lines, parsed but not yet checked against the text."""

    textbounds: dict[str, _TextBound] = field(default_factory=dict)
    events: dict[str, _Event] = field(default_factory=dict)
    relations: dict[str, _Binary] = field(default_factory=dict)
    attributes: list[_Attribute] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    normalizations: dict[str, int] = field(default_factory=dict)
    equivs: list[_Equiv] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


def parse_ann(
    text: str,
    ann: str,
    path: str,
    options: ReadOptions,
    annotator: str | None = None,
    *,
    escaped_notes: bool = False,
) -> AnnotationSet:
    r"""Read one ``.ann`` file's content against its document ``text``; see the module docstring.

    Errors are :class:`InputError` naming ``path`` and the ``.ann`` line.
    What the layout cannot carry (other events, attributes, normalizations,
    notes on entities) is counted with ``options.note``. ``escaped_notes``
    reads ``\n``, ``\t`` and ``\\`` in note texts as this module writes them
    (only for collections it wrote).
    """
    parsed = _parse_lines(ann, path)
    _check_references(parsed, path)
    _read_spans(parsed, text, path, options)
    return _Builder(parsed, text, path, options, escaped_notes).build(annotator)


def _parse_lines(ann: str, path: str) -> _Ann:
    parsed = _Ann()
    raws = ann.split("\n")
    skip_to = 0
    for index, raw in enumerate(raws):
        if index < skip_to:
            continue
        number = index + 1
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.strip():
            continue
        ann_id, tab, rest = line.partition("\t")
        if not tab or not ann_id or ann_id != ann_id.strip():
            raise InputError(
                f"malformed line {_clip(line)!r}: a brat line is ID<TAB>ANNOTATION (is a tab missing?)", path, number
            )
        if ann_id != "*":
            if ann_id in parsed.lines:
                raise InputError(f"id {ann_id} is used twice (first on line {parsed.lines[ann_id]})", path, number)
            parsed.lines[ann_id] = number
        data, _, tail = rest.partition("\t")
        kind = ann_id[0]
        if kind == "T":
            _parse_textbound(parsed, ann_id, data, rest, number, path)
            skip_to = _continue_text(parsed.textbounds[ann_id], raw, raws, index)
        elif kind == "E":
            _parse_event(parsed, ann_id, data, number, path)
        elif kind == "R":
            fields = data.split()
            args = [_argument(item, ann_id, number, path) for item in fields[1:]]
            if len(args) != 2:
                raise InputError(f"malformed relation {ann_id}: expected 'TYPE Arg1:ID Arg2:ID'", path, number)
            parsed.relations[ann_id] = _Binary(ann_id, fields[0], args, number)
        elif kind in "AM":
            fields = data.split()
            if len(fields) not in (2, 3):
                raise InputError(f"malformed attribute {ann_id}: expected 'NAME ID [VALUE]'", path, number)
            value = fields[2] if len(fields) == 3 else None
            parsed.attributes.append(_Attribute(ann_id, fields[0], fields[1], value, number))
        elif kind == "N":
            match = _NORMALIZATION_RE.match(data)
            if match is None:
                raise InputError(f"malformed normalization {ann_id}: expected 'TYPE ID DB:ENTRY'", path, number)
            parsed.normalizations[ann_id] = number
            parsed.attributes.append(_Attribute(ann_id, "", match.group(2), None, number))
        elif kind == "#":
            fields = data.split()
            if len(fields) != 2:
                raise InputError(f"malformed note {ann_id}: expected 'TYPE ID<TAB>TEXT'", path, number)
            parsed.notes.append(_Note(ann_id, fields[0], fields[1], tail, number))
        elif kind == "*":
            fields = data.split()
            if len(fields) < 3:
                raise InputError("malformed equivalence: expected '*<TAB>TYPE ID ID...'", path, number)
            parsed.equivs.append(_Equiv(fields[0], fields[1:], number))
        else:
            raise InputError(
                f"unknown annotation id {ann_id!r}: brat lines start with T, R, E, A, M, N, # or *", path, number
            )
    return parsed


def _parse_textbound(parsed: _Ann, ann_id: str, data: str, rest: str, number: int, path: str) -> None:
    match = _FRAGMENTS_RE.fullmatch(data)
    if match is None:
        raise InputError(
            f"malformed text-bound {ann_id}: expected '{ann_id}<TAB>TYPE START END[;START END...]<TAB>TEXT'",
            path,
            number,
        )
    fragments = [(int(a), int(b)) for a, b in (piece.split() for piece in match.group(2).split(";"))]
    _, tab, text = rest.partition("\t")
    parsed.textbounds[ann_id] = _TextBound(ann_id, match.group(1), fragments, text if tab and text else None, number)


def _continue_text(bound: _TextBound, raw: str, raws: list[str], index: int) -> int:
    """Join to ``bound``'s text the lines that follow it when a tool wrote its line breaks raw; the next line's index.

    brat never does (it splits such spans into fragments), but other tools
    write the span's text as it is, line breaks and all.
    """
    _, tab, text = raw.partition("\t")[2].partition("\t")
    if not tab:
        return index + 1
    expected = sum(end - start for start, end in bound.fragments) + len(bound.fragments) - 1
    following = index + 1
    while len(text) < expected and following < len(raws) and not _ANNOTATION_LINE.match(raws[following]):
        text += "\n" + raws[following]
        following += 1
    if following > index + 1:
        bound.text = text[:-1] if len(text) > expected and text.endswith("\r") else text
        bound.continued = True
    return following


def _parse_event(parsed: _Ann, ann_id: str, data: str, number: int, path: str) -> None:
    fields = data.split()
    if not fields or fields[0].count(":") != 1:
        raise InputError(f"malformed event {ann_id}: expected 'TYPE:TRIGGER ROLE:ID ...'", path, number)
    event_type, trigger = fields[0].split(":")
    if not event_type or not trigger:
        raise InputError(f"malformed event {ann_id}: expected 'TYPE:TRIGGER ROLE:ID ...'", path, number)
    args = [_argument(item, ann_id, number, path) for item in fields[1:]]
    parsed.events[ann_id] = _Event(ann_id, event_type, trigger, args, number)


def _argument(item: str, ann_id: str, number: int, path: str) -> tuple[str, str]:
    role, colon, target = item.partition(":")
    if not colon or not role or not target or ":" in target:
        raise InputError(f"malformed argument {item!r} of {ann_id}: expected ROLE:ID", path, number)
    return role, target


def _check_references(parsed: _Ann, path: str) -> None:
    def check(target: str, owner: str, line: int) -> None:
        if target not in parsed.lines:
            raise InputError(f"{owner} refers to {target}, which is not in this file", path, line)

    for event in parsed.events.values():
        check(event.trigger, event.id, event.line)
        if event.trigger not in parsed.textbounds:
            raise InputError(
                f"{event.id}: its trigger {event.trigger} is not a text-bound (T) annotation", path, event.line
            )
        for _, target in event.args:
            check(target, event.id, event.line)
    for relation in parsed.relations.values():
        for _, target in relation.args:
            check(target, relation.id, relation.line)
    for attribute in parsed.attributes:
        check(attribute.target, attribute.id, attribute.line)
    for note in parsed.notes:
        check(note.target, note.id, note.line)
    for equiv in parsed.equivs:
        for target in equiv.ids:
            check(target, f"equivalence {equiv.type}", equiv.line)


def _read_spans(parsed: _Ann, text: str, path: str, options: ReadOptions) -> None:
    """Check every text-bound against the text and set its spans (one-fragment ones first, to find the unit)."""
    ordered = sorted(parsed.textbounds.values(), key=lambda t: (len(t.fragments) > 1, t.line))
    for bound in ordered:
        what = f"{bound.id} ({bound.label})"
        if bound.continued:
            options.note("brat: span texts written over several .ann lines (raw line breaks) were read")
        try:
            spans = _fragment_spans(bound, text, options, what)
            bound.spans = _join_fragments(text, spans, what)
        except InputError as error:
            raise error.located(path, bound.line) from None


def _fragment_spans(bound: _TextBound, text: str, options: ReadOptions, what: str) -> list[Span]:
    reader = options.spans
    if len(bound.fragments) == 1:
        start, end = bound.fragments[0]
        try:
            return [reader.span(text, start, end, bound.text, what)]
        except InputError:
            if bound.text is None or _BREAK_RE.search(bound.text):
                raise
            region = reader.span(text, start, end, None, what)
            if not _BREAK_RE.search(text, region.start, region.end):
                raise
            # a tool that wrote the span's line breaks as spaces
            span = reader.span(text, start, end, bound.text, what, loose_whitespace=True)
            options.note("brat: spans whose text has line breaks written as spaces were accepted")
            return [span]
    spans = [reader.span(text, start, end, None, what) for start, end in bound.fragments]
    if bound.text is not None:
        pieces = [span.text_in(text) for span in spans]
        joined = " ".join(pieces)
        known = (joined, "".join(pieces))  # brat before 1.3 joined fragments without a space
        if bound.text not in known and not (_BREAK_RE.search(joined) and bound.text.split() == joined.split()):
            raise InputError(f"{what} {bound.fragments} has text {bound.text!r} but the document has {joined!r} there")
    return spans


def _join_fragments(text: str, spans: list[Span], what: str) -> list[Span]:
    """Sort fragments; join touching ones and those separated only by white space holding a line break."""
    ordered = sorted(spans)
    joined = [ordered[0]]
    for span in ordered[1:]:
        last = joined[-1]
        if span.start < last.end:
            raise InputError(f"{what}: its fragments [{last.start}, {last.end}) and [{span.start}, {span.end}) overlap")
        gap = text[last.end : span.start]
        if not gap or (gap.isspace() and _BREAK_RE.search(gap)):
            joined[-1] = Span(last.start, span.end)
        else:
            joined.append(span)
    return joined


class _Builder:
    """Turns one parsed ``.ann`` file into claim-layout spans and links, then into an annotation set."""

    def __init__(self, parsed: _Ann, text: str, path: str, options: ReadOptions, escaped_notes: bool) -> None:
        self.parsed = parsed
        self.text = text
        self.path = path
        self.options = options
        self.escaped = escaped_notes
        self.spans: list[LabelledSpan] = []
        self.links: list[Link] = []
        self.key_of: dict[str, str] = {}
        """T id → the key of its layout span (entities, mentions, relation ends)."""
        self.used: set[int] = set()
        """Lines carried into the set; every other line is counted as not imported."""
        self.attributes: dict[str, list[_Attribute]] = {}
        self.notes: dict[str, list[_Note]] = {}
        for attribute in parsed.attributes:
            if attribute.id not in parsed.normalizations:
                self.attributes.setdefault(attribute.target, []).append(attribute)
        for note in parsed.notes:
            if note.type == NOTE_TYPE:
                self.notes.setdefault(note.target, []).append(note)
        self.triggers = {event.trigger for event in parsed.events.values()}
        self.source_keys: dict[tuple[Span, str | None], str] = {}
        self.mention_keys: dict[str, str] = {}
        """T id → the key of the SOURCE span made for it (Source spans, and other spans used as a Source)."""

    def build(self, annotator: str | None) -> AnnotationSet:
        """The annotation set of the file; counts with ``options.note`` what it does not carry."""
        self._entities()
        self._sources()
        for event in self.parsed.events.values():
            if event.type in CLAIM_EVENT_TYPES:
                self._claim(event)
        for relation in self.parsed.relations.values():
            self._relation(relation)
        for equiv in self.parsed.equivs:
            self._equiv(equiv)
        self._count_unused()
        try:
            return rebuild(self.spans, self.links, annotator, self.text)
        except InputError as error:
            raise error.located(self.path) from None

    # -- spans

    def _entities(self) -> None:
        for bound in self.parsed.textbounds.values():
            if bound.label in (SOURCE_TYPE, SOURCE) or bound.label in CLAIM_EVENT_TYPES:
                continue
            if bound.label in (CUE_TYPE, CONTENT_TYPE) or bound.id in self.triggers:
                continue
            if len(bound.spans) > 1:
                self.options.note("brat: discontinuous entity spans imported as one entity per fragment")
            for index, span in enumerate(bound.spans, start=1):
                key = bound.id if index == 1 else f"{bound.id}.{index}"
                self.spans.append(LabelledSpan(key, span, bound.label))
            self.key_of[bound.id] = bound.id
            self.used.add(bound.line)

    def _sources(self) -> None:
        for bound in self.parsed.textbounds.values():
            if bound.label in (SOURCE_TYPE, SOURCE):
                self.key_of[bound.id] = self._mention_key(bound)

    def _mention_key(self, bound: _TextBound) -> str:
        """The key of the SOURCE span for ``bound`` (one per span and speaker name), made on first use."""
        if bound.id in self.mention_keys:
            return self.mention_keys[bound.id]
        attrs: dict[str, str] = {}
        for note in self.notes.get(bound.id, []):
            if note.text.startswith(SPEAKER_PREFIX):
                attrs[SPEAKER_ATTR] = self._note_text(note)[len(SPEAKER_PREFIX) :]
                self.used.add(note.line)
        for attribute in self.attributes.get(bound.id, []):
            if attribute.name == KIND_ATTRIBUTE and attribute.value is not None:
                kinds = [kind.value for kind in SpeakerKind]
                if attribute.value not in kinds:
                    raise InputError(
                        f"{attribute.id}: speaker kind {attribute.value!r} is not one of: {', '.join(kinds)}",
                        self.path,
                        attribute.line,
                    )
                attrs[KIND_ATTR] = attribute.value
                self.used.add(attribute.line)
            elif attribute.name == LABEL_ATTRIBUTE and attribute.value is not None:
                attrs[ENTITY_LABEL_ATTR] = attribute.value
                self.used.add(attribute.line)
        span = self._single(bound, "brat: discontinuous Source spans imported as their first fragment")
        group = (span, attrs.get(SPEAKER_ATTR))
        key = self.source_keys.get(group)
        if key is None:
            key = self.source_keys[group] = f"{bound.id}~source"
            self.spans.append(LabelledSpan(key, span, SOURCE, attrs))
        self.mention_keys[bound.id] = key
        self.used.add(bound.line)
        return key

    def _single(self, bound: _TextBound, message: str) -> Span:
        if len(bound.spans) > 1:
            self.options.note(message)
        return bound.spans[0]

    # -- claims

    def _claim(self, event: _Event) -> None:
        contents: list[_TextBound] = []
        cues: list[_TextBound] = []
        sources: list[_TextBound] = []
        for role, target in event.args:
            base = role.rstrip("0123456789")
            bound = self.parsed.textbounds.get(target)
            if bound is None:
                self.options.note(f"brat: {event.type} arguments that are events ({base}) not imported")
            elif base == CONTENT_TYPE:
                contents.append(bound)
            elif base == CUE_TYPE:
                cues.append(bound)
            elif base == SOURCE_TYPE:
                sources.append(bound)
            else:
                self.options.note(f"brat: {event.type} arguments with role {base} not imported")
        if not contents:
            return  # counted with the unused lines
        parts = sorted(span for bound in contents for span in bound.spans)
        for before, after in pairwise(parts):
            if after.start < before.end:
                raise InputError(
                    f"{event.id}: its Content spans [{before.start}, {before.end}) and "
                    f"[{after.start}, {after.end}) overlap",
                    self.path,
                    event.line,
                )
        key = event.id
        attrs = self._claim_attrs(event, contents)
        for index, part in enumerate(parts, start=1):
            part_key = key if index == 1 else f"{key}.{index}"
            self.spans.append(LabelledSpan(part_key, part, CLAIM, attrs if index == 1 else {}))
            if index > 1:
                self.links.append(Link(key if index == 2 else f"{key}.{index - 1}", part_key, CLAIM_PART))
        if cues:
            cue = self._single(cues[0], "brat: discontinuous Cue spans imported as their first fragment")
            cue_key = f"{key}~cue"
            self.spans.append(LabelledSpan(cue_key, cue, CUE))
            self.links.append(Link(cue_key, key, CUE))
            self.used.add(cues[0].line)
            if len(cues) > 1:
                self.options.note(f"brat: extra Cue arguments of {event.type} events not imported", len(cues) - 1)
        if sources:
            self.links.append(Link(self._mention_key(sources[0]), key, SOURCE))
            if len(sources) > 1:
                self.options.note(f"brat: extra Source arguments of {event.type} events not imported", len(sources) - 1)
        self.used.update({event.line, self.parsed.textbounds[event.trigger].line})
        self.used.update(bound.line for bound in contents)

    def _claim_attrs(self, event: _Event, contents: list[_TextBound]) -> dict[str, str]:
        attrs: dict[str, str] = {}
        owners = [event.id, event.trigger, *(bound.id for bound in contents)]
        stances: list[_Attribute] = []
        notes: list[str] = []
        for owner in owners:
            for attribute in self.attributes.get(owner, []):
                if attribute.name == STANCE_ATTRIBUTE and attribute.value is not None:
                    stances.append(attribute)
                elif attribute.name == TARGET_ATTRIBUTE and attribute.value is not None:
                    attrs.setdefault(TARGET_ATTR, attribute.value)
                else:
                    continue
                self.used.add(attribute.line)
            for note in self.notes.get(owner, []):
                text = self._note_text(note)
                if owner != event.id and text.startswith(TARGET_PREFIX):
                    attrs.setdefault(TARGET_ATTR, text[len(TARGET_PREFIX) :])
                elif text not in notes:
                    notes.append(text)
                self.used.add(note.line)
        if len({attribute.value for attribute in stances}) > 1:
            raise InputError(
                f"{event.id} has two stances ({stances[0].value}, {stances[-1].value}); a claim has one",
                self.path,
                stances[-1].line,
            )
        if stances and stances[0].value:
            attrs[STANCE_ATTR] = stances[0].value
        if notes:
            attrs[NOTE_ATTR] = "\n".join(notes)
        return attrs

    def _note_text(self, note: _Note) -> str:
        return _unescape(note.text) if self.escaped else note.text

    # -- relations and equivalences

    def _relation(self, relation: _Binary) -> None:
        keys = [self._relation_end(target) for _, target in relation.args]
        if keys[0] is None or keys[1] is None:
            return
        self.links.append(Link(keys[0], keys[1], relation.label))
        self.used.add(relation.line)

    def _relation_end(self, target: str) -> str | None:
        if target in self.key_of:
            return self.key_of[target]
        bound = self.parsed.textbounds.get(target)
        if bound is None or len(bound.spans) != 1:
            return None
        key = self.key_of[target] = f"{target}~end"
        self.spans.append(LabelledSpan(key, bound.spans[0], RELATION_END))
        return key

    def _equiv(self, equiv: _Equiv) -> None:
        if equiv.type != EQUIV_TYPE:
            return
        bounds = [self.parsed.textbounds.get(target) for target in equiv.ids]
        if not all(bound is not None and bound.label in (SOURCE_TYPE, SOURCE) for bound in bounds):
            return
        keys = list(dict.fromkeys(self.key_of[target] for target in equiv.ids))
        self.links.extend(Link(head, child, COREF) for head, child in pairwise(keys))
        self.used.add(equiv.line)

    # -- what was not carried

    def _count_unused(self) -> None:
        parsed = self.parsed
        skipped: Counter[str] = Counter()
        for bound in parsed.textbounds.values():
            if bound.line in self.used or bound.id in self.triggers:
                continue
            if bound.label in CLAIM_EVENT_TYPES:
                skipped[f"brat: {bound.label} trigger spans without an event not imported"] += 1
            else:
                skipped[f"brat: {bound.label} spans outside an Attribution event not imported"] += 1
        for event in parsed.events.values():
            if event.line in self.used:
                continue
            if event.type in CLAIM_EVENT_TYPES:
                skipped[f"brat: {event.type} events without a Content argument not imported"] += 1
            else:
                skipped[f"brat: events of type {event.type} not imported"] += 1
        for relation in parsed.relations.values():
            if relation.line not in self.used:
                skipped["brat: relations with an event or discontinuous argument not imported"] += 1
        for attribute in parsed.attributes:
            if attribute.line in self.used:
                continue
            if attribute.id in parsed.normalizations:
                skipped["brat: normalizations (N) not imported"] += 1
            else:
                skipped[f"brat: attributes {attribute.name} on {self._describe(attribute.target)} not imported"] += 1
        for note in parsed.notes:
            if note.line not in self.used:
                skipped[f"brat: notes ({note.type}) on {self._describe(note.target)} not imported"] += 1
        for equiv in parsed.equivs:
            if equiv.line not in self.used:
                skipped[f"brat: equivalences ({equiv.type}) not imported"] += 1
        for what, count in skipped.items():
            self.options.note(what, count)

    def _describe(self, target: str) -> str:
        """What ``target`` is, in the plural, for a note about lines not imported."""
        bound = self.parsed.textbounds.get(target)
        if bound is not None:
            if bound.label in (SOURCE_TYPE, CUE_TYPE, CONTENT_TYPE, SOURCE) or bound.id in self.triggers:
                return f"{bound.label} spans"
            return "entities"
        if target in self.parsed.events:
            return "events"
        if target in self.parsed.relations:
            return "relations"
        return "other annotations"


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _ESCAPES.get(match.group(2), match.group(0))

    return _ESCAPE_RE.sub(replace, text)


def _escape(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char in LINE_BREAKS:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _clip(line: str, width: int = 60) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


# ---------------------------------------------------------------- folders


def read_folder(folder: Path, options: ReadOptions) -> Iterator[Record]:
    """Yield one record per ``.txt`` document of a brat folder (searched recursively), or of one ``.ann``/``.txt``.

    A ``.txt`` without an ``.ann`` is a document without annotations; an
    ``.ann`` without its text is an :class:`InputError` naming it, raised
    before the first record.
    """
    root = folder
    if folder.is_dir():
        files = sorted(
            path
            for path in folder.rglob("*")
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        )
        anns = [path for path in files if path.suffix.lower() == ".ann"]
        texts = [path for path in files if path.suffix.lower() == ".txt"]
    elif folder.suffix.lower() == ".ann":
        root, anns, texts = folder.parent, [folder], []
    elif folder.suffix.lower() == ".txt":
        sibling = folder.with_suffix(".ann")
        root, anns, texts = folder.parent, [sibling] if sibling.is_file() else [], [folder]
    else:
        raise InputError("is not a brat folder, .ann or .txt file", str(folder))
    collections = _Collections(root)
    by_text: dict[Path, list[tuple[Path, str | None, bool]]] = {}
    for ann_path in anns:
        text_path, annotator, ours = _text_of(ann_path, collections)
        by_text.setdefault(text_path, []).append((ann_path, annotator, ours))
    for text_path in texts:
        by_text.setdefault(text_path, [])
    if not by_text:
        raise InputError("holds no brat .ann or .txt files", str(folder))
    for text_path in sorted(by_text):
        record = _record(text_path, by_text[text_path], options)
        if record is not None:
            yield record


class _Collections:
    """What each folder's ``annotation.conf`` says: the annotator it names, and whether this module wrote it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[Path, tuple[str | None, bool]] = {}

    def of(self, folder: Path) -> tuple[str | None, bool]:
        """The annotator and authorship of the nearest ``annotation.conf`` from ``folder`` up to the root."""
        if folder in self.cache:
            return self.cache[folder]
        conf = folder / CONF_NAME
        if conf.is_file():
            result = _read_conf_header(conf)
        elif folder == self.root or self.root not in folder.parents:
            result = (None, False)
        else:
            result = self.of(folder.parent)
        self.cache[folder] = result
        return result


def _read_conf_header(conf: Path) -> tuple[str | None, bool]:
    try:
        lines = conf.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", str(conf)) from None
    if not lines or lines[0].rstrip("\r") != LAYOUT_MARKER:
        return None, False
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        if line.startswith(ANNOTATOR_PREFIX):
            return _unescape(line[len(ANNOTATOR_PREFIX) :].rstrip("\r")), True
    return None, True


def _text_of(ann_path: Path, collections: _Collections) -> tuple[Path, str | None, bool]:
    """The text file of ``ann_path``, the annotator it names and whether this module wrote its collection."""
    sibling = ann_path.with_suffix(".txt")
    if sibling.is_file():
        annotator, ours = collections.of(ann_path.parent)
        return sibling, annotator, ours
    article, underscore, annotator = ann_path.stem.rpartition("_")
    if underscore and article and annotator:
        candidate = ann_path.parent.parent / "text" / f"{article}.txt"
        if candidate.is_file():
            return candidate, annotator, False
    raise InputError(
        f"has no text: brat needs {sibling.name} beside it (or ../text/ARTICLE.txt for ARTICLE_ANNOTATOR.ann, "
        "as in PolNeAR); add the text or remove the .ann",
        str(ann_path),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", str(path)) from None


def _record(text_path: Path, anns: list[tuple[Path, str | None, bool]], options: ReadOptions) -> Record | None:
    raw = _read_bytes(text_path)
    text = decode_utf8(raw, str(text_path))
    with_bom = raw.startswith(BOM.encode("utf-8"))
    sets: list[AnnotationSet] = []
    for ann_path, annotator, ours in anns:
        content = decode_utf8(_read_bytes(ann_path), str(ann_path))
        aset = parse_ann(
            BOM + text if with_bom else text, content, str(ann_path), options, annotator, escaped_notes=ours
        )
        if with_bom:
            aset = _without_bom(aset, str(ann_path))
        if aset.annotator is not None or not aset.is_empty:
            sets.append(aset)
    if not text:
        options.note("brat: empty .txt files skipped")
        return None
    document = Document(external_id=text_path.stem, text=text, meta={"source": text_path.name})
    return Record(document=document, annotations=sets)


def _without_bom(aset: AnnotationSet, path: str) -> AnnotationSet:
    """``aset`` with offsets counted after a byte order mark the text file starts with (brat counts it)."""

    def shift(span: Span) -> Span:
        if span.start == 0:
            raise InputError("a span starts on the byte order mark at the start of the text file", path)
        return Span(span.start - 1, span.end - 1)

    speakers: dict[int, Speaker] = {}
    for speaker in aset.speakers:
        speakers[id(speaker)] = Speaker(
            speaker.name, speaker.kind, speaker.entity_label, [shift(m) for m in speaker.mentions]
        )
    claims = []
    for claim in aset.claims:
        extent = shift(claim.span)
        claims.append(
            Claim(
                extent.start,
                extent.end,
                parts=[shift(p) for p in claim.parts] if claim.parts else None,
                speaker=speakers[id(claim.speaker)] if claim.speaker is not None else None,
                mention=shift(claim.mention) if claim.mention else None,
                cue=shift(claim.cue) if claim.cue else None,
                stance=claim.stance,
                note=claim.note,
            )
        )
    entities = [Entity(s.start, s.end, e.label, e.source) for e in aset.entities for s in [shift(e.span)]]
    relations = [Relation(shift(r.head), shift(r.child), r.label) for r in aset.relations]
    return AnnotationSet(
        annotator=aset.annotator,
        entities=entities,
        speakers=list(speakers.values()),
        claims=claims,
        relations=relations,
    )


# ---------------------------------------------------------------- writing


@dataclass(slots=True)
class _Collection:
    """One brat collection being written: its folder, the annotator it holds and the file names taken."""

    folder: Path
    annotator: str | None
    names: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Declared:
    """What the ``annotation.conf`` files must declare."""

    entities: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)
    stances: set[str] = field(default_factory=set)
    speaker_labels: set[str] = field(default_factory=set)
    relation_ends: bool = False


def write(pairs: Iterable[ExportItem], folder: Path, options: WriteOptions) -> None:
    """Write ``pairs`` as brat collections into the empty ``folder``; see the module docstring.

    brat counts code points, so ``options.offsets`` is not used. Everything
    the layout cannot carry is tallied in ``options.losses``.
    """
    collections: dict[str | None, _Collection] = {None: _Collection(folder, None)}
    folder_names: set[str] = set()
    declared = _Declared()
    last_document: int | str | None = None  # pairs come document by document: metadata is counted once each
    for document, aset in pairs:
        collection = collections.get(aset.annotator)
        if collection is None:
            assert aset.annotator is not None
            name = _safe_name(aset.annotator, folder_names, "annotator", folder=True)
            collection = collections[aset.annotator] = _Collection(folder / name, aset.annotator)
            collection.folder.mkdir()
        name = _safe_name(document.external_id, collection.names, "document")
        if name != document.external_id:
            options.losses.lose("document ids that are not safe file names (written under another name)")
        (collection.folder / f"{name}.txt").write_bytes(document.text.encode("utf-8"))
        writer = _AnnWriter(document.text, options, declared)
        (collection.folder / f"{name}.ann").write_bytes(writer.ann(aset).encode("utf-8"))
        key = document.id if document.id is not None else document.external_id
        if key != last_document and any(k != "source" for k in document.meta):
            options.losses.lose("document metadata (date, title, url, ...)")
        last_document = key
    schema_entities = options.schema.names("entity")
    stances = options.schema.names("stance")
    for collection in collections.values():
        conf = _conf(declared, schema_entities, stances, collection.annotator)
        (collection.folder / CONF_NAME).write_text(conf, encoding="utf-8", newline="\n")


def _safe_name(name: str, taken: set[str], fallback: str, *, folder: bool = False) -> str:
    """A file or folder name for ``name`` that no file system refuses, unique (case-insensitively) in ``taken``.

    A ``folder`` name never ends like the files beside it (``.txt``, ``.ann``, ``.conf``).
    """
    base = _UNSAFE_FILE_CHARS.sub("_", name).strip().rstrip(".")
    if folder and base.lower().endswith((".txt", ".ann", ".conf")):
        base += "_"
    if base.startswith("."):
        base = "_" + base[1:]
    if not base:
        base = fallback
    if base.split(".")[0].lower() in _WINDOWS_RESERVED:
        base = "_" + base
    encoded = base.encode("utf-8")
    if len(encoded) > _MAX_NAME_BYTES:
        base = encoded[:_MAX_NAME_BYTES].decode("utf-8", errors="ignore")
    candidate, number = base, 2
    while candidate.casefold() in taken:
        candidate = f"{base}-{number}"
        number += 1
    taken.add(candidate.casefold())
    return candidate


class _AnnWriter:
    """Writes one annotation set's ``.ann`` lines from its claim layout."""

    def __init__(self, text: str, options: WriteOptions, declared: _Declared) -> None:
        self.text = text
        self.options = options
        self.declared = declared
        self.lines: list[str] = []
        self.counters: Counter[str] = Counter()
        self.t_of: dict[str, str] = {}

    def ann(self, aset: AnnotationSet) -> str:
        """The ``.ann`` file content for ``aset``."""
        losses = self.options.losses
        losses.lose("speakers without a mention (e.g. the article as author)", unplaced_speakers(aset))
        losses.lose("claim speakers without a mention", unplaced_claim_speakers(aset))
        if aset.note:
            losses.lose("document notes")
        losses.lose(
            LOSS_ENTITY_SOURCES,
            sum(1 for entity in aset.entities if entity.source != EntitySource.IMPORT),
        )
        if aset.status != Status.NEW:
            losses.lose("annotation statuses (done, in progress, skipped)")
        reserved = [entity for entity in aset.entities if entity.label in RESERVED_TYPES]
        if reserved:
            losses.lose(
                f"entities labelled {', '.join(sorted(RESERVED_TYPES))} (names the layout reserves)", len(reserved)
            )
            aset = replace(aset, entities=[entity for entity in aset.entities if entity.label not in RESERVED_TYPES])
        layout = flatten(aset)
        by_key = layout.by_key()
        for item in layout.spans:
            if item.label not in SPAN_LABELS:
                self._entity(item)
            elif item.label == RELATION_END:
                ann_id = self._textbound(RELATION_END, [item.span])
                if ann_id is not None:
                    self.t_of[item.key] = ann_id
                    self.declared.relation_ends = True
            elif item.label == SOURCE:
                self._mention(item)
        self._claims(layout, by_key)
        self._relations(layout, by_key)
        return "".join(line + "\n" for line in self.lines)

    # -- lines

    def _next(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]}"

    def _fragments(self, spans: list[Span]) -> list[Span]:
        fragments: list[Span] = []
        for span in spans:
            pieces = _line_fragments(self.text, span)
            if not pieces:
                self.options.losses.lose("spans made only of line breaks")
                continue
            if pieces[0].start != span.start or pieces[-1].end != span.end:
                self.options.losses.lose("span ends on line breaks (written without them)")
            fragments.extend(pieces)
        return fragments

    def _textbound(self, label: str, spans: list[Span], fragments: list[Span] | None = None) -> str | None:
        """Write a T line over ``spans`` (split at line breaks) or the given ``fragments``; its id."""
        pieces = fragments if fragments is not None else self._fragments(spans)
        if not pieces:
            return None
        ann_id = self._next("T")
        offsets = ";".join(f"{piece.start} {piece.end}" for piece in pieces)
        covered = " ".join(piece.text_in(self.text) for piece in pieces)
        self.lines.append(f"{ann_id}\t{label} {offsets}\t{covered}")
        return ann_id

    def _note(self, target: str, text: str) -> None:
        self.lines.append(f"{self._next('#')}\t{NOTE_TYPE} {target}\t{_escape(text)}")

    def _attribute(self, name: str, target: str, value: str) -> None:
        self.lines.append(f"{self._next('A')}\t{name} {target} {value}")

    def _name(self, label: str) -> str:
        if _NAME_RE.fullmatch(label):
            return label
        self.options.losses.lose("labels with characters other than A-Z, a-z, 0-9, _ and - (written with _)")
        return re.sub(r"[^A-Za-z0-9_-]", "_", label)

    # -- entities and mentions

    def _entity(self, item: LabelledSpan) -> None:
        label = self._name(item.label)
        ann_id = self._textbound(label, [item.span])
        if ann_id is not None:
            self.t_of[item.key] = ann_id
            self.declared.entities.add(label)

    def _mention(self, item: LabelledSpan) -> None:
        ann_id = self._textbound(SOURCE_TYPE, [item.span])
        if ann_id is None:
            return
        self.t_of[item.key] = ann_id
        attrs = item.attrs
        if attrs.get(SPEAKER_ATTR) is not None:
            self._note(ann_id, SPEAKER_PREFIX + attrs[SPEAKER_ATTR])
        if attrs.get(KIND_ATTR):
            self._attribute(KIND_ATTRIBUTE, ann_id, attrs[KIND_ATTR])
        if attrs.get(ENTITY_LABEL_ATTR):
            label = self._name(attrs[ENTITY_LABEL_ATTR])
            self._attribute(LABEL_ATTRIBUTE, ann_id, label)
            self.declared.speaker_labels.add(label)

    # -- claims

    def _claims(self, layout: Layout, by_key: dict[str, LabelledSpan]) -> None:
        next_part: dict[str, str] = {}
        later: set[str] = set()
        cue_of: dict[str, str] = {}
        source_of: dict[str, str] = {}
        for link in layout.links:
            if not _is_claim_link(link, by_key):
                continue
            if link.label == CLAIM_PART:
                next_part[link.head] = link.child
                later.add(link.child)
            elif link.label == CUE:
                cue_of[link.child] = link.head
            else:
                source_of[link.child] = link.head
        for item in layout.spans:
            if item.label != CLAIM or item.key in later:
                continue
            parts = [item.span]
            key = item.key
            while key in next_part:
                key = next_part[key]
                parts.append(by_key[key].span)
            cue = by_key[cue_of[item.key]].span if item.key in cue_of else None
            self._claim(parts, cue, self.t_of.get(source_of.get(item.key, "")), item.attrs)

    def _claim(self, parts: list[Span], cue: Span | None, source: str | None, attrs: dict[str, str]) -> None:
        content_ids: list[str] = []
        first_fragment: Span | None = None
        for group in _content_groups(self.text, sorted(parts)):
            fragments = self._fragments(group)
            ann_id = self._textbound(CONTENT_TYPE, [], fragments)
            if ann_id is not None:
                content_ids.append(ann_id)
                first_fragment = first_fragment or fragments[0]
        if not content_ids or first_fragment is None:
            self.options.losses.lose("claims made only of line breaks")
            return
        cue_id = None
        cue_fragments: list[Span] = []
        if cue is not None:
            cue_fragments = self._fragments([cue])
            cue_id = self._textbound(CUE_TYPE, [], cue_fragments)
        trigger = self._textbound(EVENT_TYPE, [], cue_fragments if cue_id is not None else [first_fragment])
        args = [f"{EVENT_TYPE}:{trigger}"]
        if source is not None:
            args.append(f"{SOURCE_TYPE}:{source}")
        if cue_id is not None:
            args.append(f"{CUE_TYPE}:{cue_id}")
        args.extend(
            f"{CONTENT_TYPE}{'' if index == 1 else index}:{ann_id}" for index, ann_id in enumerate(content_ids, 1)
        )
        event_id = self._next("E")
        self.lines.append(f"{event_id}\t{' '.join(args)}")
        if attrs.get(STANCE_ATTR):
            value = self._name(attrs[STANCE_ATTR])
            self._attribute(STANCE_ATTRIBUTE, event_id, value)
            self.declared.stances.add(value)
        if attrs.get(TARGET_ATTR):
            self._note(content_ids[0], TARGET_PREFIX + attrs[TARGET_ATTR])
        if attrs.get(NOTE_ATTR):
            self._note(event_id, attrs[NOTE_ATTR])

    # -- relations and coreference

    def _relations(self, layout: Layout, by_key: dict[str, LabelledSpan]) -> None:
        chains: dict[str, list[str]] = {}
        chain_of: dict[str, str] = {}
        for link in layout.links:
            if link.label == COREF and by_key[link.head].label == SOURCE == by_key[link.child].label:
                root = chain_of.get(link.head, link.head)
                chain_of[link.child] = root
                chains.setdefault(root, [root]).append(link.child)
            elif not _is_claim_link(link, by_key):
                self._relation(link)
        for members in chains.values():
            ids = list(dict.fromkeys(self.t_of[key] for key in members if key in self.t_of))
            if len(ids) > 1:
                self.lines.append(f"*\t{EQUIV_TYPE} {' '.join(ids)}")

    def _relation(self, link: Link) -> None:
        head, child = self.t_of.get(link.head), self.t_of.get(link.child)
        if head is None or child is None:
            self.options.losses.lose("relations whose ends could not be written")
            return
        label = self._name(link.label)
        self.declared.relations.add(label)
        self.lines.append(f"{self._next('R')}\t{label} Arg1:{head} Arg2:{child}\t")


def _is_claim_link(link: Link, by_key: dict[str, LabelledSpan]) -> bool:
    """True for the layout's links that make claims (parts, cue, source), as :func:`rebuild` reads them."""
    head, child = by_key[link.head].label, by_key[link.child].label
    if link.label == CLAIM_PART:
        return head == CLAIM == child
    return link.label in (CUE, SOURCE) and head == link.label and child == CLAIM


def _line_fragments(text: str, span: Span) -> list[Span]:
    """``span`` split at line breaks as brat splits it: each line's piece without the white space around the break."""
    if not _BREAK_RE.search(text, span.start, span.end):
        return [span]
    pieces: list[tuple[int, int]] = []
    start = span.start
    for match in _BREAK_RE.finditer(text, span.start, span.end):
        pieces.append((start, match.start()))
        start = match.end()
    pieces.append((start, span.end))
    fragments: list[Span] = []
    for index, (first, last) in enumerate(pieces):
        if index > 0:
            while first < last and text[first].isspace():
                first += 1
        if index < len(pieces) - 1:
            while last > first and text[last - 1].isspace():
                last -= 1
        if first < last:
            fragments.append(Span(first, last))
    return fragments


def _content_groups(text: str, parts: list[Span]) -> list[list[Span]]:
    """Claim parts grouped into Content spans: a new one where a reader would join two parts into one."""
    groups: list[list[Span]] = []
    for part in parts:
        if groups:
            gap = text[groups[-1][-1].end : part.start]
            if gap and not (gap.isspace() and _BREAK_RE.search(gap)):
                groups[-1].append(part)
                continue
        groups.append([part])
    return groups


def _conf(
    declared: _Declared,
    schema_entities: list[str],
    schema_stances: list[str],
    annotator: str | None,
) -> str:
    """An ``annotation.conf`` declaring every type the written files use (and the schema's labels)."""
    header = [LAYOUT_MARKER]
    if annotator is not None:
        header.append(ANNOTATOR_PREFIX + _escape(annotator))
    header += [
        "# Claims are Attribution events: Source (the speaker's mention), Cue and Content (the claim's parts).",
        "# Mentions of one speaker are tied by Equiv; a speaker's name is an AnnotatorNotes 'Speaker: NAME' on a",
        "# mention; a stance target is an AnnotatorNotes 'Target: TEXT' on the Content; claim notes are on the event.",
    ]
    valid = [name for name in schema_entities if _NAME_RE.fullmatch(name) and name not in RESERVED_TYPES]
    entities = list(dict.fromkeys([SOURCE_TYPE, CUE_TYPE, CONTENT_TYPE, *valid, *sorted(declared.entities)]))
    if declared.relation_ends:
        entities.append(RELATION_END)
    stances = list(dict.fromkeys([n for n in schema_stances if _NAME_RE.fullmatch(n)] + sorted(declared.stances)))
    speaker_labels = list(dict.fromkeys([*valid, *sorted(declared.speaker_labels)]))
    lines = [*header, "", "[entities]", *entities, "", "[relations]"]
    lines.append(f"{EQUIV_TYPE}\tArg1:{SOURCE_TYPE}, Arg2:{SOURCE_TYPE}, <REL-TYPE>:symmetric-transitive")
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines.extend(f"{label}\tArg1:<ENTITY>, Arg2:<ENTITY>" for label in sorted(declared.relations))
    lines += ["", "[events]", f"{EVENT_TYPE}\tSource?:{SOURCE_TYPE}, Cue?:{CUE_TYPE}, Content+:{CONTENT_TYPE}"]
    lines += ["", "[attributes]"]
    if stances:
        lines.append(f"{STANCE_ATTRIBUTE}\tArg:{EVENT_TYPE}, Value:{'|'.join(stances)}")
    lines.append(f"{KIND_ATTRIBUTE}\tArg:{SOURCE_TYPE}, Value:{'|'.join(kind.value for kind in SpeakerKind)}")
    if speaker_labels:
        lines.append(f"{LABEL_ATTRIBUTE}\tArg:{SOURCE_TYPE}, Value:{'|'.join(speaker_labels)}")
    return "\n".join(lines) + "\n"


def sniff(path: str, head: bytes) -> bool:
    """True for a brat ``.ann`` file (brat is known by its file name, not its content)."""
    del head
    return path.lower().endswith(".ann")


__all__ = [
    "ANNOTATOR_PREFIX",
    "CONF_NAME",
    "CONTENT_TYPE",
    "CUE_TYPE",
    "EVENT_TYPE",
    "LAYOUT_MARKER",
    "SOURCE_TYPE",
    "parse_ann",
    "read_folder",
    "sniff",
    "write",
]
