"""Plain data and rules of the data; imports only the standard library."""

from annotator.domain.errors import InputError, UserError
from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Entity,
    EntitySource,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
)

__all__ = [
    "AnnotationSet",
    "Claim",
    "Document",
    "Entity",
    "EntitySource",
    "InputError",
    "Span",
    "Speaker",
    "SpeakerKind",
    "Stance",
    "Status",
    "UserError",
]
