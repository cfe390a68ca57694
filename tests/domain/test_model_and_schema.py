"""Domain dataclasses, errors and the label schema."""

import hashlib

import pytest

from annotator.domain.errors import InputError, UserError
from annotator.domain.model import AnnotationSet, Claim, Document, Span, Stance, text_sha256
from annotator.domain.schema import ENTITY, STANCE, default_schema, parse_schema


def test_span_overlap_and_contains() -> None:
    assert Span(0, 5).overlaps(Span(4, 9))
    assert not Span(0, 5).overlaps(Span(5, 9))  # end exclusive
    assert Span(2, 4).contains(2) and not Span(2, 4).contains(4)
    assert Span(3, 5).text_in("0123456") == "34"


def test_claim_pieces() -> None:
    assert Claim(0, 5).pieces == [Span(0, 5)]
    split = Claim(0, 20, parts=[Span(0, 5), Span(12, 20)])
    assert split.pieces == [Span(0, 5), Span(12, 20)]
    assert split.span == Span(0, 20)


def test_stance_is_empty() -> None:
    assert Stance(None).is_empty
    assert Stance(None, "").is_empty
    assert not Stance("support").is_empty
    assert not Stance(None, "the deal").is_empty


def test_document_hash_and_title() -> None:
    text = "naïve \U0001f44d"
    document = Document("x", text, {"title": "T"})
    assert document.sha256 == text_sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert document.title == "T"
    assert Document("y", "t", {"title": 3}).title is None


def test_annotation_set_is_empty() -> None:
    assert AnnotationSet("alice").is_empty
    assert not AnnotationSet("alice", note="n").is_empty


def test_input_error_message_names_file_and_line() -> None:
    error = InputError("missing 'text'")
    assert str(error) == "<input>: missing 'text'"
    located = error.located("a.jsonl", 3)
    assert str(located) == "a.jsonl:3: missing 'text'"
    assert isinstance(located, UserError)
    # A location already known is kept.
    assert str(InputError("bad", "b.jsonl", 7).located("other", 1)) == "b.jsonl:7: bad"


def test_default_schema_has_the_spacy_entities_and_stances() -> None:
    schema = default_schema()
    assert {"PERSON", "GPE", "ORG", "NORP"} <= set(schema.names(ENTITY))
    assert schema.names(STANCE) == ["support", "oppose", "neutral"]
    assert schema.missing(ENTITY, {"PERSON", "FOO", "BAR"}) == ["BAR", "FOO"]
    assert schema.color(ENTITY, "nope") == "#dddddd"
    with pytest.raises(ValueError):
        schema.labels("colour")


@pytest.mark.parametrize("raw", ["not json", '{"entity_labels": [{"nom": "X"}]}', "[1]"])
def test_parse_schema_refuses_malformed(raw: str) -> None:
    with pytest.raises(UserError, match="label schema is not valid"):
        parse_schema(raw)
