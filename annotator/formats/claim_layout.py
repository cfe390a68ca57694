"""Claims, speakers and cues as labelled spans and links: the layout span-and-relation tools share.

Prodigy, doccano, Label Studio and brat know labelled spans and labelled
relations between them, not claims. Every one of those formats writes an
annotation set the same way, so a file written by one reads back the same
in all:

- each claim part is a ``CLAIM`` span; the parts of a split claim are
  chained by ``CLAIM_PART`` links, earlier part to later part;
- each speaker mention is a ``SOURCE`` span; mentions of one speaker are
  chained by ``COREF`` links; a ``SOURCE`` link goes from the mention a
  claim names its speaker with to the claim's first part;
- a cue is a ``CUE`` span with a ``CUE`` link to the claim's first part;
- entities keep their labels; other tools' relations keep theirs.

What a format can attach to a span (``attrs``) it carries too: a claim's
stance label and target and note, a speaker's name and kind. A format that
cannot, tallies them as losses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from annotator.domain.errors import InputError
from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Entity,
    EntitySource,
    Relation,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
)
from annotator.domain.spans import claim_extent

CLAIM = "CLAIM"
SOURCE = "SOURCE"
CUE = "CUE"
CLAIM_PART = "CLAIM_PART"
COREF = "COREF"
RELATION_END = "SPAN"
"""The label of a span written only because a relation ends there (not an entity)."""
SPAN_LABELS = (CLAIM, SOURCE, CUE, RELATION_END)
"""Span labels the layout reserves; an entity label of the same name cannot be told apart."""
LINK_LABELS = (SOURCE, CUE, CLAIM_PART, COREF)

STANCE_ATTR = "stance"
TARGET_ATTR = "target"
NOTE_ATTR = "note"
SPEAKER_ATTR = "speaker"
KIND_ATTR = "kind"
ENTITY_LABEL_ATTR = "entity_label"
CLAIM_ATTRS = (STANCE_ATTR, TARGET_ATTR, NOTE_ATTR)
SOURCE_ATTRS = (SPEAKER_ATTR, KIND_ATTR, ENTITY_LABEL_ATTR)
SPAN_ATTRS = {CLAIM: CLAIM_ATTRS, SOURCE: SOURCE_ATTRS}
"""The attributes each span label can carry: a claim's (on its first part), a speaker's (on the first mention)."""
ATTRS = (*CLAIM_ATTRS, *SOURCE_ATTRS)
"""Every attribute name the layout uses."""


@dataclass(frozen=True, slots=True)
class LabelledSpan:
    """One span with its label, a key unique in its set ("c1", "c1.2", "s1.1", "q1", "e4") and attributes."""

    key: str
    span: Span
    label: str
    attrs: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled link from the span keyed ``head`` to the span keyed ``child``."""

    head: str
    child: str
    label: str


@dataclass(slots=True)
class Layout:
    """An annotation set flattened into spans and links (in a stable order: entities, speakers, claims)."""

    spans: list[LabelledSpan] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def by_key(self) -> dict[str, LabelledSpan]:
        """The spans by key."""
        return {item.key: item for item in self.spans}


