"""Suggest attributions (who says what, with which cue) from a spaCy parse, and resolve speakers.

:func:`suggest` takes a parsed spaCy ``Doc`` (tagger, parser, lemmatizer and
entity recognizer: :data:`SUGGEST_COMPONENTS`) and returns
:class:`~annotator.domain.model.Suggestion` objects: the content (one part,
or several for a split quote), the cue, the source mention, the speaker the
source refers to, and a score in ``[0, 1]``. Nothing here touches Qt or the
store.

How (the parse, not sentence templates):

- **candidates** (:func:`candidates`): every verb that has a content by the
  parse, every "according to", and the cue nouns of the lexicon with a
  that-clause or a prepositional object ("the claim that …", "criticism of
  X");
- **quotations** are found in the text (“ ”, straight ``"``, ``'' ``/`` ``);
  a quotation belongs to the verb of the clause right after it (``“…,” said
  Caddell``, ``“…,” he added``) or to the verb whose clause ends right
  before it (``He said: “…”``); a verb with a quotation on both sides gets
  both as parts (``"India," he said, "should stay neutral"``), and a
  quotation that makes up the next sentence of the same paragraph is added
  to the same attribution;
- otherwise the content is the verb's clausal complement (``ccomp``, with its
  "that"; for "X, she said" everything from the sentence start to the
  comma), the clause a parenthetical cue interrupts (``parataxis``), the
  object of the cue's preposition ("pointed to X"), its ``xcomp`` or its
  direct object, in that order; a verb without any of these takes the rest
  of its sentence when it has a source (the clause the parser hung
  elsewhere: "said following a vote in 2001 that …"), a frame the data
  scores like any other;
- a **copular cue** ("was critical of", "is a supporter of", "are confident
  that") is keyed in the lexicon on the predicate adjective or noun and its
  preposition, not on "be"; its span runs from the copula, its source is the
  copula's subject;
- "according to X": X is the source, the clause it modifies the content;
- the **source** is the subject noun phrase of the cue verb (of the verb it
  is conjoined to or subordinate to when it has none: "…, adding that"), or
  the agent of a passive; PolNeAR's convention keeps the comma closing an
  appositive ("His campaign manager, Jeff Weaver,");
- **which candidates are suggested**: each has a *frame* (the kind of
  content, whether the source is a person, an organisation or something
  else, and whether the cue word stands inside a quotation); the lexicon,
  counted on PolNeAR train, says how often the same word in the same frame
  was an annotated cue. That precision (smoothed toward the word's overall
  precision) is the suggestion's score, and candidates under
  :attr:`SuggestSettings.min_score` are dropped;
- **one attribution per word**: PolNeAR is univocal (a token belongs to one
  attribution at most), so a candidate whose cue word lies inside the
  content of a higher-scoring suggestion is the speaker's words, not a second
  attribution, and is dropped ("Klein said that two other women said …");
- the **cue span** takes the verb's auxiliaries, negation and the adverbs
  annotators include ("has also said"), its particle or the preposition the
  lexicon records with it when it follows the word ("pointed out", "pointed
  to", not "accused Clinton of"), the word it is the ``xcomp`` of when
  annotators include that ("continued to insist", "declined to comment"),
  and what they include right after it ("said in a statement:"), all learnt
  from the data; a candidate whose cue span overlaps a stronger one's is
  dropped ("refused" beside "refused to say").

The **speaker** is resolved by :func:`resolve_speaker`, usable on its own (the
window's speaker picker): a name joins the longest PERSON name of the
document it ends ("Malhotra" → "Ajai Malhotra"); a pronoun ("he", "she") or
a description of a person ("the diplomat": a singular noun with "the" that
the data shows titling people) goes to the most likely preceding person;
plural or indefinite people ("officials", "a source") are anonymous;
organisations keep their names.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.domain.model import Span, SpeakerKind, Suggestion
from annotator.nlp.cue_lexicon import CueEntry, CueLexicon, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "SUGGEST_COMPONENTS",
    "Candidate",
    "SuggestSettings",
    "candidates",
    "find_quotes",
    "resolve_speaker",
    "suggest",
]

#: The pipeline components the suggester reads (their upstream ``tok2vec`` comes along).
SUGGEST_COMPONENTS: tuple[str, ...] = ("tagger", "parser", "attribute_ruler", "lemmatizer", "ner")


@dataclass(frozen=True, slots=True)
class SuggestSettings:
    """The suggester's thresholds (tuned on PolNeAR train)."""

    min_score: float = 0.30
    """Suggestions whose cue scores lower (its precision in its frame, see :func:`suggest`) are dropped."""
    min_count: int = 2
    """Times a cue must have been annotated in the data to be used at all."""
    univocal: bool = True
    """Drop a suggestion whose cue word lies inside the content of a higher-scoring one (see :func:`suggest`)."""


DEFAULT_SETTINGS = SuggestSettings()

_MALE = frozenset({"he", "him", "his", "himself"})
_FEMALE = frozenset({"she", "her", "hers", "herself"})
_PERSON_PRONOUNS = _MALE | _FEMALE
_FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
_GROUP_PRONOUNS = frozenset({"they", "them", "their"})
_RELATIVES = frozenset({"who", "that", "which", "whom", "whose"})
_INDEFINITE = frozenset({"a", "an", "one", "some", "several", "many", "other", "another", "few", "two", "three"})
_DEFINITE = frozenset({"the", "this", "that"})
_ORG_LABELS = {"ORG": SpeakerKind.ORGANIZATION, "GPE": SpeakerKind.ORGANIZATION, "NORP": SpeakerKind.GROUP}
_SOURCE_DEPS = ("nsubj",)
_CONTENT_TRIM = frozenset(",.;:—–-")
_OPENERS = {"“": "”", '"': '"', "``": "''", "''": "''"}


