from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.domain.model import Entity, EntitySource, Suggestion
from annotator.nlp.pipeline import available_model, load_pipeline, model_identity
from annotator.nlp.preannotate import entities_for_texts

if TYPE_CHECKING:
    from spacy.language import Language

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_ba5382ffd786d442.txt"

pytestmark = pytest.mark.skipif(available_model() is None, reason="no spaCy model installed")


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = load_pipeline()
    assert pipeline is not None
    return pipeline


@pytest.fixture(scope="module")
def article() -> str:
    raw = SEED.read_text(encoding="utf-8")
    text = raw.removeprefix(" date 2025-12-01 ")
    assert text.startswith("Russian President")
    return text


def _found(text: str, entities: list[Entity]) -> set[tuple[str, int, int, str]]:
    return {(text[e.start : e.end], e.start, e.end, e.label) for e in entities}


def _assert_well_formed(text: str, entities: list[Entity]) -> None:
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
        covered = text[entity.start : entity.end]
        assert covered == covered.strip(), (covered, entity)
        assert covered


def test_sample_article_entities(nlp: Language, article: str) -> None:
    [entities] = list(entities_for_texts(nlp, [article]))
    found = _found(article, entities)
    for name, label in [("Vladimir Putin", "PERSON"), ("Ajai Malhotra", "PERSON"), ("India", "GPE")]:
        start = article.index(name)
        assert (name, start, start + len(name), label) in found
    name, version = model_identity(nlp)
    assert all(e.source is EntitySource.MODEL for e in entities)
    assert all((e.model_name, e.model_version) == (name, version) for e in entities)
    assert all(e.id is None for e in entities)
    _assert_well_formed(article, entities)
    # The same spans and labels as spaCy itself.
    assert [(e.start, e.end, e.label) for e in entities] == [
        (ent.start_char, ent.end_char, ent.label_) for ent in nlp(article).ents
    ]


def test_one_list_per_text_in_order_from_a_lazy_iterable(nlp: Language) -> None:
    texts = ["Angela Merkel visited Paris.", "", "nothing here", "Joe Biden spoke in Washington."]

    def generate() -> Iterator[str]:
        yield from texts

    results = list(entities_for_texts(nlp, generate(), batch_size=2))
    assert len(results) == len(texts)
    assert [[t[e.start : e.end] for e in ents] for t, ents in zip(texts, results, strict=True)] == [
        ["Angela Merkel", "Paris"],
        [],
        [],
        ["Joe Biden", "Washington"],
    ]


def test_blank_pipeline_yields_empty_lists() -> None:
    blank = spacy.blank("en")
    assert list(entities_for_texts(blank, ["Angela Merkel visited Paris.", "", "x"])) == [[], [], []]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "👩‍👩‍👧‍👦 🇮🇳 Angela Merkel met Emmanuel Macron in Paris on Monday.",
            ["Angela Merkel", "Emmanuel Macron", "Paris"],
        ),
        ("東京都は日本の首都です。 Barack Obama visited Tokyo last week.", ["Barack Obama", "Tokyo"]),
        ("Line one about London.\r\nJoe Biden spoke in Washington.\r\nThe end.", ["London", "Joe Biden", "Washington"]),
        (
            "Cafe\u0301 owner Maria Garcia said Madrid was busy. 👍🏽 Then Pedro Sanchez arrived.",
            ["Maria Garcia", "Madrid"],
        ),
        ("שלום Benjamin Netanyahu spoke in Jerusalem. مرحبا", ["Benjamin Netanyahu", "Jerusalem"]),
        ("Old Mac line\rGeorge Washington crossed the Delaware.", ["George Washington"]),
    ],
)
def test_offsets_are_str_indexes_in_unusual_text(nlp: Language, text: str, expected: list[str]) -> None:
    [entities] = list(entities_for_texts(nlp, [text]))
    _assert_well_formed(text, entities)
    covered = [text[e.start : e.end] for e in entities]
    for name in expected:
        assert name in covered
        entity = entities[covered.index(name)]
        assert entity.start == text.index(name)