def flatten(aset: AnnotationSet) -> Layout:
    """Lay ``aset``'s entities, speakers, claims and relations out as labelled spans and links."""
    layout = Layout()
    entity_keys: dict[tuple[Span, str], str] = {}
    for index, entity in enumerate(aset.entities, start=1):
        key = f"e{index}"
        entity_keys.setdefault((entity.span, entity.label), key)
        layout.spans.append(LabelledSpan(key, entity.span, entity.label))
    mention_keys: dict[tuple[int, Span], str] = {}
    for number, speaker in enumerate(aset.speakers, start=1):
        previous: str | None = None
        for index, mention in enumerate(speaker.mentions, start=1):
            key = f"s{number}.{index}"
            mention_keys[(id(speaker), mention)] = key
            attrs = {SPEAKER_ATTR: speaker.name, KIND_ATTR: speaker.kind.value}
            if speaker.entity_label:
                attrs[ENTITY_LABEL_ATTR] = speaker.entity_label
            layout.spans.append(LabelledSpan(key, mention, SOURCE, attrs if index == 1 else {}))
            if previous is not None:
                layout.links.append(Link(previous, key, COREF))
            previous = key
    for number, claim in enumerate(aset.claims, start=1):
        first = f"c{number}"
        attrs = _claim_attrs(claim)
        for index, part in enumerate(claim.pieces, start=1):
            key = first if index == 1 else f"c{number}.{index}"
            layout.spans.append(LabelledSpan(key, part, CLAIM, attrs if index == 1 else {}))
            if index > 1:
                layout.links.append(Link(first if index == 2 else f"c{number}.{index - 1}", key, CLAIM_PART))
        if claim.cue is not None:
            cue_key = f"q{number}"
            layout.spans.append(LabelledSpan(cue_key, claim.cue, CUE))
            layout.links.append(Link(cue_key, first, CUE))
        if claim.speaker is not None and claim.mention is not None:
            mention_key = mention_keys.get((id(claim.speaker), claim.mention))
            if mention_key is not None:
                layout.links.append(Link(mention_key, first, SOURCE))
    for number, relation in enumerate(aset.relations, start=1):
        head = _relation_end(layout, entity_keys, relation.head, f"r{number}h")
        child = _relation_end(layout, entity_keys, relation.child, f"r{number}c")
        layout.links.append(Link(head, child, relation.label))
    return layout


def unplaced_speakers(aset: AnnotationSet) -> int:
    """Speakers with no mention, whom a span-based layout cannot carry."""
    return sum(1 for speaker in aset.speakers if not speaker.mentions)


def unplaced_claim_speakers(aset: AnnotationSet) -> int:
    """Claims whose speaker is set without a mention: the layout cannot say who."""
    return sum(1 for claim in aset.claims if claim.speaker is not None and claim.mention is None)


def _claim_attrs(claim: Claim) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if claim.stance is not None and claim.stance.label:
        attrs[STANCE_ATTR] = claim.stance.label
    if claim.stance is not None and claim.stance.target:
        attrs[TARGET_ATTR] = claim.stance.target
    if claim.note:
        attrs[NOTE_ATTR] = claim.note
    return attrs


def _relation_end(layout: Layout, entity_keys: dict[tuple[Span, str], str], span: Span, fresh: str) -> str:
    """The key of an entity span at ``span``, or a new unlabelled span for it."""
    for (entity_span, _label), key in entity_keys.items():
        if entity_span == span:
            return key
    layout.spans.append(LabelledSpan(fresh, span, RELATION_END))
    entity_keys[(span, RELATION_END)] = fresh
    return fresh


def rebuild(
    spans: Iterable[LabelledSpan], links: Iterable[Link], annotator: str | None = None, text: str | None = None
) -> AnnotationSet:
    """The annotation set that ``spans`` and ``links`` (read from a file) lay out; see the module docstring.

    Spans with other labels become entities (source ``import``); links with
    other labels become relations. Given the document's ``text``, speakers
    read without a name get one from :func:`name_speakers`. Raises
    :class:`InputError` for a link to a key that is not there, or a claim
    linked to two sources or cues.
    """
    spans = list(spans)
    by_key = {item.key: item for item in spans}
    aset = AnnotationSet(annotator=annotator)
    next_part: dict[str, str] = {}
    has_previous: set[str] = set()
    coref: dict[str, str] = {}
    source_of: dict[str, str] = {}
    cue_of: dict[str, str] = {}
    for link in links:
        for key in (link.head, link.child):
            if key not in by_key:
                raise InputError(f"relation {link.label} refers to {key!r}, which is not a span of this document")
        head, child = by_key[link.head], by_key[link.child]
        if link.label == CLAIM_PART and head.label == CLAIM == child.label:
            next_part[link.head] = link.child
            has_previous.add(link.child)
        elif link.label == COREF and head.label == SOURCE == child.label:
            coref[link.child] = link.head
        elif link.label == SOURCE and head.label == SOURCE and child.label == CLAIM:
            if source_of.setdefault(link.child, link.head) != link.head:
                raise InputError(f"claim {link.child!r} has two SOURCE relations; a claim has one speaker mention")
        elif link.label == CUE and head.label == CUE and child.label == CLAIM:
            if cue_of.setdefault(link.child, link.head) != link.head:
                raise InputError(f"claim {link.child!r} has two CUE relations; a claim has one cue")
        else:
            aset.relations.append(Relation(head.span, child.span, link.label))
    for item in spans:
        if item.label not in SPAN_LABELS:
            aset.entities.append(Entity(item.span.start, item.span.end, item.label, EntitySource.IMPORT))
    speakers = _speakers(spans, coref)
    aset.speakers = list(dict.fromkeys(speakers.values()))
    for item in spans:
        if item.label != CLAIM or item.key in has_previous:
            continue
        parts = [item.span]
        key = item.key
        seen = {key}
        while key in next_part:
            key = next_part[key]
            if key in seen:
                raise InputError(f"claim {item.key!r}: its CLAIM_PART relations form a loop")
            seen.add(key)
            parts.append(by_key[key].span)
        aset.claims.append(_claim(item, parts, speakers, by_key, source_of.get(item.key), cue_of.get(item.key)))
    if text is not None:
        name_speakers(aset, text)
    return aset


