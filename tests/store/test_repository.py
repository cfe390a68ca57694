"""Repository queries move domain objects in and out of the tables unchanged."""

from datetime import UTC, datetime

from annotator.domain.model import (
    AnnotationSet,
    Claim,
    Document,
    Entity,
    EntitySource,
    Span,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
)
from annotator.domain.schema import ENTITY, STANCE, default_schema
from annotator.store import labels, repository
from annotator.store.database import Database

TEXT = 'Putin will visit India. "India," Malhotra said, "stays neutral." Officials said it matters.'


def _store_document(database: Database, text: str = TEXT, external_id: str = "doc1") -> int:
    document = Document(external_id, text, {"date": "2025-12-01", "nested": {"a": [1, 2]}})
    with database.write() as session:
        (new_id,) = repository.insert_documents(session, [document])
    assert document.id == new_id
    return new_id


def test_documents_round_trip(database: Database) -> None:
    doc_id = _store_document(database)
    with database.read() as session:
        document = repository.load_document(session, doc_id)
        assert document is not None
        assert document.text == TEXT and document.external_id == "doc1"
        assert document.meta == {"date": "2025-12-01", "nested": {"a": [1, 2]}}
        assert repository.find_document(session, "doc1") == document
        assert repository.find_document(session, "nope") is None
        matches = repository.documents_matching(session, [document.sha256], [])
        assert matches == [(doc_id, "doc1", document.sha256)]
        assert repository.documents_matching(session, [], ["doc1"]) == matches


