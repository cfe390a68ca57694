"""spaCy's binary training format (``.spacy``, a ``DocBin``), written for ``spacy train`` and ``spacy debug data``.

One ``Doc`` per (document, annotator), made with the tokenizer of a blank
English pipeline and split further wherever a span edge falls inside a
token, so every span keeps its exact character offsets. Each ``Doc`` has:

- ``doc.ents``: the entities (overlapping ones cannot all be ents: the
  longer, then earlier, is kept and the others counted as a loss); tokens
  outside them are ``O`` when the set has entities, unset when it has none;
- ``doc.spans["entities"]``: every entity, overlapping or not;
- ``doc.spans["claims"]``: one ``CLAIM`` span per claim part, its span id
  the claim's id (``c1``; the parts of a split claim share it);
- ``doc.spans["speakers"]``: one ``SOURCE`` span per speaker mention, its
  span id the speaker's id (``s1``);
- ``doc.spans["cues"]``: one ``CUE`` span per claim with a cue, its span id
  the claim's id;
- ``doc.spans["sc"]``: the claim, speaker and cue spans together, for a
  ``spancat`` component with its default ``spans_key``;
- ``doc.user_data["annotator"]``: what spans cannot say, by character
  offsets: document id, annotator, status, notes, meta, the speakers (name,
  kind, entity label, mentions), the claims (parts, cue, speaker and the
  mention naming them, stance label and target, note), entity sources and
  relations. The ``DocBin`` is written with ``store_user_data=True``.

spaCy is imported only when a file is written. The module lives in
``annotator.nlp`` (the one layer that may import spaCy) and imports only the
domain; the format registry lists it with the file formats.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from annotator.domain.model import AnnotationSet, Document, Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SUFFIXES = (".spacy",)
CLAIM = "CLAIM"
SOURCE = "SOURCE"
CUE = "CUE"
"""Span labels, the same as :mod:`annotator.formats.claim_layout` gives the span-and-relation formats."""
USER_DATA_KEY = "annotator"
USER_DATA_FORMAT = "annotator/v1"
ENTITIES_KEY = "entities"
CLAIMS_KEY = "claims"
SPEAKERS_KEY = "speakers"
CUES_KEY = "cues"
SPANCAT_KEY = "sc"
LOSS_OVERLAPPING = "overlapping entities (kept in doc.spans['entities'])"
LOSS_WIDENED = "span edges inside a token (widened to whole tokens)"


class Losses(Protocol):
    """Where a writer tallies what it cannot carry (:class:`annotator.formats.interchange.ExportLosses`)."""

    def lose(self, what: str, count: int = 1) -> None:
        """Record that ``count`` items of ``what`` were not written."""


class Options(Protocol):
    """What this writer uses of :class:`annotator.formats.interchange.WriteOptions`: the losses tally."""

    @property
    def losses(self) -> Losses:
        """The export's losses tally."""


def write(pairs: Iterable[tuple[Document, AnnotationSet]], sink: BinaryIO, options: Options) -> None:
    """The registry's writer: a ``DocBin`` of one ``Doc`` per (document, annotator), as bytes to ``sink``."""
    import spacy  # lazily: the command line and the window start without spaCy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    for document, aset in pairs:
        docbin.add(make_doc(nlp, document, aset, options.losses))
    sink.write(docbin.to_bytes())


def make_doc(nlp: Language, document: Document, aset: AnnotationSet, losses: Losses) -> Doc:
    """The ``Doc`` for one (document, annotator) pair; what it cannot carry goes to ``losses``."""
    from spacy.tokens import Span as SpacySpan

    text = document.text
    speaker_ids = {id(speaker): f"s{number}" for number, speaker in enumerate(aset.speakers, start=1)}
    edges: list[Span] = [entity.span for entity in aset.entities]
    edges += [mention for speaker in aset.speakers for mention in speaker.mentions]
    for claim in aset.claims:
        edges += claim.pieces
        edges += [span for span in (claim.cue, claim.mention) if span is not None]
    doc = aligned_doc(nlp, text, edges)

    def span(item: Span, label: str, span_id: str = "") -> SpacySpan:
        aligned = doc.char_span(item.start, item.end, label=label, span_id=span_id)
        if aligned is None:  # not expected: aligned_doc splits tokens at every edge
            losses.lose(LOSS_WIDENED)
            aligned = doc.char_span(item.start, item.end, label=label, span_id=span_id, alignment_mode="expand")
        assert aligned is not None
        return aligned

    entities = [span(entity.span, entity.label) for entity in aset.entities]
    doc.spans[ENTITIES_KEY] = entities
    if entities:
        kept = _non_overlapping(entities)
        losses.lose(LOSS_OVERLAPPING, len(entities) - len(kept))
        doc.set_ents(kept, default="outside")
    claims, cues = [], []
    for number, claim in enumerate(aset.claims, start=1):
        claims += [span(part, CLAIM, f"c{number}") for part in claim.pieces]
        if claim.cue is not None:
            cues.append(span(claim.cue, CUE, f"c{number}"))
    speakers = [
        span(mention, SOURCE, speaker_ids[id(speaker)]) for speaker in aset.speakers for mention in speaker.mentions
    ]
    doc.spans[CLAIMS_KEY] = claims
    doc.spans[SPEAKERS_KEY] = speakers
    doc.spans[CUES_KEY] = cues
    unique = {(item.start, item.end, item.label_): item for item in [*claims, *speakers, *cues]}
    doc.spans[SPANCAT_KEY] = sorted(unique.values(), key=lambda item: (item.start, item.end, item.label_))
    doc.user_data[USER_DATA_KEY] = user_data(document, aset, speaker_ids)
    return doc


