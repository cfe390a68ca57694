"""What a reader yields: a document and the annotation sets that came with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.domain.model import AnnotationSet, Document


@dataclass(slots=True)
class Record:
    """One document read from a file, where it was, and any annotations it carried.

    ``annotations`` holds one set per annotator; a set whose ``annotator`` is
    ``None`` carries annotations made by no named person (model entities, or
    a file that did not say who annotated).
    """

    document: Document
    line: int | None = None
    annotations: list[AnnotationSet] = field(default_factory=list)
