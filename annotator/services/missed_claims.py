"""The "missed claims" check: sentences with a cue word or a quotation mark but no claim.

Works on plain text, without a parse, so the window can run it after every
edit: sentences come from a regular-expression splitter, cue words from the
data-built cue lexicon (``annotator/resources/cues.json``: verbs that were
marked as cues often enough), matched in their inflected forms by lower-case
word comparison.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from annotator.domain.model import Span
from annotator.nlp.cue_lexicon import load_lexicon

__all__ = ["MissedSentence", "cue_words", "missed_claims", "sentences"]

MIN_COUNT = 5
"""A lexicon verb must have been marked as a cue at least this often ..."""
MIN_PRECISION = 0.6
"""... and be a cue in at least this share of its occurrences, to flag a sentence."""

# Irregular past forms of common reporting verbs (English morphology, not a cue list: which verbs count comes
# from the lexicon).
_IRREGULAR = {
    "say": ("said",),
    "tell": ("told",),
    "write": ("wrote", "written"),
    "speak": ("spoke", "spoken"),
    "think": ("thought",),
    "feel": ("felt",),
    "hold": ("held",),
    "know": ("knew", "known"),
    "teach": ("taught",),
    "swear": ("swore", "sworn"),
    "forecast": ("forecast",),
    "foresee": ("foresaw", "foreseen"),
}
_QUOTES = '"“”„«»'
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"”’»)]*|$)", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True, slots=True)
class MissedSentence:
    """A sentence that reads like an attribution but holds no claim: its span and why it was flagged."""

    span: Span
    reason: str


def _forms(lemma: str) -> set[str]:
    """The regular inflected forms of a verb lemma (and its irregular ones)."""
    forms = {lemma, *_IRREGULAR.get(lemma, ())}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    else:
        suffix = "es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s"
        forms |= {lemma + suffix, lemma + "ed", lemma + "ing"}
        if len(lemma) >= 3 and lemma[-1] in "bdgmnpt" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


@lru_cache(maxsize=1)
def cue_words() -> frozenset[str]:
    """The lower-case word forms that flag a sentence: forms of the lexicon's reliable cue verbs."""
    words: set[str] = set()
    for entry in load_lexicon().entries.values():
        if entry.pos == "VERB" and entry.count >= MIN_COUNT and entry.precision >= MIN_PRECISION:
            words |= _forms(entry.lemma)
    return frozenset(words)


def sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences (end punctuation or line breaks), trimmed of surrounding white space."""
    found: list[Span] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            found.append(Span(start, end))
    return found


@lru_cache(maxsize=4)
def cue_sentences(text: str) -> tuple[MissedSentence, ...]:
    """The sentences of ``text`` with a cue word or a quotation mark (cached: an edit does not change the text)."""
    words = cue_words()
    found: list[MissedSentence] = []
    for span in sentences(text):
        sentence = text[span.start : span.end]
        cue = next((w for w in _WORD.findall(sentence) if w.lower() in words), None)
        if cue is not None:
            found.append(MissedSentence(span, f"cue “{cue}”"))
        elif any(mark in sentence for mark in _QUOTES):
            found.append(MissedSentence(span, "quotation mark"))
    return tuple(found)


def missed_claims(text: str, claimed: Iterable[Span]) -> list[MissedSentence]:
    """The sentences of ``text`` with a cue word or a quotation mark that no ``claimed`` span overlaps."""
    pieces = sorted(claimed)
    starts = [piece.start for piece in pieces]
    longest = max((piece.end - piece.start for piece in pieces), default=0)
    missed: list[MissedSentence] = []
    for candidate in cue_sentences(text):
        span = candidate.span
        # pieces starting before the sentence's end and not more than the longest piece before its start
        first = bisect_left(starts, span.start - longest)
        last = bisect_left(starts, span.end)
        if not any(span.overlaps(piece) for piece in pieces[first:last]):
            missed.append(candidate)
    return missed
