"""Which speaker a selected mention names: join a known one, create one, or ask."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.domain.model import AnnotationSet, Entity, Span, Speaker, SpeakerKind

PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "you",
        "him",
        "her",
        "them",
        "us",
        "me",
        "his",
        "hers",
        "their",
        "theirs",
        "its",
        "our",
        "ours",
        "my",
        "mine",
    ]
)
DETERMINERS = frozenset(
    ["the", "a", "an", "this", "that", "these", "those", "another", "one", "some", "several", "many"]
)
KIND_BY_ENTITY_LABEL = {
    "PERSON": SpeakerKind.PERSON,
    "ORG": SpeakerKind.ORGANIZATION,
    "NORP": SpeakerKind.GROUP,
    "GPE": SpeakerKind.ORGANIZATION,
}


@dataclass(frozen=True, slots=True)
class NewSpeaker:
    """A speaker to create with the mention."""

    name: str
    kind: SpeakerKind = SpeakerKind.PERSON
    entity_label: str | None = None


@dataclass(slots=True)
class SpeakerGuess:
    """The outcome of matching a mention.

    ``join`` is a known speaker to join without asking; ``create`` a new
    speaker to make without asking; otherwise the user picks among
    ``candidates`` (nearest preceding first), or a new speaker named ``text``.
    """

    text: str
    join: Speaker | None = None
    create: NewSpeaker | None = None
    candidates: list[Speaker | NewSpeaker] = field(default_factory=list)

    @property
    def needs_choice(self) -> bool:
        """True when the user must pick (a pronoun or a description)."""
        return self.join is None and self.create is None


def _words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'’“”()") for w in text.split()]


def is_reference(text: str) -> bool:
    """True for a pronoun ("He") or a description ("The diplomat", "officials"), not a name."""
    words = [w for w in _words(text) if w]
    if not words:
        return True
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return True
    if words[0].lower() in DETERMINERS:
        return True
    return not any(w[:1].isupper() for w in words)


def _ends_name(full: str, short: str) -> bool:
    full_words, short_words = _words(full.lower()), _words(short.lower())
    return bool(short_words) and full_words[-len(short_words) :] == short_words


def match_speaker(document_text: str, mention: Span, annotations: AnnotationSet) -> SpeakerGuess:
    """Decide what selecting ``mention`` as a speaker mention means.

    A span that already is a mention joins its speaker. A name joins the known
    speaker with that name, or the one whose name it ends ("Malhotra" joins
    "Ajai Malhotra"); failing that, it creates a speaker named after the
    longest PERSON (then other naming) entity it ends, or after itself. A
    pronoun or description asks, nearest preceding speaker first.
    """
    text = document_text[mention.start : mention.end]
    for speaker in annotations.speakers:
        if mention in speaker.mentions:
            return SpeakerGuess(text, join=speaker)
    if not is_reference(text):
        for speaker in annotations.speakers:
            if speaker.name.lower() == text.lower() or _ends_name(speaker.name, text):
                return SpeakerGuess(text, join=speaker)
        entity = _naming_entity(document_text, text, annotations.entities)
        if entity is not None:
            return SpeakerGuess(text, create=entity)
        return SpeakerGuess(text, create=NewSpeaker(text, SpeakerKind.PERSON, None))
    return SpeakerGuess(text, candidates=_nearest_preceding(document_text, mention, annotations))


def _naming_entity(document_text: str, text: str, entities: list[Entity]) -> NewSpeaker | None:
    """The speaker an entity suggests: a PERSON whose name ends with ``text`` wins, longer names first."""
    best: tuple[int, int, NewSpeaker] | None = None
    for entity in entities:
        if entity.label not in KIND_BY_ENTITY_LABEL:
            continue
        name = document_text[entity.start : entity.end]
        if not _ends_name(name, text):
            continue
        rank = (entity.label == "PERSON", len(name))
        candidate = NewSpeaker(name, KIND_BY_ENTITY_LABEL[entity.label], entity.label)
        if best is None or rank > best[:2]:
            best = (*rank, candidate)
    return best[2] if best else None


def _nearest_preceding(document_text: str, mention: Span, annotations: AnnotationSet) -> list[Speaker | NewSpeaker]:
    """Known speakers, the one mentioned last before ``mention`` first; then earlier PERSON entities."""

    def last_before(speaker: Speaker | NewSpeaker) -> int:
        if isinstance(speaker, NewSpeaker):
            return -1
        before = [m.end for m in speaker.mentions if m.end <= mention.start]
        return max(before) if before else -1

    ordered: list[Speaker | NewSpeaker] = []
    ordered.extend(sorted(annotations.speakers, key=last_before, reverse=True))
    known = {speaker.name.lower() for speaker in annotations.speakers}
    persons = sorted(
        (e for e in annotations.entities if e.label == "PERSON" and e.end <= mention.start),
        key=lambda e: e.start,
        reverse=True,
    )
    for entity in persons:
        name = document_text[entity.start : entity.end]
        if name.lower() not in known and not any(_ends_name(k, name) for k in known):
            known.add(name.lower())
            ordered.append(NewSpeaker(name, SpeakerKind.PERSON, "PERSON"))
    return ordered