def test_trailing_whitespace_is_trimmed(nlp: Language, article: str) -> None:
    # spaCy's recognizer may end an entity on a whitespace token; this pinned
    # model does so here ("Ajai Malhotra \n ").
    name = "Ajai Malhotra"
    cut = article.index(name) + len(name)
    text = article[:cut] + " \n " + article[cut:]
    raw = [ent.text for ent in nlp(text).ents]
    assert f"{name} \n " in raw, "premise: the model includes the whitespace"
    [entities] = list(entities_for_texts(nlp, [text]))
    _assert_well_formed(text, entities)
    start = text.index(name)
    assert (name, start, start + len(name), "PERSON") in _found(text, entities)


def test_whitespace_only_entities_are_dropped_and_edges_trimmed() -> None:
    blank = spacy.blank("en")
    ruler = blank.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "WS", "pattern": [{"IS_SPACE": True}]},
            {"label": "ORG", "pattern": [{"IS_SPACE": True}, {"LOWER": "acme"}, {"IS_SPACE": True}]},
        ]
    )
    text = "We met\n\n at \n Acme \n\n today."
    raw = [(ent.text, ent.label_) for ent in blank(text).ents]
    assert raw == [("\n\n ", "WS"), ("\n Acme \n\n ", "ORG")]
    [entities] = list(entities_for_texts(blank, [text]))
    assert [(text[e.start : e.end], e.label) for e in entities] == [("Acme", "ORG")]
    assert entities[0].start == text.index("Acme")


def _many_texts(article: str) -> list[str]:
    paragraphs = [p for p in article.split("\n") if p.strip()]
    extra = [
        "Angela Merkel met Emmanuel Macron in Paris.",
        "",
        "Joe Biden spoke in Washington.\r\nThe end.",
        "東京 Barack Obama visited Tokyo. 👩‍👩‍👧",
        "no entities at all here",
    ]
    texts = paragraphs + extra + [article] + [p.upper() for p in paragraphs]
    return (texts * 3)[:22]


def test_two_processes_give_the_same_entities(nlp: Language, article: str) -> None:
    texts = _many_texts(article)
    assert len(texts) >= 20
    one = list(entities_for_texts(nlp, texts, batch_size=4, n_process=1))
    two = list(entities_for_texts(nlp, texts, batch_size=4, n_process=2))
    assert len(one) == len(texts)
    assert two == one
    assert sum(len(ents) for ents in one) > 20


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "Angela Merkel",
                "Paris",
                " ",
                "\n",
                "\r\n",
                "\r",
                "\t",
                "👩‍👩‍👧",
                "🇮🇳",
                "東京",
                "é",
                "e\u0301",
                ".",
                "said",
                "IBM",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_entities_are_always_well_formed(nlp: Language, text: str) -> None:
    [entities] = list(entities_for_texts(nlp, [text]))
    _assert_well_formed(text, entities)


def test_one_pass_gives_the_entities_of_the_ner_pipeline_and_suggestions_in_two_processes(
    nlp: Language, article: str
) -> None:
    from annotator.nlp.preannotate import analyse_texts
    from annotator.nlp.suggest import SUGGEST_COMPONENTS, suggest

    parsing = load_pipeline(None, SUGGEST_COMPONENTS)
    assert parsing is not None
    texts = _many_texts(article)

    def comparable(results: Iterable[tuple[list[Entity], list[Suggestion]]]) -> list[tuple[Any, ...]]:
        return [(entities, [astuple(s) for s in suggestions]) for entities, suggestions in results]  # eq=False

    one = comparable(analyse_texts(parsing, texts, batch_size=4, n_process=1))
    two = comparable(analyse_texts(parsing, texts, batch_size=4, n_process=2))
    assert two == one
    # The recognizer has its own tok2vec, so the NER-only pipeline finds the same entities, except where the
    # parser's sentence boundaries stop an entity (one all-capitals paragraph here: "TECHNOLOGICAL ADVANCEMENT AS").
    ner_only = list(entities_for_texts(nlp, texts))
    differ = [i for i, (entities, _) in enumerate(one) if entities != ner_only[i]]
    assert len(differ) <= 1 and all(texts[i].isupper() for i in differ), differ
    assert [suggestions for _, suggestions in one] == [
        [astuple(s) for s in suggest(doc)] for doc in parsing.pipe(texts)
    ]
    assert sum(len(suggestions) for _, suggestions in one) > 5
    assert all(suggestions == [] for _, suggestions in analyse_texts(parsing, texts[:3], suggest=False))