def _speakers(spans: list[LabelledSpan], coref: dict[str, str]) -> dict[str, Speaker]:
    """One speaker per COREF chain of SOURCE spans, keyed by every mention's key."""

    def root(key: str) -> str:
        seen = set()
        while key in coref and key not in seen:
            seen.add(key)
            key = coref[key]
        return key

    groups: dict[str, list[LabelledSpan]] = {}
    for item in spans:
        if item.label == SOURCE:
            groups.setdefault(root(item.key), []).append(item)
    speakers: dict[str, Speaker] = {}
    for members in groups.values():
        attrs = next((m.attrs for m in members if m.attrs.get(SPEAKER_ATTR)), {})
        speaker = Speaker(
            name=attrs.get(SPEAKER_ATTR, ""),  # "" until name_speakers gives the longest mention's text
            kind=_kind(attrs.get(KIND_ATTR)),
            entity_label=attrs.get(ENTITY_LABEL_ATTR),
            mentions=sorted({m.span for m in members}),
        )
        for member in members:
            speakers[member.key] = speaker
    return speakers


def name_speakers(aset: AnnotationSet, text: str) -> None:
    """Give speakers read without a name the text of their longest mention."""
    for speaker in aset.speakers:
        if not speaker.name and speaker.mentions:
            longest = max(speaker.mentions, key=lambda s: s.end - s.start)
            speaker.name = longest.text_in(text)


def _kind(value: str | None) -> SpeakerKind:
    if value is None:
        return SpeakerKind.PERSON
    try:
        return SpeakerKind(value)
    except ValueError:
        kinds = ", ".join(kind.value for kind in SpeakerKind)
        raise InputError(f"speaker kind {value!r} is not one of: {kinds}") from None


def _claim(
    item: LabelledSpan,
    parts: list[Span],
    speakers: dict[str, Speaker],
    by_key: dict[str, LabelledSpan],
    source: str | None,
    cue: str | None,
) -> Claim:
    extent = claim_extent(parts)
    stance = None
    if item.attrs.get(STANCE_ATTR) or item.attrs.get(TARGET_ATTR):
        stance = Stance(item.attrs.get(STANCE_ATTR), item.attrs.get(TARGET_ATTR))
    return Claim(
        start=extent.start,
        end=extent.end,
        parts=sorted(parts) if len(parts) > 1 else None,
        speaker=speakers[source] if source is not None else None,
        mention=by_key[source].span if source is not None else None,
        cue=by_key[cue].span if cue is not None else None,
        stance=stance,
        note=item.attrs.get(NOTE_ATTR),
    )


__all__ = [
    "ATTRS",
    "CLAIM",
    "CLAIM_ATTRS",
    "CLAIM_PART",
    "COREF",
    "CUE",
    "LINK_LABELS",
    "RELATION_END",
    "SOURCE",
    "SOURCE_ATTRS",
    "SPAN_ATTRS",
    "SPAN_LABELS",
    "LabelledSpan",
    "Layout",
    "Link",
    "flatten",
    "name_speakers",
    "rebuild",
    "unplaced_claim_speakers",
    "unplaced_speakers",
]
