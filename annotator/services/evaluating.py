"""Measure the attribution suggester against brat attribution files in PolNeAR's layout.

A folder ``PATH`` holds ``attributions/<article>_<annotator>.ann`` and
``text/<article>.txt`` (one PolNeAR split). Every article is parsed once,
:func:`~annotator.nlp.suggest.suggest` proposes its attributions, and the
proposals are compared with each annotator's file of that article.

What is counted, for each role (cue, source, content):

- the **units** of a role are the distinct span lists of that role among a
  file's attributions (a content is the list of its parts; a cue or source
  its span), and the same among the suggestions;
- **exact**: a suggested unit equal to a gold unit (every part's start and
  end); **overlap**: a suggested unit sharing at least one character with a
  gold unit;
- precision = suggested units that match some gold unit / suggested units;
  recall = gold units matched by some suggested unit / gold units;
  F1 their harmonic mean;
- an article annotated by several annotators counts the mean of its
  comparisons with each of them (so it weighs as one article), and the
  figures add these means over all articles (micro average).

**Pronoun resolution.** PolNeAR has no coreference chains (only Source,
Cue and Content spans and ``Attribution`` events), so the reference for a
pronoun is taken from the annotation itself: for each gold Source that is
"he" or "she", the reference person is the nearest preceding gold Source of
the same file that holds a name: a PERSON entity of the parse inside it, else
(when the recognizer mislabelled it) its proper nouns, if its head is one and
the last is the surname of a PERSON entity elsewhere in the text. The
resolution is correct when the name :func:`~annotator.nlp.suggest.resolve_speaker`
gives for the pronoun's span appears in the text before the pronoun and ends
with the reference's surname (its last word). It is reported on every such
gold pronoun (the resolver on its own) and on those the suggestions found as
a source mention.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.domain.errors import InputError, UserError
from annotator.domain.model import AnnotationSet, Claim, Span, Suggestion

if TYPE_CHECKING:
    from annotator.nlp.cue_lexicon import CueLexicon

Doc = Any
"""A parsed spaCy ``Doc`` (services do not import spaCy, even for types)."""

__all__ = [
    "ROLES",
    "EvaluationReport",
    "PronounCounts",
    "RoleCounts",
    "evaluate_document",
    "evaluate_folder",
    "units",
]

ROLES: tuple[str, ...] = ("cue", "source", "content")
PRONOUNS: frozenset[str] = frozenset({"he", "she"})

Unit = tuple[Span, ...]


@dataclass(slots=True)
class RoleCounts:
    """Unit counts for one role: how many suggested and gold units, and how many of each matched."""

    suggested: float = 0.0
    gold: float = 0.0
    suggested_exact: float = 0.0
    gold_exact: float = 0.0
    suggested_overlap: float = 0.0
    gold_overlap: float = 0.0

    def add(self, other: RoleCounts, weight: float = 1.0) -> None:
        """Add ``weight`` times ``other``'s counts to these."""
        self.suggested += weight * other.suggested
        self.gold += weight * other.gold
        self.suggested_exact += weight * other.suggested_exact
        self.gold_exact += weight * other.gold_exact
        self.suggested_overlap += weight * other.suggested_overlap
        self.gold_overlap += weight * other.gold_overlap

    def scores(self, exact: bool) -> tuple[float, float, float]:
        """``(precision, recall, F1)`` for exact or overlap matching (0 where undefined)."""
        matched_suggested = self.suggested_exact if exact else self.suggested_overlap
        matched_gold = self.gold_exact if exact else self.gold_overlap
        precision = matched_suggested / self.suggested if self.suggested else 0.0
        recall = matched_gold / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


@dataclass(slots=True)
class PronounCounts:
    """Gold "he"/"she" sources with a reference person, and how many were resolved to that person."""

    gold: float = 0.0
    correct: float = 0.0
    suggested: float = 0.0
    suggested_correct: float = 0.0

    def add(self, other: PronounCounts, weight: float = 1.0) -> None:
        """Add ``weight`` times ``other``'s counts to these."""
        self.gold += weight * other.gold
        self.correct += weight * other.correct
        self.suggested += weight * other.suggested
        self.suggested_correct += weight * other.suggested_correct

    @property
    def accuracy(self) -> float:
        """Correct resolutions over all gold pronoun sources with a reference."""
        return self.correct / self.gold if self.gold else 0.0

    @property
    def suggested_accuracy(self) -> float:
        """Correct resolutions over the gold pronoun sources the suggestions named as a mention."""
        return self.suggested_correct / self.suggested if self.suggested else 0.0


