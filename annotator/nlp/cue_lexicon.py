"""The cue lexicon: which words introduce attributions, and how reliably, as counted in annotated data.

``annotator/resources/cues.json`` is built by ``tools/build_cue_lexicon.py``
from the PolNeAR ``train`` split (never written by hand). For each cue it
holds the lemma and part of speech of the cue's head word, the particle or
preposition that belongs to the cue ("point out", "point to", "accord to"),
how often annotators marked it as a cue (``count``), how often the same
word (with that particle) occurs in the same texts (``seen``), their ratio
(:attr:`CueEntry.precision`: the chance that an occurrence is a cue), and
the same two counts per *frame* (the kind of content the parse gives the
word, the kind of source, inside a quotation or not; see
:attr:`annotator.nlp.suggest.Candidate.frame`).

Besides cues the file holds what the data says about the words around
them: which modifiers before a cue verb annotators include in the cue span
(``cue_modifiers``: "has", "also", "not") and which words right after it
(``cue_right``: ":", "in a statement"), which words governing it they
include (``cue_governors``: "went on to say", "declined to comment"); the nouns that name people
(``person_nouns``: titles set before or after PERSON names, nouns with "who"
clauses) and things (``thing_nouns``: nouns with "which" clauses), which
tell a description of a person ("the spokesman") from one of a thing ("the
poll").

Loading is cached for the process; :func:`load_lexicon` with a path loads
another file (tests, or a lexicon built from other data).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from annotator.domain.errors import UserError

__all__ = ["CueEntry", "CueLexicon", "load_lexicon", "right_key"]

LEXICON_RESOURCE = "cues.json"
#: The lexicon format this module reads (``format`` in the file).
LEXICON_FORMAT = 1
#: Occurrences of the word's overall precision mixed into each frame's (see :meth:`CueEntry.frame_precision`).
FRAME_PRIOR_WEIGHT = 4.0


@dataclass(frozen=True, slots=True)
class CueEntry:
    """One cue: a head lemma with its part of speech and optional particle, and its counts in the data."""

    lemma: str
    pos: str
    particle: str | None
    count: int
    seen: int
    frames: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """``(count, seen)`` per frame (:attr:`annotator.nlp.suggest.Candidate.frame`): the word with that
    kind of content, with or without a source, inside a quotation or not."""

    @property
    def precision(self) -> float:
        """How often an occurrence of the word (with its particle) was a cue: ``count / seen``."""
        return min(1.0, self.count / self.seen) if self.seen else 0.0

    def frame_precision(self, frame: str, weight: float = FRAME_PRIOR_WEIGHT) -> float:
        """How often the word was a cue in ``frame``, smoothed toward :attr:`precision` by ``weight`` occurrences.

        ``(count_f + weight * precision) / (seen_f + weight)``: a frame seen
        often speaks for itself, a rare one leans on the word's overall rate.
        """
        count, seen = self.frames.get(frame, (0, 0))
        return (count + weight * self.precision) / (seen + weight)

    @property
    def phrase(self) -> str:
        """The cue as words: ``"point out"``, ``"say"``."""
        return f"{self.lemma} {self.particle}" if self.particle else self.lemma


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """Cue entries by ``(lemma, pos, particle)``, plus the modifier and person-noun tables."""

    entries: Mapping[tuple[str, str, str | None], CueEntry]
    cue_modifiers: Mapping[tuple[str, str], float] = field(default_factory=dict)
    cue_right: Mapping[tuple[str, str], float] = field(default_factory=dict)
    cue_governors: Mapping[str, float] = field(default_factory=dict)
    person_nouns: Mapping[str, int] = field(default_factory=dict)
    thing_nouns: Mapping[str, int] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def get(self, lemma: str, pos: str, particle: str | None = None) -> CueEntry | None:
        """The entry for a head lemma, part of speech and particle, or ``None``."""
        return self.entries.get((lemma, pos, particle))

    def particles(self, lemma: str, pos: str) -> list[str]:
        """The particles/prepositions recorded with ``lemma`` ("out", "to" for "point")."""
        return [p for (lem, ps, p) in self.entries if lem == lemma and ps == pos and p is not None]

    def modifier_included(self, dep: str, word: str) -> bool:
        """True when annotators mostly include a cue verb's modifier (``dep``, lower-cased ``word``) in the cue."""
        rate = self.cue_modifiers.get((dep, word))
        if rate is None:
            rate = self.cue_modifiers.get((dep, "*"), 0.0)
        return rate >= 0.5

    def noun_class(self, lemma: str) -> str:
        """What the data says a noun names: ``"person"``, ``"thing"`` or ``""`` (nothing).

        People: titles of names ("spokesman") and nouns with "who" clauses
        ("officials who"); things: nouns with "which" clauses ("the poll, which").
        """
        people, things = self.person_nouns.get(lemma, 0), self.thing_nouns.get(lemma, 0)
        if people >= 2 and people > things:
            return "person"
        if things >= 2 and things >= people:
            return "thing"
        return ""

    def governor_included(self, lemma: str) -> bool:
        """True when annotators mostly include the word (``lemma``) whose ``xcomp`` a cue verb is ("tried to say")."""
        return self.cue_governors.get(lemma, 0.0) >= 0.5

    def right_included(self, token: Any) -> bool:
        """True when annotators mostly include ``token``, a dependent right after a cue verb, in the cue."""
        return self.cue_right.get(right_key(token), 0.0) >= 0.5

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "cue lexicon") -> CueLexicon:
        """Build a lexicon from the parsed JSON of a ``cues.json`` file; :class:`UserError` when malformed."""
        if data.get("format") != LEXICON_FORMAT:
            raise UserError(
                f"{where}: format {data.get('format')!r} is not {LEXICON_FORMAT}; "
                "rebuild it with tools/build_cue_lexicon.py"
            )
        try:
            entries: dict[tuple[str, str, str | None], CueEntry] = {}
            for row in data["cues"]:
                frames = {str(f): (int(c), int(n)) for f, (c, n) in row.get("frames", {}).items()}
                entry = CueEntry(
                    str(row["lemma"]), str(row["pos"]), row.get("particle"), int(row["count"]), int(row["seen"]), frames
                )
                entries[(entry.lemma, entry.pos, entry.particle)] = entry
            modifiers = {(str(r["dep"]), str(r["word"])): float(r["rate"]) for r in data.get("cue_modifiers", [])}
            right = {(str(r["dep"]), str(r["words"])): float(r["rate"]) for r in data.get("cue_right", [])}
            governors = {str(r["lemma"]): float(r["rate"]) for r in data.get("cue_governors", [])}
            persons = {str(k): int(v) for k, v in data.get("person_nouns", {}).items()}
            things = {str(k): int(v) for k, v in data.get("thing_nouns", {}).items()}
        except (KeyError, TypeError, ValueError) as error:
            raise UserError(f"{where}: malformed entry ({error}); rebuild it with tools/build_cue_lexicon.py") from None
        tables = {"cues", "cue_modifiers", "cue_right", "cue_governors", "person_nouns", "thing_nouns"}
        meta = {k: v for k, v in data.items() if k not in tables}
        return cls(entries, modifiers, right, governors, persons, things, meta)


def right_key(token: Any) -> tuple[str, str]:
    """The ``cue_right`` key of a spaCy token right after a cue verb.

    Its relation and lower-cased words (``("prep", "in a statement")``), or
    its first word and ``...`` when the phrase is longer than four words.
    """
    words = [t.lower_ for t in token.subtree] if token.dep_ != "punct" else [token.text]
    return token.dep_, " ".join(words) if len(words) <= 4 else f"{token.lower_} ..."


def load_lexicon(path: str | Path | None = None) -> CueLexicon:
    """Load the packaged lexicon (``path`` None; cached for the process) or the file at ``path``."""
    if path is None:
        return _packaged()
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot read the cue lexicon: {error}") from None
    return CueLexicon.from_json(data, str(path))


@lru_cache(maxsize=1)
def _packaged() -> CueLexicon:
    text = resources.files("annotator.resources").joinpath(LEXICON_RESOURCE).read_text(encoding="utf-8")
    return CueLexicon.from_json(json.loads(text), f"annotator/resources/{LEXICON_RESOURCE}")