def aligned_doc(nlp: Language, text: str, edges: Iterable[Span]) -> Doc:
    """``text`` tokenized by ``nlp``'s tokenizer, with tokens split so every span in ``edges`` starts and ends on one.

    A span edge inside a word splits the word there; a span that starts or
    ends on the single space after a token makes that space a token of its
    own. The ``Doc``'s text is ``text``, unchanged.
    """
    from spacy.tokens import Doc

    starts = {span.start for span in edges}
    ends = {span.end for span in edges}
    cuts = sorted(starts | ends)
    words: list[str] = []
    spaces: list[bool] = []
    for token in nlp.make_doc(text):
        start = token.idx
        end = start + len(token.text)
        inner = cuts[bisect_right(cuts, start) : bisect_left(cuts, end)]
        previous = start
        for cut in inner:
            words.append(text[previous:cut])
            spaces.append(False)
            previous = cut
        words.append(text[previous:end])
        after = token.whitespace_
        if after and (end in starts or end + len(after) in ends):
            spaces.append(False)
            words.append(after)
            spaces.append(False)
        else:
            spaces.append(bool(after))
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert doc.text == text, "retokenising changed the text"
    return doc


def _non_overlapping(spans: list[Any]) -> list[Any]:
    """The longest (then earliest) spans that do not overlap, in text order; what ``doc.ents`` can hold."""
    kept: list[Any] = []
    taken: set[int] = set()
    for item in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        tokens = set(range(item.start, item.end))
        if tokens & taken:
            continue
        kept.append(item)
        taken |= tokens
    return sorted(kept, key=lambda s: s.start)


def user_data(document: Document, aset: AnnotationSet, speaker_ids: dict[int, str]) -> dict[str, Any]:
    """What the span groups cannot say, by character offsets, for ``doc.user_data["annotator"]``."""

    def pair(span: Span | None) -> list[int] | None:
        return [span.start, span.end] if span is not None else None

    claims: list[dict[str, Any]] = []
    for number, claim in enumerate(aset.claims, start=1):
        speaker = claim.speaker
        claims.append(
            {
                "id": f"c{number}",
                "parts": [pair(part) for part in claim.pieces],
                "cue": pair(claim.cue),
                "speaker": speaker.name if speaker is not None else None,
                "speaker_id": speaker_ids[id(speaker)] if speaker is not None else None,
                "mention": pair(claim.mention),
                "stance": claim.stance.label if claim.stance is not None else None,
                "target": claim.stance.target if claim.stance is not None else None,
                "note": claim.note,
            }
        )
    return {
        "format": USER_DATA_FORMAT,
        "id": document.external_id,
        "annotator": aset.annotator,
        "status": aset.status.value,
        "note": aset.note,
        "meta": document.meta,
        "entities": [
            {"start": e.start, "end": e.end, "label": e.label, "source": e.source.value} for e in aset.entities
        ],
        "speakers": [
            {
                "id": speaker_ids[id(speaker)],
                "name": speaker.name,
                "kind": speaker.kind.value,
                "entity_label": speaker.entity_label,
                "mentions": [pair(mention) for mention in speaker.mentions],
            }
            for speaker in aset.speakers
        ],
        "claims": claims,
        "relations": [
            {"head": pair(relation.head), "child": pair(relation.child), "label": relation.label}
            for relation in aset.relations
        ],
    }


__all__ = [
    "CLAIMS_KEY",
    "CUES_KEY",
    "ENTITIES_KEY",
    "SPANCAT_KEY",
    "SPEAKERS_KEY",
    "SUFFIXES",
    "USER_DATA_KEY",
    "aligned_doc",
    "make_doc",
    "user_data",
    "write",
]