@dataclass(slots=True)
class EvaluationReport:
    """The outcome of :func:`evaluate_folder`."""

    path: str
    model: str
    articles: int = 0
    files: int = 0
    suggestions: int = 0
    roles: dict[str, RoleCounts] = field(default_factory=lambda: {role: RoleCounts() for role in ROLES})
    pronouns: PronounCounts = field(default_factory=PronounCounts)
    skipped: list[str] = field(default_factory=list)
    parse_seconds: float = 0.0
    suggest_seconds: float = 0.0

    def score_article(self, doc: Any, gold: list[AnnotationSet], lexicon: Any) -> list[Suggestion]:
        """Suggest on one parsed article (timed), score it against each annotator's ``gold`` set, and count it."""
        from annotator.nlp.suggest import suggest

        started = time.perf_counter()
        suggestions = suggest(doc, lexicon)
        self.suggest_seconds += time.perf_counter() - started
        roles, pronouns = evaluate_document(doc, suggestions, gold, lexicon)
        for role in ROLES:
            self.roles[role].add(roles[role])
        self.pronouns.add(pronouns)
        self.articles += 1
        self.files += len(gold)
        self.suggestions += len(suggestions)
        return suggestions

    def lines(self) -> list[str]:
        """The report as printable lines: a table of P/R/F1 per role, then pronoun resolution and timing."""
        out = [
            f"{self.path}: {self.articles:,} articles, {self.files:,} annotation files "
            f"(each article: the mean over its annotators), model {self.model}",
            f"{'role':<8} {'exact P':>8} {'exact R':>8} {'exact F1':>8} {'overlap P':>9} {'overlap R':>9} "
            f"{'overlap F1':>10} {'gold':>8} {'suggested':>9}",
        ]
        for role in ROLES:
            counts = self.roles[role]
            ep, er, ef = counts.scores(exact=True)
            op, orr, of = counts.scores(exact=False)
            out.append(
                f"{role:<8} {ep:>8.3f} {er:>8.3f} {ef:>8.3f} {op:>9.3f} {orr:>9.3f} {of:>10.3f} "
                f"{counts.gold:>8.1f} {counts.suggested:>9.1f}"
            )
        p = self.pronouns
        out.append(
            f"pronoun sources (he/she) resolved to the nearest preceding named gold source: "
            f"{p.accuracy:.3f} of {p.gold:.1f} (resolver on every gold pronoun); "
            f"{p.suggested_accuracy:.3f} of {p.suggested:.1f} (pronouns the suggestions found)"
        )
        per_article = 1000 * self.suggest_seconds / self.articles if self.articles else 0.0
        out.append(
            f"time: parse {self.parse_seconds:.1f} s, suggest {self.suggest_seconds:.2f} s "
            f"({per_article:.1f} ms per article), {self.suggestions:,} suggestions"
        )
        out.extend(f"skipped: {message}" for message in self.skipped)
        return out


def units(items: Iterable[Claim | Suggestion], role: str) -> set[Unit]:
    """The distinct span lists of ``role`` ("cue", "source" or "content") among claims or suggestions."""
    found: set[Unit] = set()
    for item in items:
        if role == "content":
            pieces = item.pieces if isinstance(item, Claim) else sorted(item.parts)
            if pieces:
                found.add(tuple(pieces))
        else:
            span = item.cue if role == "cue" else item.mention
            if span is not None:
                found.add((span,))
    return found


def _overlaps(a: Unit, b: Unit) -> bool:
    return any(x.overlaps(y) for x in a for y in b)


def _compare(suggested: set[Unit], gold: set[Unit]) -> RoleCounts:
    counts = RoleCounts(suggested=len(suggested), gold=len(gold))
    counts.suggested_exact = counts.gold_exact = len(suggested & gold)
    counts.suggested_overlap = sum(1 for s in suggested if any(_overlaps(s, g) for g in gold))
    counts.gold_overlap = sum(1 for g in gold if any(_overlaps(g, s) for s in suggested))
    return counts


