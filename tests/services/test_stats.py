"""Counts for `annotator stats`."""

from collections.abc import Callable
from pathlib import Path

from annotator.domain.model import Entity
from annotator.services.importing import ImportOptions, import_paths
from annotator.services.stats import collect_stats
from annotator.store import repository
from annotator.store.database import Database


def test_counts_by_status_and_annotator(database: Database, tmp_path: Path, jsonl: Callable[..., Path]) -> None:
    text = "Malhotra said India stays neutral."
    malhotra = {"start": 0, "end": 8, "text": "Malhotra"}
    claim = {"start": 14, "end": 33, "text": text[14:33], "speaker": {"id": "s1", "mention": malhotra}}
    lines = [
        {
            "format": "annotator/v1",
            "id": "d1",
            "text": text,
            "annotator": "alice",
            "status": "done",
            "entities": [{**malhotra, "label": "PERSON"}, {"start": 14, "end": 19, "text": "India", "label": "GPE"}],
            "speakers": [{"id": "s1", "name": "Malhotra", "mentions": [malhotra]}],
            "claims": [claim, {"start": 0, "end": 13, "text": text[:13]}],
        },
        {"format": "annotator/v1", "id": "d1", "text": text, "annotator": "bob", "status": "in_progress"},
        {"format": "annotator/v1", "id": "d2", "text": "Another one.", "annotator": "alice", "status": "done"},
        {"text": "Nobody opened this.", "id": "d3"},
    ]
    import_paths(database, [str(jsonl(tmp_path / "in.jsonl", lines))], ImportOptions(use_nlp=False))
    with database.write() as session:
        doc = repository.find_document(session, "d3")
        assert doc is not None and doc.id is not None
        repository.replace_model_entities(session, doc.id, [Entity(0, 6, "PERSON")], "test 1")

    stats = collect_stats(database)
    assert (stats.documents, stats.untouched, stats.model_entities) == (3, 1, 1)
    people = {a.name: a for a in stats.annotators}
    assert list(people) == ["alice", "bob"]
    assert dict(people["alice"].statuses) == {"done": 2}
    assert (people["alice"].entities, people["alice"].speakers, people["alice"].claims) == (2, 1, 2)
    assert dict(people["bob"].statuses) == {"in_progress": 1}
    assert (people["bob"].entities, people["bob"].speakers, people["bob"].claims) == (0, 0, 0)


def test_empty_database(database: Database) -> None:
    stats = collect_stats(database)
    assert (stats.documents, stats.untouched, stats.model_entities, stats.annotators) == (0, 0, 0, [])