def _full_set() -> AnnotationSet:
    malhotra = Speaker("Ajai Malhotra", SpeakerKind.PERSON, "PERSON", [Span(33, 41)])
    officials = Speaker("officials", SpeakerKind.ANONYMOUS, None, [Span(65, 74)])
    author = Speaker("the article", SpeakerKind.AUTHOR)
    return AnnotationSet(
        annotator="alice",
        status=Status.DONE,
        entities=[Entity(0, 5, "PERSON", EntitySource.MANUAL), Entity(17, 22, "GPE", EntitySource.MODEL)],
        speakers=[malhotra, officials, author],
        claims=[
            Claim(0, 22, speaker=author, stance=Stance("neutral")),
            Claim(
                24,
                64,
                parts=[Span(24, 31), Span(49, 64)],
                speaker=malhotra,
                mention=Span(33, 41),
                cue=Span(42, 46),
                stance=Stance("support", "neutrality"),
                note="split quote",
            ),
            Claim(65, 90, speaker=officials, mention=Span(65, 74), stance=Stance(None, "the visit")),
        ],
        note="checked twice",
        updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def test_annotation_sets_round_trip(database: Database) -> None:
    doc_id = _store_document(database)
    original = _full_set()
    with database.write() as session:
        repository.insert_annotation_set(session, doc_id, original)
    with database.read() as session:
        (loaded,) = repository.load_annotation_sets(session, [doc_id])[doc_id]
        assert repository.annotator_names(session) == ["alice"]
        assert repository.annotated_by(session, doc_id) == {"alice"}
    assert loaded.annotator == "alice" and loaded.status is Status.DONE
    assert loaded.note == "checked twice" and loaded.updated_at == original.updated_at
    assert [(e.start, e.end, e.label, e.source) for e in loaded.entities] == [
        (0, 5, "PERSON", EntitySource.MANUAL),
        (17, 22, "GPE", EntitySource.MODEL),
    ]
    assert [(s.name, s.kind, s.entity_label, s.mentions) for s in loaded.speakers] == [
        ("Ajai Malhotra", SpeakerKind.PERSON, "PERSON", [Span(33, 41)]),
        ("officials", SpeakerKind.ANONYMOUS, None, [Span(65, 74)]),
        ("the article", SpeakerKind.AUTHOR, None, []),
    ]
    by_start = {c.start: c for c in loaded.claims}
    assert by_start[0].speaker is loaded.speakers[2] and by_start[0].stance == Stance("neutral")
    split = by_start[24]
    assert split.parts == [Span(24, 31), Span(49, 64)] and split.speaker is loaded.speakers[0]
    assert (split.mention, split.cue, split.stance, split.note) == (
        Span(33, 41),
        Span(42, 46),
        Stance("support", "neutrality"),
        "split quote",
    )
    assert by_start[65].stance == Stance(None, "the visit")


def test_model_layer_and_filters(database: Database) -> None:
    doc_id = _store_document(database)
    with database.write() as session:
        repository.replace_model_entities(session, doc_id, [Entity(0, 5, "PERSON")], "en_test 1.0")
        assert repository.has_model_entities(session, doc_id)
    with database.read() as session:
        # Nobody has a state yet: one set with annotator None holding the model's entities.
        (model_set,) = repository.load_annotation_sets(session, [doc_id])[doc_id]
        assert model_set.annotator is None and [e.label for e in model_set.entities] == ["PERSON"]
        assert repository.load_annotation_sets(session, [doc_id], "bob") == {doc_id: []}
        fresh = repository.load_annotation_set(session, doc_id, "bob")
        assert fresh.annotator == "bob" and [e.label for e in fresh.entities] == ["PERSON"]
    with database.write() as session:
        repository.replace_model_entities(session, doc_id, [Entity(17, 22, "GPE")], "en_test 2.0")
    with database.read() as session:
        assert [(e.start, e.label) for e in repository.model_entities(session, doc_id)] == [(17, "GPE")]


def test_labels_are_seeded_once_and_grow_at_the_end(database: Database) -> None:
    with database.read() as session:
        schema = labels.load_schema(session)
    shipped = default_schema()
    assert schema.names(ENTITY) == shipped.names(ENTITY)
    assert schema.names(STANCE) == shipped.names(STANCE)
    with database.write() as session:
        labels.seed_default_schema(session)  # already seeded: no-op
        assert labels.add_labels(session, STANCE, ["sarcastic", "support"]) == ["sarcastic"]
        assert labels.ensure_labels(session, ENTITY, {"PERSON", "WEAPON"}) == ["WEAPON"]
        assert labels.ensure_labels(session, ENTITY, set()) == []
    with database.read() as session:
        schema = labels.load_schema(session)
    assert schema.names(STANCE) == [*shipped.names(STANCE), "sarcastic"]
    assert schema.names(ENTITY)[-1] == "WEAPON"
    assert len(schema.names(ENTITY)) == len(shipped.names(ENTITY)) + 1


def test_relations_round_trip_and_survive_a_snapshot_restore(database: Database) -> None:
    from annotator.domain.model import Relation
    from annotator.store.snapshots import restore_snapshot, take_snapshot
    from annotator.store.tables import SuggestionRejectionRow, SuggestionRow

    doc_id = _store_document(database)
    original = _full_set()
    original.relations = [Relation(Span(0, 5), Span(17, 22), "Located_in"), Relation(Span(33, 41), Span(0, 5), "Ally")]
    with database.write() as session:
        repository.insert_annotation_set(session, doc_id, original)
        suggestion = SuggestionRow(document_id=doc_id, model="test", parts=[[0, 5]], speaker_kind="person", score=0.5)
        session.add(suggestion)
        session.flush()
        person = repository.annotator_id(session, "alice")
        assert person is not None
        session.add(SuggestionRejectionRow(suggestion_id=suggestion.id, annotator_id=person))
        session.flush()
        before = take_snapshot(session, doc_id, person)
        assert len(before.relations) == 2 and len(before.rejections) == 1
        restore_snapshot(session, take_snapshot(session, doc_id, repository.annotator_id(session, "nobody") or 0))
        restore_snapshot(session, before)
        view = repository.annotation_set_from_snapshot(session, before, "alice")
    with database.read() as session:
        (loaded,) = repository.load_annotation_sets(session, [doc_id])[doc_id]
        assert session.query(SuggestionRejectionRow).count() == 1
    assert loaded.relations == original.relations == view.relations