def evaluate_document(
    doc: Doc, suggestions: list[Suggestion], gold_sets: list[AnnotationSet], lexicon: CueLexicon | None = None
) -> tuple[dict[str, RoleCounts], PronounCounts]:
    """Compare one document's suggestions with each gold set; returns the mean counts over the sets."""
    from annotator.nlp.suggest import resolve_speaker

    roles = {role: RoleCounts() for role in ROLES}
    pronouns = PronounCounts()
    if not gold_sets:
        return roles, pronouns
    weight = 1.0 / len(gold_sets)
    suggested_units = {role: units(suggestions, role) for role in ROLES}
    by_mention = {s.mention: s for s in suggestions if s.mention is not None}
    text = doc.text
    person_spans = [Span(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "PERSON"]
    for gold in gold_sets:
        for role in ROLES:
            roles[role].add(_compare(suggested_units[role], units(gold.claims, role)), weight)
        counts = PronounCounts()
        mentions = sorted({c.mention for c in gold.claims if c.mention is not None})
        for index, mention in enumerate(mentions):
            if text[mention.start : mention.end].strip().lower() not in PRONOUNS:
                continue
            reference = _reference(doc, mentions[:index], person_spans)
            if reference is None:
                continue
            counts.gold += 1
            name, _kind = resolve_speaker(doc, mention.start, mention.end, lexicon)
            right = _same_person(text, name, reference, mention.start)
            counts.correct += right
            suggestion = by_mention.get(mention)
            if suggestion is not None:
                counts.suggested += 1
                counts.suggested_correct += _same_person(text, suggestion.speaker_name, reference, mention.start)
        pronouns.add(counts, weight)
    return roles, pronouns


def _reference(doc: Doc, earlier: list[Span], person_spans: list[Span]) -> str | None:
    """The name in the nearest earlier gold source that holds one: a PERSON entity, else its proper nouns."""
    text: str = doc.text
    for mention in reversed(earlier):
        for person in person_spans:
            if mention.start <= person.start and person.end <= mention.end:
                return text[person.start : person.end]
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None and span.root.pos_ == "PROPN":
            names = [t.text for t in span if t.pos_ == "PROPN" and t.text[:1].isupper()]
            surnames = {_surname(text[p.start : p.end]) for p in person_spans}
            if names and _surname(names[-1]) in surnames:
                return " ".join(names)
    return None


def _surname(name: str) -> str:
    words = [w.strip(".,;:'’\"“”()") for w in name.split()]
    words = [w for w in words if w and w.lower() not in {"’s", "'s", "s"}]
    last = words[-1] if words else ""
    for suffix in ("’s", "'s"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
    return last.lower()


def _same_person(text: str, name: str | None, reference: str, before: int) -> bool:
    if not name:
        return False
    surname = _surname(name)
    return bool(surname) and surname == _surname(reference) and surname in text[:before].lower()


def _split_files(folder: Path) -> dict[str, list[tuple[str, Path]]]:
    attributions = folder / "attributions"
    texts = folder / "text"
    if not attributions.is_dir() or not texts.is_dir():
        raise UserError(
            f"{folder}: not a folder in PolNeAR's layout (it needs attributions/ with ARTICLE_ANNOTATOR.ann "
            "and text/ with ARTICLE.txt); give a split folder such as polnear/dev"
        )
    articles: dict[str, list[tuple[str, Path]]] = {}
    for path in sorted(attributions.glob("*.ann")):
        article, sep, annotator = path.stem.rpartition("_")
        if not sep:
            article, annotator = path.stem, ""
        articles.setdefault(article, []).append((annotator, path))
    if not articles:
        raise UserError(f"{attributions}: no .ann files to evaluate against")
    return articles


def evaluate_folder(
    path: str | Path,
    *,
    limit: int | None = None,
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvaluationReport:
    """Suggest attributions for every article of a PolNeAR-layout folder and score them (module docstring).

    ``limit`` takes the first N articles (by name); ``model`` is the spaCy
    pipeline (default: the installed one). A ``.ann`` file that cannot be
    read is skipped and named in :attr:`EvaluationReport.skipped`; an
    article without its text is skipped the same way.
    """
    from annotator.formats.brat import parse_ann
    from annotator.formats.interchange import ReadOptions
    from annotator.nlp.cue_lexicon import load_lexicon
    from annotator.nlp.pipeline import NO_MODEL_MESSAGE, load_pipeline, model_identity
    from annotator.nlp.suggest import SUGGEST_COMPONENTS

    folder = Path(path)
    articles = _split_files(folder)
    names = sorted(articles)
    if limit is not None:
        names = names[:limit]
    nlp = load_pipeline(model, components=SUGGEST_COMPONENTS)
    if nlp is None:
        raise UserError(NO_MODEL_MESSAGE.replace("importing without pre-highlighting", "install en_core_web_sm"))
    lexicon = load_lexicon()
    name, version = model_identity(nlp)
    report = EvaluationReport(str(folder), f"{name} {version}")

    texts: list[str] = []
    golds: list[list[AnnotationSet]] = []
    kept: list[str] = []
    for article in names:
        text_path = folder / "text" / f"{article}.txt"
        try:
            text = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.skipped.append(f"{text_path}: cannot read the article text ({error})")
            continue
        sets: list[AnnotationSet] = []
        for annotator, ann_path in articles[article]:
            try:
                ann = ann_path.read_text(encoding="utf-8")
                sets.append(parse_ann(text, ann, str(ann_path), ReadOptions(), annotator or None))
            except InputError as error:
                report.skipped.append(str(error))
            except (OSError, UnicodeDecodeError) as error:
                report.skipped.append(f"{ann_path}: cannot read ({error})")
        if not sets:
            continue
        texts.append(text)
        golds.append(sets)
        kept.append(article)

    started = time.perf_counter()
    docs: list[Any] = list(nlp.pipe(texts, batch_size=16))
    report.parse_seconds = time.perf_counter() - started
    for index, (doc, sets) in enumerate(zip(docs, golds, strict=True), start=1):
        report.score_article(doc, sets, lexicon)
        if progress is not None:
            progress(index, len(docs))
    return report