def find_quotes(text: str) -> list[Span]:
    """The outermost quotations of ``text``, quote marks included, in order.

    Curly quotes pair “ with ”; straight ``"`` and ``''`` toggle; a quotation
    still open at a line break ends there (the convention for quotes running
    over several paragraphs).
    """
    quotes: list[Span] = []
    n = len(text)
    i = 0
    open_at = -1
    closer = ""
    while i < n:
        ch = text[i]
        if ch == "\n":
            if open_at >= 0:
                end = i
                while end > open_at + 1 and text[end - 1].isspace():
                    end -= 1
                quotes.append(Span(open_at, end))
                open_at = -1
            i += 1
            continue
        two = text[i : i + 2]
        if open_at < 0:
            if two in ("``", "''"):
                open_at, closer = i, "''"
                i += 2
                continue
            if ch in ("“", '"'):
                open_at, closer = i, _OPENERS[ch]
        elif closer == "''" and two == "''":
            quotes.append(Span(open_at, i + 2))
            open_at = -1
            i += 2
            continue
        elif ch == closer:
            quotes.append(Span(open_at, i + 1))
            open_at = -1
        i += 1
    if open_at >= 0:
        end = n
        while end > open_at + 1 and text[end - 1].isspace():
            end -= 1
        quotes.append(Span(open_at, end))
    return [q for q in quotes if q.end - q.start > 2]


