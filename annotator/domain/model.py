"""The annotation data as plain dataclasses, shared by every layer.

Offsets are Python ``str`` indexes (code points) into :attr:`Document.text`,
end exclusive. Database identities are ``id`` (``None`` until stored); files
refer to speakers by their own keys, which readers resolve into object
references (:attr:`Claim.speaker` is the :class:`Speaker` itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where one annotator is with one document."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class SpeakerKind(StrEnum):
    """What sort of source a speaker is."""

    PERSON = "person"
    ORGANIZATION = "organization"
    GROUP = "group"
    ANONYMOUS = "anonymous"
    AUTHOR = "author"
    UNKNOWN = "unknown"


class EntitySource(StrEnum):
    """Who made an entity: the model, the annotator, or an imported file."""

    MODEL = "model"
    MANUAL = "manual"
    IMPORT = "import"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of code points."""

    start: int
    end: int

    def text_in(self, text: str) -> str:
        """Return the characters of ``text`` this span covers."""
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end

    def contains(self, offset: int) -> bool:
        """True when ``offset`` lies inside the span (end exclusive)."""
        return self.start <= offset < self.end


@dataclass(slots=True)
class Entity:
    """A named-entity span with its label and provenance."""

    start: int
    end: int
    label: str
    source: EntitySource = EntitySource.MODEL
    model_name: str | None = None
    model_version: str | None = None
    id: int | None = None

    @property
    def span(self) -> Span:
        """The entity's offsets as a :class:`Span`."""
        return Span(self.start, self.end)


@dataclass(slots=True, eq=False)
class Speaker:
    """Who asserts claims in one document, with the spans that name them.

    Compared by identity: two speakers with the same name are still two
    speakers until they are merged.
    """

    name: str
    kind: SpeakerKind = SpeakerKind.PERSON
    entity_label: str | None = None
    mentions: list[Span] = field(default_factory=list)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Stance:
    """The speaker's stance in a claim toward a free-text target."""

    label: str | None
    target: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when neither a label nor a target is set."""
        return self.label is None and not self.target


@dataclass(slots=True, eq=False)
class Claim:
    """A span asserted by a speaker, possibly split into ``parts``.

    ``start``/``end`` cover the first part's start to the last part's end;
    ``parts`` is ``None`` for a contiguous claim.
    """

    start: int
    end: int
    parts: list[Span] | None = None
    speaker: Speaker | None = None
    mention: Span | None = None
    cue: Span | None = None
    stance: Stance | None = None
    note: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def span(self) -> Span:
        """The claim's overall extent as a :class:`Span`."""
        return Span(self.start, self.end)

    @property
    def pieces(self) -> list[Span]:
        """The spans the claim is made of: its parts, or its one span."""
        return list(self.parts) if self.parts else [self.span]


@dataclass(frozen=True, slots=True)
class Relation:
    """A labelled, directed link between two spans that is not a claim.

    Other tools' relations between entities (brat ``R`` lines, Prodigy,
    doccano and Label Studio relations) are kept as these, so a file read
    from a tool can be written back to it whole.
    """

    head: Span
    child: Span
    label: str


@dataclass(slots=True, eq=False)
class Suggestion:
    """A proposed attribution: content parts, cue, source mention and the speaker it refers to.

    Computed by the suggester from the parse, stored per document and model,
    and never an annotation until an annotator accepts it (it then becomes a
    :class:`Claim` in their set). ``speaker_name`` is the resolved person
    ("Ajai Malhotra" for a "He"), ``None`` when nobody could be resolved;
    ``score`` is in ``[0, 1]``.
    """

    parts: list[Span]
    cue: Span | None = None
    mention: Span | None = None
    speaker_name: str | None = None
    speaker_kind: SpeakerKind = SpeakerKind.PERSON
    score: float = 0.0
    id: int | None = None

    @property
    def span(self) -> Span:
        """The content's overall extent: first part's start to last part's end."""
        return Span(min(p.start for p in self.parts), max(p.end for p in self.parts))


def text_sha256(text: str) -> str:
    """The hex SHA-256 of ``text`` encoded as UTF-8 (FORMAT.md's ``text_sha256``)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Document:
    """An article: immutable text plus free-form metadata."""

    external_id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    @property
    def sha256(self) -> str:
        """The text's SHA-256, used to detect duplicates and changed texts."""
        return text_sha256(self.text)

    @property
    def title(self) -> str | None:
        """``meta['title']`` when it is a string."""
        title = self.meta.get("title")
        return title if isinstance(title, str) else None


@dataclass(slots=True)
class AnnotationSet:
    """Everything one annotator (or the model, ``annotator=None``) made on one document."""

    annotator: str | None = None
    status: Status = Status.NEW
    entities: list[Entity] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    note: str | None = None
    updated_at: datetime | None = None

    @property
    def is_empty(self) -> bool:
        """True when there is nothing beyond a status to store."""
        return not (self.entities or self.speakers or self.claims or self.relations or self.note)
