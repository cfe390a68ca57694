"""The label schema: which entity and stance labels a project uses, in order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

from annotator.domain.errors import UserError

ENTITY = "entity"
STANCE = "stance"
LABEL_KINDS = (ENTITY, STANCE)


@dataclass(frozen=True, slots=True)
class LabelDef:
    """One label: its name, display colour and a short description."""

    name: str
    color: str = "#dddddd"
    description: str = ""


@dataclass(slots=True)
class LabelSchema:
    """The entity and stance labels of one database, in display (and key) order."""

    entity_labels: list[LabelDef] = field(default_factory=list)
    stance_labels: list[LabelDef] = field(default_factory=list)

    def labels(self, kind: str) -> list[LabelDef]:
        """The labels of ``kind`` (``"entity"`` or ``"stance"``)."""
        if kind == ENTITY:
            return self.entity_labels
        if kind == STANCE:
            return self.stance_labels
        raise ValueError(f"unknown label kind {kind!r}")

    def names(self, kind: str) -> list[str]:
        """The label names of ``kind``, in order."""
        return [label.name for label in self.labels(kind)]

    def missing(self, kind: str, names: set[str]) -> list[str]:
        """The names in ``names`` that the schema lacks, sorted."""
        known = set(self.names(kind))
        return sorted(name for name in names if name not in known)

    def color(self, kind: str, name: str) -> str:
        """The colour of label ``name``; a neutral grey for unknown labels."""
        for label in self.labels(kind):
            if label.name == name:
                return label.color
        return "#dddddd"


def default_schema() -> LabelSchema:
    """The schema shipped in ``annotator/resources/labels.json``."""
    raw = resources.files("annotator.resources").joinpath("labels.json").read_text(encoding="utf-8")
    return parse_schema(raw)


def parse_schema(raw: str) -> LabelSchema:
    """Read a schema from its JSON text; raises :class:`UserError` when malformed."""
    try:
        data = json.loads(raw)
        return LabelSchema(
            entity_labels=[LabelDef(**item) for item in data.get("entity_labels", [])],
            stance_labels=[LabelDef(**item) for item in data.get("stance_labels", [])],
        )
    except (ValueError, TypeError, AttributeError) as error:
        raise UserError(f"label schema is not valid: {error}") from None