class _Analysis:
    """What the suggester and the resolver need from one doc, computed once."""

    def __init__(self, doc: Doc, lexicon: CueLexicon) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.lexicon = lexicon
        self.quotes = find_quotes(self.text)
        self.quote_starts = [q.start for q in self.quotes]
        self.token_starts = [t.idx for t in doc]
        self.ent_label: dict[int, tuple[str, int, int]] = {}
        self.persons: list[tuple[int, int, int, str]] = []  # (start char, end char, root token i, name)
        for ent in doc.ents:
            for i in range(ent.start, ent.end):
                self.ent_label[i] = (ent.label_, ent.start, ent.end)
            if ent.label_ == "PERSON":
                name = _clean_name(ent.text)
                if name:
                    self.persons.append((ent.start_char, ent.end_char, ent.root.i, name))
        self.person_starts = [p[0] for p in self.persons]
        self._full_names: dict[str, list[tuple[int, str]]] = {}
        for start, _end, _root, name in self.persons:
            words = name.split()
            self._full_names.setdefault(words[-1].lower(), []).append((start, name))
        self._genders: dict[str, str] | None = None
        self._title_nouns: set[str] = set()
        for _start, _end, root_i, _name in self.persons:
            root = doc[root_i]
            for child in root.children:
                if child.pos_ == "NOUN" and child.dep_ in ("compound", "appos"):
                    self._title_nouns.add(child.lemma_.lower())
            if root.dep_ == "appos" and root.head.pos_ == "NOUN":
                self._title_nouns.add(root.head.lemma_.lower())

    # --- quotations -------------------------------------------------------------------------------

    def quote_at(self, offset: int) -> int:
        """Index of the quotation containing character ``offset``, or -1."""
        k = bisect_right(self.quote_starts, offset) - 1
        if k >= 0 and self.quotes[k].start <= offset < self.quotes[k].end:
            return k
        return -1

    def first_token_at_or_after(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset`` (``len(doc)`` when none)."""
        return bisect_left(self.token_starts, offset)

    # --- names ------------------------------------------------------------------------------------

    def full_name(self, name: str, before: int) -> str:
        """The longest PERSON name of the doc that ``name`` ends, nearest before ``before`` preferred."""
        words = name.split()
        if not words:
            return name
        candidates = [
            (start, full)
            for start, full in self._full_names.get(words[-1].lower(), [])
            if full.lower().split()[-len(words) :] == [w.lower() for w in words]
        ]
        if not candidates:
            return name
        longest = max(len(full.split()) for _s, full in candidates)
        if longest <= len(words):
            return name
        best = [(s, full) for s, full in candidates if len(full.split()) == longest]
        preceding = [c for c in best if c[0] < before]
        if preceding:
            return max(preceding)[1]
        counts: dict[str, int] = {}
        for _s, full in best:
            counts[full] = counts.get(full, 0) + 1
        return max(counts, key=lambda full: (counts[full], -min(s for s, f in best if f == full)))

    def is_person_name(self, name: str) -> bool:
        """True when ``name`` is, or ends, a PERSON name of the document."""
        words = name.lower().split()
        return any(full.lower().split()[-len(words) :] == words for _s, full in self._full_names.get(words[-1], []))

    def is_person_noun(self, lemma: str) -> bool:
        """True for nouns that title people in this doc or in the data ("ambassador", "spokesman")."""
        return lemma in self._title_nouns or self.lexicon.noun_class(lemma) == "person"

    def preceding_person(self, offset: int, pronoun: str | None = None) -> str | None:
        """The most likely person a pronoun or description at ``offset`` refers to.

        Among the PERSON mentions of the last dozen before ``offset``, the
        nearest that is a subject (or the addressee of "told") wins, else the
        nearest; a person whose gender the document shows (:meth:`gender`)
        and that disagrees with a "he"/"she" ``pronoun`` is passed over.
        """
        k = bisect_left(self.person_starts, offset) - 1
        if k < 0:
            return None
        doc = self.doc
        wanted = "m" if pronoun in _MALE else "f" if pronoun in _FEMALE else ""
        outside = self.quote_at(offset) < 0
        nearest: str | None = None
        for j in range(k, max(-1, k - 12), -1):
            start, end, root_i, name = self.persons[j]
            if end > offset:
                continue
            if outside and self.quote_at(start) >= 0:
                continue  # a name quoted is seldom who the narrative's "he" is
            full = self.full_name(name, start)
            if wanted and self.gender(full) not in ("", wanted):
                continue
            if nearest is None:
                nearest = full
            root = doc[root_i]
            if root.dep_ in ("nsubj", "nsubjpass") or (root.dep_ == "pobj" and root.head.lower_ == "to"):
                return full
        return nearest

    def gender(self, full_name: str) -> str:
        """``"m"``, ``"f"`` or ``""``: what the document says of a person's gender.

        Evidence: "Mr."/"Mrs."/"Ms." before their name, and the subject or
        possessive pronouns that follow them as a sentence's only named subject.
        """
        if self._genders is None:
            votes: dict[str, list[int]] = {}
            doc = self.doc
            for start, _end, root_i, name in self.persons:
                tally = votes.setdefault(self.full_name(name, start).lower(), [0, 0])
                first = doc[root_i].left_edge.i
                title = doc[first - 1].lower_.rstrip(".") if first > 0 else ""
                title = title if title in ("mr", "mrs", "ms") else doc[first].lower_.rstrip(".")
                if title == "mr":
                    tally[0] += 3
                elif title in ("mrs", "ms"):
                    tally[1] += 3
                root = doc[root_i]
                if root.dep_ != "nsubj":
                    continue
                sent = root.sent
                if sum(1 for p in self.persons if sent.start_char <= p[0] < sent.end_char) != 1:
                    continue
                for token in doc[root.i + 1 : sent.end]:
                    if token.dep_ not in ("nsubj", "nsubjpass", "poss"):
                        continue  # "X answered him": an object is someone else
                    if token.lower_ in _MALE:
                        tally[0] += 1
                        break
                    if token.lower_ in _FEMALE:
                        tally[1] += 1
                        break
            self._genders = {last: ("m" if m > f else "f" if f > m else "") for last, (m, f) in votes.items()}
        return self._genders.get(full_name.lower(), "")


def _clean_name(text: str) -> str:
    """An entity's text as a name: possessive, surrounding punctuation and extra spaces removed."""
    text = text.strip().strip("\"“”'‘’()[],.;:")
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    return " ".join(text.split())


def resolve_speaker(
    doc: Doc, start: int, end: int, lexicon: CueLexicon | None = None
) -> tuple[str | None, SpeakerKind]:
    """Who the mention ``[start, end)`` of ``doc`` refers to: ``(name or None, kind)``.

    A PERSON name gives the longest PERSON name of the document it ends
    ("Malhotra" → "Ajai Malhotra"); "he"/"she" and descriptions of a person
    ("the diplomat") give the most likely preceding person; plural or
    indefinite people ("officials", "a source") are ``ANONYMOUS`` with the
    mention's text as name; organisations and groups keep their entity's
    text; ``(None, UNKNOWN)`` when nothing can be said.
    """
    return _resolve(_Analysis(doc, lexicon or load_lexicon()), start, end)


def _resolve(an: _Analysis, start: int, end: int) -> tuple[str | None, SpeakerKind]:
    doc = an.doc
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None, SpeakerKind.UNKNOWN
    root = span.root
    # A name: the PERSON entity holding the head (or any PERSON in a proper-noun phrase), or a proper
    # noun or entity that ends a PERSON name of the document ("Malhotra" tagged ORG by the recognizer).
    person = None
    for token in [root, *span]:
        info = an.ent_label.get(token.i)
        if info is not None and info[0] == "PERSON":
            person = doc[info[1] : info[2]]
            break
    if person is not None and (root.pos_ == "PROPN" or person.start <= root.i < person.end):
        name = _clean_name(person.text)
        if name:
            return an.full_name(name, start), SpeakerKind.PERSON
    info = an.ent_label.get(root.i)
    if root.pos_ == "PROPN" or info is not None:
        name = _clean_name(doc[info[1] : info[2]].text if info is not None else span.text)
        if name and an.is_person_name(name):
            return an.full_name(name, start), SpeakerKind.PERSON
    lower = root.lower_
    if root.pos_ == "PRON" or lower in _RELATIVES:
        if lower in _PERSON_PRONOUNS:
            return an.preceding_person(start, lower), SpeakerKind.PERSON
        if (lower in _RELATIVES and root.head.dep_ in ("relcl", "acl")) or root.head.dep_ == "relcl":
            antecedent = root.head.head
            if antecedent.i < root.i:
                left = antecedent.left_edge.idx
                return _resolve(an, left, antecedent.idx + len(antecedent.text))
        if lower in _GROUP_PRONOUNS:
            return None, SpeakerKind.GROUP
        if lower in _FIRST_PERSON:
            return None, SpeakerKind.PERSON
        return None, SpeakerKind.UNKNOWN
    info = an.ent_label.get(root.i)
    if info is not None and info[0] in _ORG_LABELS:
        name = _clean_name(doc[info[1] : info[2]].text)
        if name.lower().startswith("the "):
            name = name[4:]
        return name or None, _ORG_LABELS[info[0]]
    if root.pos_ == "PROPN":
        return an.full_name(_clean_name(span.text), start) or None, SpeakerKind.PERSON
    if root.pos_ == "NOUN":
        lemma = root.lemma_.lower()
        dets = [c.lower_ for c in root.children if c.dep_ in ("det", "nummod", "amod", "poss")]
        plural = root.tag_ in ("NNS", "NNPS")
        indefinite = plural or any(d in _INDEFINITE for d in dets)
        if an.is_person_noun(lemma):
            if indefinite:
                return _clean_name(span.text) or None, SpeakerKind.ANONYMOUS
            return an.preceding_person(start), SpeakerKind.PERSON
        if indefinite and (an.lexicon.noun_class(lemma) == "person" or root.is_lower):
            return _clean_name(span.text) or None, SpeakerKind.ANONYMOUS
        if indefinite:
            return _clean_name(span.text) or None, SpeakerKind.UNKNOWN
        if an.lexicon.noun_class(lemma) == "" and any(d in _DEFINITE for d in dets):
            # "The diplomat": a definite description the data does not know as a thing; most
            # likely the person last spoken of.
            person_name = an.preceding_person(start)
            if person_name is not None:
                return person_name, SpeakerKind.PERSON
        return _clean_name(span.text) or None, SpeakerKind.UNKNOWN
    return None, SpeakerKind.UNKNOWN


# --- suggesting -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """A verb (or "according to") with the content and source the parse gives it: one possible attribution.

    ``kind`` is how the content was found ("quote", "ccomp", "parataxis",
    "prep", "xcomp", "dobj", "according"); :attr:`frame` adds whether a
    source was found and whether the cue word itself stands inside a
    quotation, the context the lexicon's precision is counted in.
    """

    token: Token
    particle: Token | None
    kind: str
    parts: list[tuple[int, int]]
    source: tuple[int, int] | None
    in_quote: bool
    source_class: str = "-"

    @property
    def frame(self) -> str:
        """``kind``, then the source's class, then ``+q`` when the cue is inside a quotation.

        Source classes: ``+p`` a person, ``+o`` an organisation, ``+s`` something else, ``-s`` no source.
        """
        source = f"+{self.source_class}" if self.source else "-s"
        return f"{self.kind}{source}{'+q' if self.in_quote else ''}"


def suggest(
    doc: Doc, lexicon: CueLexicon | None = None, settings: SuggestSettings = DEFAULT_SETTINGS
) -> list[Suggestion]:
    """Propose the attributions of a parsed ``doc``, in text order of their content.

    ``doc`` must come from a pipeline with :data:`SUGGEST_COMPONENTS`; offsets
    are ``str`` indexes into ``doc.text``. ``lexicon`` defaults to the
    packaged one. The score is the lexicon's precision for the cue word in
    its frame (how often, in the data, the same word with the same kind of
    content was an annotated cue), smoothed toward the word's overall
    precision; suggestions scoring under ``settings.min_score`` are dropped,
    and so is one whose cue word lies inside the content of a higher-scoring
    suggestion (``settings.univocal``).
    """
    an = _Analysis(doc, lexicon or load_lexicon())
    scored: list[tuple[float, Candidate]] = []
    for candidate in candidates(an):
        entry = _lookup(an, candidate.token)[0]
        if entry is None or entry.count < settings.min_count:
            continue
        score = entry.frame_precision(candidate.frame)
        if score >= settings.min_score and any(e > s for s, e in candidate.parts):
            scored.append((score, candidate))
    # PolNeAR is univocal (a token belongs to one attribution at most): a cue inside the content of a
    # stronger suggestion is the speaker's words, not the narrator's attribution ("Jolly said he would
    # worry about …").
    scored.sort(key=lambda pair: -pair[0])
    taken: list[tuple[int, int]] = []
    cues: list[Span] = []
    out: list[Suggestion] = []
    for score, candidate in scored:
        at = candidate.token.idx
        if settings.univocal and any(s <= at < e for s, e in taken):
            continue
        cue = Span(*_cue_span(an, candidate.token, candidate.particle, candidate.kind, candidate.parts))
        if settings.univocal and any(cue.overlaps(other) for other in cues):
            continue  # "went on" beside "went on to say"
        taken.extend(candidate.parts)
        cues.append(cue)
        parts = [Span(s, e) for s, e in candidate.parts if e > s]
        mention = Span(*candidate.source) if candidate.source else None
        if mention is not None:
            name, kind = _resolve(an, mention.start, mention.end)
        else:
            name, kind = None, SpeakerKind.UNKNOWN
        out.append(Suggestion(parts, cue, mention, name, kind, round(score, 3)))
    out.sort(key=lambda s: (s.parts[0].start, s.parts[0].end))
    return out


def candidates(doc_or_analysis: Doc | _Analysis, lexicon: CueLexicon | None = None) -> list[Candidate]:
    """Every verb of the doc that has a content by the parse, with its content, source and frame.

    The lexicon is consulted only for particles ("point out") and cue spans,
    not to decide which verbs are cues: ``tools/build_cue_lexicon.py`` counts
    these frames over all verbs to learn each cue's precision per frame.
    """
    an = (
        doc_or_analysis
        if isinstance(doc_or_analysis, _Analysis)
        else _Analysis(doc_or_analysis, lexicon or load_lexicon())
    )
    doc = an.doc
    attached = _attach_quotes(an)
    found: list[Candidate] = []
    for token in doc:
        if token.text == COLON[0]:
            candidate = _colon(an, token)
            if candidate is not None:
                found.append(candidate)
            continue
        if not token.is_alpha:
            continue
        if token.pos_ == "NOUN":
            candidate = _noun(an, token)
            if candidate is not None:
                found.append(candidate)
            continue
        if token.pos_ == "ADJ":
            candidate = _adjective(an, token)
            if candidate is not None:
                found.append(candidate)
            continue
        if token.pos_ != "VERB":
            continue
        _entry, particle = _lookup(an, token)
        in_quote = an.quote_at(token.idx) >= 0
        if token.lower_ == "according" and particle is not None and particle.lower_ == "to":
            candidate = _according(an, token, particle, in_quote)
            if candidate is not None:
                found.append(candidate)
            continue
        quotes = attached.get(token.i)
        prt = particle if particle is not None and particle.dep_ == "prt" else None
        if quotes:
            parts = [(an.quotes[k].start, an.quotes[k].end) for k in quotes]
            kind = "quote"
        else:
            content = _content(an, token, particle)
            if content is None:
                continue
            kind, parts, prt = content
        source, source_head = _source(an, token, parts)
        if kind == "rest" and source is None:
            continue  # the sentence's rest is too weak a content without a source
        found.append(Candidate(token, prt, kind, parts, source, in_quote, _source_class(an, source_head)))
    return found


def _lookup(an: _Analysis, token: Token) -> tuple[CueEntry | None, Token | None]:
    """The lexicon entry of a cue word with its particle child (the entry with a particle first)."""
    lex = an.lexicon
    if token.text == COLON[0]:
        return lex.get(*COLON), None
    lemma, pos = token.lemma_.lower(), token.pos_
    for child in token.rights:
        if child.dep_ in ("prt", "prep", "agent"):
            entry = lex.get(lemma, pos, child.lower_)
            if entry is not None:
                return entry, child
    return lex.get(lemma, pos, None), None


_ATTACH_PUNCT = frozenset({",", "—", "–", "-", "--"})


def _attach_quotes(an: _Analysis) -> dict[int, list[int]]:
    """Verb token index → indexes of the quotations that are its content, by position and the parse.

    After a quotation, the first verb of the clause that follows it (within
    six words, nothing but its subject before it: ``“…,” said Caddell``,
    ``“…,” he added``); before a quotation, the verb whose clause ends right
    before it (``He said: “…”``, ``Malhotra told ANI, “…”``; across a line
    break only after a colon). A quotation that is the whole next sentence
    of the same paragraph continues the same attribution.
    """
    doc, text = an.doc, an.text
    n = len(doc)
    result: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    for k, quote in enumerate(an.quotes):
        j = an.first_token_at_or_after(quote.end)
        while j < n and doc[j].text in _ATTACH_PUNCT:
            j += 1
        if j >= n or "\n" in text[quote.end : doc[j].idx]:
            continue
        if text[quote.start : quote.end].rstrip("”\"'").endswith(".") and not doc[j].text[:1].islower():
            continue  # the quotation ended its sentence; what follows starts another
        steps = 0
        while j < n and steps < 6:
            token = doc[j]
            if token.is_punct or token.is_space or an.quote_at(token.idx) >= 0:
                break
            if token.pos_ == "VERB":
                if token.is_alpha:
                    owner[k] = token.i
                    result.setdefault(token.i, []).append(k)
                break
            j += 1
            steps += 1
    for k, quote in enumerate(an.quotes):
        if k in owner:
            continue
        j = an.first_token_at_or_after(quote.start) - 1
        colon = False
        while j >= 0 and doc[j].text in _ATTACH_PUNCT | {":"}:
            colon = colon or doc[j].text == ":"
            j -= 1
        if j < 0 or an.quote_at(doc[j].idx) >= 0:
            continue
        between = text[doc[j].idx + len(doc[j].text) : quote.start]
        if "\n" in between and not colon:
            continue
        candidate = doc[j]
        for _ in range(4):
            if candidate.pos_ == "VERB" and candidate.i <= j:
                if (
                    candidate.is_alpha
                    and all(candidate.is_ancestor(doc[m]) for m in range(candidate.i + 1, j + 1))
                    and not _has_clause_outside(candidate, quote)
                ):
                    owner[k] = candidate.i
                    result.setdefault(candidate.i, []).append(k)
                break
            if candidate.head.i == candidate.i:
                break
            candidate = candidate.head
    for verb_i, ks in result.items():
        ks.sort()
        end = _clause_end(an, verb_i)
        for k in range(ks[-1] + 1, len(an.quotes)):
            quote = an.quotes[k]
            if k in owner or end is None or quote.start < end:
                break
            between = text[end : quote.start]
            if between.strip() or "\n" in between:
                break
            owner[k] = verb_i
            ks.append(k)
            end = quote.end
    return result


def _clause_end(an: _Analysis, verb_i: int) -> int | None:
    """Where the sentence holding the verb ends: after its first ``.``, ``!`` or ``?`` outside quotations."""
    doc = an.doc
    for token in doc[verb_i + 1 : min(len(doc), verb_i + 60)]:
        if "\n" in token.text:
            return None
        if token.text in (".", "!", "?", "...", "…") and an.quote_at(token.idx) < 0:
            return token.idx + len(token.text)
    return None


def _has_clause_outside(verb: Token, quote: Span) -> bool:
    """True when ``verb`` has a clausal complement outside ``quote`` (its content is that clause)."""
    return any(child.dep_ == "ccomp" and not quote.start <= child.idx < quote.end for child in verb.children)


def _token_range(tokens: Iterable[Token], keep_pair_comma: bool = False) -> tuple[int, int] | None:
    """Character range of tokens with punctuation and space at the edges dropped.

    A closing bracket stays when its opening one is inside; with
    ``keep_pair_comma`` a final comma stays when it closes an appositive
    opened by an earlier comma ("His campaign manager, Jeff Weaver," as
    PolNeAR marks sources).
    """
    toks = sorted(tokens, key=lambda t: t.i)
    first, last = 0, len(toks) - 1
    while first <= last and (toks[first].is_space or toks[first].text in _CONTENT_TRIM or toks[first].text in "()"):
        first += 1
    while last >= first:
        word = toks[last].text
        opener = "(" if word == ")" else "," if word == "," and keep_pair_comma else ""
        if opener and any(t.text == opener for t in toks[first:last]):
            break  # a closing bracket, or the comma closing an appositive
        if not (toks[last].is_space or word in _CONTENT_TRIM or word in "()"):
            break
        last -= 1
    if first > last:
        return None
    return toks[first].idx, toks[last].idx + len(toks[last].text)


_SNAP_GAP = ",.;:!?”\"' "


def _snap(an: _Analysis, start: int, end: int) -> tuple[int, int]:
    """Widen a content range to a quotation it starts at and ends just inside of (closing mark included)."""
    text = an.text
    k = an.quote_at(end - 1)
    if k >= 0:
        q = an.quotes[k]
        if end < q.end and not text[end : q.end].strip(_SNAP_GAP):
            end = q.end
    elif end < len(text):
        k = an.quote_at(end)
        if k >= 0 and an.quotes[k].start < start and not text[end : an.quotes[k].end].strip(_SNAP_GAP):
            end = an.quotes[k].end
    return start, end


def _content(
    an: _Analysis, verb: Token, particle: Token | None
) -> tuple[str, list[tuple[int, int]], Token | None] | None:
    """The content of a verb without an attached quotation: ``(kind, parts, particle in the cue)``."""
    prt = particle if particle is not None and particle.dep_ == "prt" else None
    for child in verb.children:
        if child.dep_ == "ccomp":
            if child.i < verb.i:
                # "X, she said": everything from the sentence's start to the comma before the
                # speaker, even what the parser hung elsewhere.
                r = _before_speaker(an, verb) or _token_range(child.subtree)
            else:
                r = _token_range(child.subtree)
            if r:
                return "ccomp", [_snap(an, *r)], prt
    for child in verb.rights:
        # "called for the US to step up …": the for-clause, the "for" joining the cue.
        marks = [c for c in child.children if c.dep_ == "mark" and c.lower_ == "for" and c.i <= verb.i + 2]
        if child.dep_ == "advcl" and marks:
            r = _token_range(t for t in child.subtree if t.i > marks[0].i)
            if r:
                return "for-clause", [_snap(an, *r)], marks[0]
    # "as the Times noted, Clinton raised …": the clause the as-clause modifies.
    as_clause = (
        verb.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
        and not any(c.dep_ in ("dobj", "xcomp", "prep") for c in verb.rights)
    )
    if (verb.dep_ == "parataxis" or as_clause) and verb.head.i != verb.i:
        head = verb.head
        low, high = verb.left_edge.i, verb.right_edge.i
        before = [t for t in head.subtree if t.i < low]
        after = [t for t in head.subtree if t.i > high]
        parts = [r for r in (_token_range(before), _token_range(after)) if r]
        if parts:
            return "as-clause" if as_clause else "parataxis", parts, prt
    if particle is not None and particle.dep_ in ("prep", "agent"):
        objects = [c for c in particle.children if c.dep_ in ("pobj", "pcomp")]
        if objects:
            r = _token_range(objects[0].subtree)
            if r:
                return "prep", [_snap(an, *r)], particle
    for dep in ("xcomp", "dobj"):
        for child in verb.rights:
            if child.dep_ == dep:
                r = _token_range(child.subtree)
                if r:
                    if dep == "dobj" and child.i in an.ent_label:
                        return "dobj:" + an.ent_label[child.i][0], [_snap(an, *r)], prt
                    return dep, [_snap(an, *r)], prt
    # No complement by the parse ("said following a vote in 2001 that …" with the clause hung elsewhere):
    # the rest of the sentence, a frame whose precision the data decides.
    sent = verb.sent
    rest = [t for t in an.doc[verb.i + 1 : sent.end] if not (t.is_punct and t.i == sent.end - 1)]
    if len(rest) >= 3:
        r = _token_range(rest)
        if r:
            return "rest", [_snap(an, *r)], prt
    return None


def _before_speaker(an: _Analysis, verb: Token) -> tuple[int, int] | None:
    """For "X, she said" / "X, said Smith": the range of X, from the sentence start to the comma."""
    doc = an.doc
    subjects = [c for c in verb.children if c.dep_ in _SOURCE_DEPS]
    first = verb.i
    while first > 0 and doc[first - 1].head.i == verb.i and doc[first - 1].dep_ in ("aux", "neg", "advmod"):
        first -= 1
    if subjects and subjects[0].i < verb.i:
        if subjects[0].right_edge.i + 1 != first:
            return None
        first = subjects[0].left_edge.i
    comma = first - 1
    sent = verb.sent
    if comma <= sent.start or doc[comma].text not in (",", "—", "–"):
        return None
    if any(t.dep_ in ("ccomp", "dobj", "xcomp") for t in verb.rights):
        return None
    return _token_range(doc[sent.start : comma])


def _source_class(an: _Analysis, head: Token | None) -> str:
    """The class of a source's head word: ``p`` person, ``o`` organisation, ``s`` something else.

    Persons are PERSON names and proper nouns, personal and relative
    pronouns, and nouns the data shows titling people; organisations and
    groups are ORG, GPE and NORP entities.
    """
    if head is None:
        return "s"
    info = an.ent_label.get(head.i)
    if info is not None and info[0] != "PERSON" and head.pos_ == "PROPN" and an.is_person_name(head.text):
        return "p"  # "Malhotra" tagged ORG, the surname of a PERSON of the document (as the resolver reads it)
    if info is not None:
        return "p" if info[0] == "PERSON" else "o" if info[0] in _ORG_LABELS else "s"
    lower = head.lower_
    if lower in _PERSON_PRONOUNS or lower in _FIRST_PERSON or lower in _GROUP_PRONOUNS or lower in ("who", "you"):
        return "p"
    if head.pos_ == "NOUN" and an.is_person_noun(head.lemma_.lower()):
        return "p"
    if head.pos_ == "PROPN":
        return "p"
    return "s"


def _source(an: _Analysis, verb: Token, parts: list[tuple[int, int]]) -> tuple[tuple[int, int] | None, Token | None]:
    """The source phrase of a cue verb and its head: its subject, a governing verb's subject, a passive's agent.

    The governing verb is the one the cue verb is conjoined to, an adverbial
    clause or ``xcomp`` of, or the object of a preposition of ("after
    announcing his support, Rubio …").
    """
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in _SOURCE_DEPS:
                return _phrase(child, parts), child
        head = current.head
        if head.i == current.i:
            break
        clause = current.dep_ in ("conj", "advcl", "xcomp") or _copula(current) is not None
        if clause and head.pos_ in ("VERB", "AUX", "ADJ"):
            current = head
            continue
        if current.dep_ == "pcomp" and head.head.i != head.i and head.head.pos_ in ("VERB", "AUX"):
            # "after announcing …, Rubio", "began by crediting …": the verb the preposition modifies.
            current = head.head
            continue
        break
    for child in verb.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _phrase(objects[0], parts), objects[0]
    return None, None


_QUOTE_MARKS = frozenset({"“", "”", '"', "``", "''", "‘", "’", "'"})


def _phrase(head: Token, parts: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A noun phrase's trimmed range, kept out of the content (falls back to the head and its compounds).

    Quotation marks at its edges that it does not pair are left out (the
    parser hangs the closing mark of the previous paragraph on a subject).
    """
    tokens = list(head.subtree)
    while tokens and tokens[0].text in _QUOTE_MARKS:
        tokens = tokens[1:]
    while tokens and tokens[-1].text in _QUOTE_MARKS and not any(t.text in _QUOTE_MARKS for t in tokens[:-1]):
        tokens = tokens[:-1]
    r = _token_range(tokens, keep_pair_comma=True)
    if r is not None and not any(r[0] < e and s < r[1] for s, e in parts):
        return r
    core = [head, *(c for c in head.lefts if c.dep_ in ("compound", "det", "amod", "poss", "nmod"))]
    r = _token_range(core)
    if r is not None and not any(r[0] < e and s < r[1] for s, e in parts):
        return r
    return None


_RIGHT_DEPS = ("prep", "npadvmod", "advmod", "punct")


def _cue_span(
    an: _Analysis, verb: Token, particle: Token | None, kind: str, parts: list[tuple[int, int]]
) -> tuple[int, int]:
    """The cue word with the auxiliaries, negation and adverbs annotators include, and its particle."""
    doc, lex = an.doc, an.lexicon
    if kind == "according" and particle is not None:
        return verb.idx, particle.idx + len(particle.text)
    if kind == "colon":
        return verb.idx, verb.idx + len(verb.text)
    # "is a supporter of", "was delighted by": from the copula (and what annotators include before it).
    copula = _copula(verb)
    anchor = copula if copula is not None else verb
    governor = verb.head
    if verb.dep_ == "xcomp" and governor.i < verb.i and lex.governor_included(governor.lemma_.lower()):
        # "went on to say", "declined to comment on", "are all quick to point out": from the governor.
        anchor = _copula(governor) or governor
    start = anchor.i
    while start > 0:
        prev = doc[start - 1]
        if prev.head.i == anchor.i and prev.dep_ != "prt" and lex.modifier_included(prev.dep_, prev.lower_):
            start -= 1
        else:
            break
    end = verb.i
    if particle is None or particle.i != verb.i + 1:
        # The preposition the lexicon records with the word ("pointed to", "said of") joins the cue
        # when it follows it, whatever the content is ("He pointed to the polls: “…”").
        particle = _lookup(an, verb)[1]
    if particle is not None and particle.i == verb.i + 1:
        end = particle.i
    while end + 1 < len(doc) and doc[end + 1].dep_ == "prt" and doc[end + 1].head.i == verb.i:
        end += 1
    for _ in range(2):  # "said in a statement:", "said Tuesday", "told:"
        if end + 1 >= len(doc):
            break
        after = doc[end + 1]
        if after.head.i != verb.i or after.dep_ not in _RIGHT_DEPS or not lex.right_included(after):
            break
        last = after.right_edge.i if after.dep_ != "punct" else after.i
        if last - after.i > 3 or any(doc[last].idx + len(doc[last].text) > s and after.idx < e for s, e in parts):
            break
        end = last
    return doc[start].idx, doc[end].idx + len(doc[end].text)


def _noun(an: _Analysis, noun: Token) -> Candidate | None:
    """A cue noun ("claim", "criticism of") with a that-clause or its preposition's object as content.

    The source is the noun's possessor ("Trump's claim"), else the subject of
    the verb it is the object of ("Trump repeated his claim that …").
    """
    entry, particle = _lookup(an, noun)
    if entry is None:
        return None
    kind = ""
    parts: list[tuple[int, int]] = []
    for child in noun.rights:
        if child.dep_ in ("acl", "ccomp") and any(c.dep_ == "mark" for c in child.children):
            r = _token_range(child.subtree)
            if r:
                kind, parts = "noun-clause", [_snap(an, *r)]
                break
    if not kind and particle is not None and particle.dep_ == "prep":
        objects = [c for c in particle.children if c.dep_ in ("pobj", "pcomp")]
        if objects:
            r = _token_range(objects[0].subtree)
            if r:
                kind, parts = "noun-prep", [_snap(an, *r)]
    if not kind:
        return None
    source: tuple[int, int] | None = None
    source_head: Token | None = None
    for child in noun.lefts:
        if child.dep_ == "poss":
            source, source_head = _phrase(child, parts), child
    if source is None and noun.dep_ in ("dobj", "pobj") and noun.head.pos_ == "VERB":
        source, source_head = _source(an, noun.head, parts)
    if source is None and _copula(noun) is not None:
        kind = "cop-" + kind
        source, source_head = _source(an, noun.head, parts)
    in_quote = an.quote_at(noun.idx) >= 0
    used = particle if kind == "noun-prep" else None
    return Candidate(noun, used, kind, parts, source, in_quote, _source_class(an, source_head) if source else "-")


_COPULAS = frozenset({"be"})


def _copula(predicate: Token) -> Token | None:
    """The "be" a predicate adjective, noun or participle hangs on ("is a supporter", "was delighted"), if any."""
    head = predicate.head
    if predicate.dep_ in ("acomp", "attr") and head.i < predicate.i and head.lemma_.lower() in _COPULAS:
        return head
    return None


def _adjective(an: _Analysis, adjective: Token) -> Candidate | None:
    """A predicate adjective cue ("is critical of X", "are confident that …", "are likely to say").

    The lexicon keys it on the adjective and its preposition, not on "be";
    the content is what the adjective governs (as for a verb), the source the
    copula's subject.
    """
    copula = _copula(adjective)
    if copula is None:
        return None
    entry, particle = _lookup(an, adjective)
    if entry is None:
        return None
    content = _content(an, adjective, particle)
    if content is None or content[0] == "rest":
        # "are confident that …", "was clear that …" with the that-clause hung on the copula (before
        # the rest of the sentence, which is only the fallback).
        clauses = [c for c in copula.rights if c.dep_ == "ccomp" and c.i > adjective.i]
        r = _token_range(clauses[0].subtree) if clauses else None
        if r is not None:
            content = "ccomp", [_snap(an, *r)], None
        if content is None:
            return None
    kind, parts, prt = content
    source, source_head = _source(an, adjective, parts)
    in_quote = an.quote_at(adjective.idx) >= 0
    return Candidate(adjective, prt, "cop-" + kind, parts, source, in_quote, _source_class(an, source_head))


def _according(an: _Analysis, token: Token, to: Token, in_quote: bool) -> Candidate | None:
    """For "according to X": X is the source; the clause the phrase modifies (minus the phrase) is the content."""
    objects = [c for c in to.children if c.dep_ == "pobj"]
    if not objects:
        return None
    source = _token_range(objects[0].subtree)
    source_class = _source_class(an, objects[0])
    head = token.head if token.head.i != token.i else token
    if head.pos_ not in ("VERB", "AUX"):
        head = token.sent.root
    low, high = token.left_edge.i, token.right_edge.i
    sent = token.sent
    region = [t for t in head.subtree if sent.start <= t.i < sent.end]
    parts = [
        r for r in (_token_range(t for t in region if t.i < low), _token_range(t for t in region if t.i > high)) if r
    ]
    if not parts:
        return None
    return Candidate(token, to, "according", parts, source, in_quote, source_class)


COLON: tuple[str, str, None] = (":", "PUNCT", None)
"""The lexicon key of a colon cue ("Pat Caddell: …", "TAPPER: …")."""
_COLON_SEPARATORS = frozenset({"-", "—", "–", "--", "|", "~"})
_COLON_MAX_WORDS = 8


def _colon(an: _Analysis, colon: Token) -> Candidate | None:
    """A name before a colon at the start of a line (or after a dash) says the rest of the line.

    Headlines and transcripts ("Pat Caddell: Trump Voters …", "TAPPER: And
    obviously …"): the source is the words before the colon up to the first
    preposition or verb ("CNN President On Trump:" → "CNN President"); they
    must hold a proper noun or an upper-case word. The content runs to the
    end of the line.
    """
    doc, text = an.doc, an.text
    if an.quote_at(colon.idx) >= 0:
        return None
    line_start = text.rfind("\n", 0, colon.idx) + 1
    line_end = text.find("\n", colon.idx)
    if line_end < 0:
        line_end = len(text)
    before = [t for t in doc[max(0, colon.i - 40) : colon.i] if t.idx >= line_start]
    for k in range(len(before) - 1, -1, -1):
        if before[k].text in _COLON_SEPARATORS:
            before = before[k + 1 :]
            break
    words = [t for t in before if not t.is_space]
    if not words or len(words) > _COLON_MAX_WORDS or not words[0].text[:1].isupper():
        return None
    if not any(t.pos_ == "PROPN" or (t.is_upper and t.is_alpha and len(t.text) > 1) for t in words):
        return None
    name: list[Token] = []
    for t in words:
        if name and (t.pos_ in ("ADP", "VERB", "AUX") or t.is_punct):
            break
        name.append(t)
    source = _token_range(name)
    stop = an.first_token_at_or_after(line_end)
    content = _token_range(doc[colon.i + 1 : stop])
    if source is None or content is None:
        return None
    heads = [t for t in name if not name[0].i <= t.head.i <= name[-1].i or t.head.i == t.i]
    head = heads[0] if heads else name[-1]
    return Candidate(colon, None, "colon", [content], source, False, _source_class(an, head))
