"""Scoring suggestions against brat attribution files: units, exact and overlap matches, annotator means."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Claim, Span, Suggestion
from annotator.services.evaluating import RoleCounts, _compare, evaluate_document, evaluate_folder, units


@pytest.fixture(scope="module")
def nlp() -> Any:
    from annotator.nlp.pipeline import load_pipeline
    from annotator.nlp.suggest import SUGGEST_COMPONENTS

    return load_pipeline(None, SUGGEST_COMPONENTS)


TEXT = "Ajai Malhotra visited Delhi. Malhotra said that India should stay neutral. He said that talks help."


def at(words: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(words, start + 1)
    return Span(start, start + len(words))


def claim(content: list[Span], cue: Span | None, source: Span | None) -> Claim:
    return Claim(
        content[0].start, content[-1].end, parts=content if len(content) > 1 else None, cue=cue, mention=source
    )


def gold_claims() -> list[Claim]:
    return [
        claim([at("that India should stay neutral")], at("said"), at("Malhotra", 1)),
        claim([at("that talks help")], at("said", 1), at("He")),
    ]


def test_units_are_distinct_span_lists_per_role() -> None:
    claims = [*gold_claims(), claim([at("Delhi"), at("talks")], at("visited"), at("Malhotra", 1))]
    assert units(claims, "cue") == {(at("said"),), (at("said", 1),), (at("visited"),)}
    assert units(claims, "source") == {(at("Malhotra", 1),), (at("He"),)}
    assert (at("Delhi"), at("talks")) in units(claims, "content")
    suggestion = Suggestion([at("talks"), at("Delhi")], at("said"))
    assert units([suggestion], "content") == {(at("Delhi"), at("talks"))}
    assert units([suggestion], "source") == set()


def test_exact_and_overlap_matching() -> None:
    gold = {(Span(0, 10),), (Span(20, 30),), (Span(40, 50), Span(60, 70))}
    suggested = {(Span(0, 10),), (Span(25, 35),), (Span(40, 50),), (Span(80, 90),)}
    counts = _compare(suggested, gold)
    assert (counts.suggested, counts.gold) == (4, 3)
    assert (counts.suggested_exact, counts.gold_exact) == (1, 1)
    assert (counts.suggested_overlap, counts.gold_overlap) == (3, 3)
    assert counts.scores(exact=True) == pytest.approx((0.25, 1 / 3, 2 * 0.25 / 3 / (0.25 + 1 / 3)))
    precision, recall, f1 = counts.scores(exact=False)
    assert (precision, recall) == (0.75, 1.0)
    assert f1 == pytest.approx(2 * 0.75 / 1.75)
    assert RoleCounts().scores(exact=True) == (0.0, 0.0, 0.0)


def test_touching_spans_do_not_overlap() -> None:
    counts = _compare({(Span(0, 10),)}, {(Span(10, 20),)})
    assert counts.suggested_overlap == counts.gold_overlap == 0


def test_evaluate_document_takes_the_mean_over_annotators(nlp: Any) -> None:
    doc = nlp(TEXT)
    first = AnnotationSet("a", claims=gold_claims())
    second = AnnotationSet("b", claims=gold_claims()[:1])
    suggestions = [
        Suggestion([at("that India should stay neutral")], at("said"), at("Malhotra", 1), "Ajai Malhotra"),
        Suggestion([at("that talks help")], at("said", 1), at("He"), "Ajai Malhotra"),
    ]
    roles, pronouns = evaluate_document(doc, suggestions, [first, second])
    cue = roles["cue"]
    assert cue.suggested == 2  # (2 + 2) / 2
    assert cue.gold == 1.5  # (2 + 1) / 2
    assert cue.suggested_exact == 1.5 and cue.gold_exact == 1.5
    assert cue.scores(exact=True) == pytest.approx((0.75, 1.0, 2 * 0.75 / 1.75))
    # "He" has a named gold source before it in the first set only: counted with weight 1/2.
    assert pronouns.gold == 0.5
    assert pronouns.correct == 0.5
    assert pronouns.suggested == 0.5 and pronouns.suggested_correct == 0.5
    assert pronouns.accuracy == 1.0


def test_a_pronoun_resolved_to_someone_else_is_wrong(nlp: Any) -> None:
    text = "Ajai Malhotra met Mary Jones. Mary Jones said the talks failed. She said that talks help."
    doc = nlp(text)
    she = Span(text.index("She"), text.index("She") + 3)
    gold = AnnotationSet(
        "a",
        claims=[
            Claim(45, 61, cue=Span(41, 45), mention=Span(30, 40)),
            Claim(she.end + 6, len(text) - 1, cue=Span(she.end + 1, she.end + 5), mention=she),
        ],
    )
    wrong = Suggestion([Span(she.end + 6, len(text) - 1)], Span(she.end + 1, she.end + 5), she, "Ajai Malhotra")
    _roles, pronouns = evaluate_document(doc, [wrong], [gold])
    assert pronouns.gold == 1
    assert pronouns.correct == 1  # the resolver itself finds Mary Jones
    assert pronouns.suggested == 1 and pronouns.suggested_correct == 0


def write_split(root: Path, articles: dict[str, tuple[str, dict[str, str]]]) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for name, (text, anns) in articles.items():
        (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
        for annotator, ann in anns.items():
            (root / "attributions" / f"{name}_{annotator}.ann").write_text(ann, encoding="utf-8")
    return root


def ann_for(text: str, rows: list[tuple[str, str, str]]) -> str:
    """brat lines for (source, cue, content) word triples found in ``text``."""
    lines: list[str] = []
    n = 0
    for e, (source, cue, content) in enumerate(rows, start=1):
        ids = []
        for label, words in (("Source", source), ("Cue", cue), ("Content", content)):
            n += 1
            start = text.index(words)
            lines.append(f"T{n}\t{label} {start} {start + len(words)}\t{words}")
            ids.append(f"T{n}")
        n += 1
        start = text.index(cue)
        lines.append(f"T{n}\tAttribution {start} {start + len(cue)}\t{cue}")
        lines.append(f"E{e}\tAttribution:T{n} Source:{ids[0]} Cue:{ids[1]} Content:{ids[2]}")
    return "\n".join(lines) + "\n"


def test_evaluate_folder_reads_the_polnear_layout_and_skips_bad_files(tmp_path: Path) -> None:
    text = "Reporters visited Delhi. Malhotra said that India should stay neutral."
    good = ann_for(text, [("Malhotra", "said", "that India should stay neutral")])
    folder = write_split(
        tmp_path / "dev",
        {"art1": (text, {"x1": good, "x2": good, "x3": "T1\tSource 0 4\tnope\n"})},
    )
    report = evaluate_folder(folder)
    assert (report.articles, report.files) == (1, 2)
    assert len(report.skipped) == 1 and "art1_x3.ann" in report.skipped[0]
    for role in ("cue", "source", "content"):
        assert report.roles[role].scores(exact=True) == (1.0, 1.0, 1.0), role
    lines = report.lines()
    assert lines[0].startswith(f"{folder}: 1 articles, 2 annotation files")
    assert lines[2].split()[:4] == ["cue", "1.000", "1.000", "1.000"]
    assert any(line.startswith("skipped: ") for line in lines)


def test_evaluate_folder_rejects_other_layouts(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="PolNeAR's layout"):
        evaluate_folder(tmp_path)
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text").mkdir()
    with pytest.raises(UserError, match=r"no \.ann files"):
        evaluate_folder(tmp_path)


def test_the_command_prints_the_table(tmp_path: Path, cli: Callable[..., Any]) -> None:
    text = "Officials said the plan was ready. Officials said the talks failed."
    folder = write_split(
        tmp_path / "dev", {"a": (text, {"z": ann_for(text, [("Officials", "said", "the plan was ready")])})}
    )
    result = cli("evaluate-suggestions", folder, "--limit", "1")
    assert result.code == 0, result.err
    lines = result.out_lines
    assert lines[1].split()[:4] == ["role", "exact", "P", "exact"]
    cue = lines[2].split()
    assert cue[0] == "cue" and float(cue[1]) == 0.5 and float(cue[2]) == 1.0  # 2 suggested, 1 annotated
    bad = cli("evaluate-suggestions", tmp_path / "nowhere")
    assert bad.code == 1 and "PolNeAR's layout" in bad.err


def test_polnear_dev_articles_reach_the_measured_quality(samples: Path, tmp_path: Path) -> None:
    """Four dev articles, one with six annotators (read in place through links): loose floors under the
    figures the method reaches on them (see the issue's closing note for the whole split)."""
    dev = samples / "polnear" / "dev"
    names = [
        "politico_2016-09-08_flynn-says-trump-absolutely-righ",
        "breitbart_2016-09-15_pat-caddell-democrat-voters-worr",
        "breitbart_2016-09-21_only-percent-of-hillary-clinton-",
        "breitbart_2016-09-26_green-party-candidate-jill-stein",
    ]
    folder = tmp_path / "dev"
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    for name in names:
        (folder / "text" / f"{name}.txt").symlink_to(dev / "text" / f"{name}.txt")
        for ann in dev.glob(f"attributions/{name}_*.ann"):
            (folder / "attributions" / ann.name).symlink_to(ann)
    report = evaluate_folder(folder)
    assert report.articles == 4 and report.files == 9 and not report.skipped
    floors = {"cue": 0.6, "source": 0.6, "content": 0.65}
    for role, floor in floors.items():
        _p, _r, overlap_f1 = report.roles[role].scores(exact=False)
        assert overlap_f1 >= floor, (role, report.lines())
    _p, _r, exact_cue = report.roles["cue"].scores(exact=True)
    assert exact_cue >= 0.5, report.lines()
