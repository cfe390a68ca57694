"""Importing files, folders, stdin and JSONL: all or nothing per file, duplicates skipped."""

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.domain.model import Status
from annotator.services.exporting import iter_annotations
from annotator.services.importing import ImportOptions, import_paths
from annotator.store import labels, repository
from annotator.store.database import Database

NO_NLP = ImportOptions(use_nlp=False)


def _documents(database: Database) -> dict[str, Any]:
    """External id → (document, [annotation sets])."""
    with database.read() as session:
        found: dict[str, Any] = {}
        for document, aset in iter_annotations(session):
            found.setdefault(document.external_id, (document, []))[1].append(aset)
        return found


def _import(database: Database, *paths: Path | str, **options: Any) -> Any:
    return import_paths(database, [str(p) for p in paths], ImportOptions(use_nlp=False, **options))


def test_plain_text_files(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("First article.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"date 2024-05-06\nSecond\r\narticle.")
    report = _import(database, tmp_path / "a.txt", tmp_path / "b.txt")
    assert (report.added, report.skipped, report.failed) == (2, 0, [])
    assert [f.fmt for f in report.files] == ["text", "text"]
    docs = _documents(database)
    assert docs["a"][0].text == "First article."
    assert docs["b"][0].text == "Second\narticle."
    assert docs["b"][0].meta == {"source": "b.txt", "date": "2024-05-06", "newlines_normalized": True}


def test_folders_are_searched_recursively(database: Database, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "2024" / "05").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "top.txt").write_text("Top level.", encoding="utf-8")
    (root / "2024" / "05" / "deep.txt").write_text("Deep down.", encoding="utf-8")
    (root / "2024" / "lines.jsonl").write_text('{"text": "From JSONL.", "id": "j1"}\n', encoding="utf-8")
    (root / "2024" / "notes.csv").write_text("not,imported\n", encoding="utf-8")
    (root / ".hidden" / "secret.txt").write_text("Hidden.", encoding="utf-8")
    report = _import(database, root)
    assert report.failed == [] and report.added == 3
    assert set(_documents(database)) == {"top", "deep", "j1"}


def test_stdin_parameter_text_and_jsonl(database: Database) -> None:
    report = import_paths(database, ["-"], NO_NLP, stdin=io.BytesIO(b"A piped article.\r\n"))
    assert report.added == 1 and report.files[0].path == "<stdin>" and report.files[0].fmt == "text"
    report = import_paths(
        database, ["-"], NO_NLP, stdin=io.BufferedReader(io.BytesIO(b'{"text": "Piped JSONL.", "id": "p1"}\n'))
    )
    assert report.added == 1 and report.files[0].fmt == "jsonl"
    report = import_paths(database, ["-"], NO_NLP, stdin=io.BytesIO(b'{"text": "Unpeekable JSONL.", "id": "p2"}\n'))
    assert report.added == 1 and report.files[0].fmt == "jsonl"
    # A second piped text article gets its own id (not a shared "stdin" one).
    report = import_paths(database, ["-"], NO_NLP, stdin=io.BytesIO(b"Another piped article."))
    assert report.added == 1, report.files[0].error
    docs = _documents(database)
    texts = {doc.text for doc, _ in docs.values()}
    assert texts == {"A piped article.", "Piped JSONL.", "Unpeekable JSONL.", "Another piped article."}
    piped = next(doc for doc, _ in docs.values() if doc.text == "A piped article.")
    assert piped.meta == {"source": "stdin", "newlines_normalized": True}


def test_jsonl_bare_lines(database: Database, tmp_path: Path, jsonl: Callable[..., Path]) -> None:
    path = jsonl(
        tmp_path / "bare.jsonl",
        [{"text": "No id here."}, {"text": "With id.", "id": "x1", "meta": {"url": "https://example.org/1"}}],
    )
    report = _import(database, path)
    assert report.added == 2 and report.files[0].annotations_added == 0
    docs = _documents(database)
    assert docs["x1"][0].meta == {"url": "https://example.org/1"}
    (model_set,) = docs["x1"][1]
    assert model_set.annotator is None and model_set.status is Status.NEW and model_set.is_empty


def test_jsonl_full_lines_and_the_annotator_option(database: Database, tmp_path: Path, jsonl: Callable) -> None:
    text = "Malhotra said India stays neutral."
    line = {
        "format": "annotator/v1",
        "id": "d1",
        "text": text,
        "status": "done",
        "entities": [{"start": 14, "end": 19, "text": "India", "label": "GPE"}],
        "speakers": [{"id": "s1", "name": "Malhotra", "mentions": [{"start": 0, "end": 8, "text": "Malhotra"}]}],
        "claims": [{"start": 14, "end": 33, "text": text[14:33], "speaker": {"id": "s1"}}],
    }
    path = jsonl(tmp_path / "nameless.jsonl", [line])
    report = _import(database, path)  # claims, but nobody named as their annotator
    assert report.files[0].error is not None and "--annotator" in report.files[0].error
    report = _import(database, path, annotator="carol")
    assert report.failed == [] and report.added == 1 and report.files[0].annotations_added == 1
    (aset,) = _documents(database)["d1"][1]
    assert aset.annotator == "carol" and aset.status is Status.DONE
    assert [c.speaker.name for c in aset.claims if c.speaker] == ["Malhotra"]
    # A name in the file wins over --annotator.
    path = jsonl(tmp_path / "named.jsonl", [{**line, "id": "d2", "text": text + " Yes.", "annotator": "dave"}])
    report = _import(database, path, annotator="carol")
    assert [a.annotator for a in _documents(database)["d2"][1]] == ["dave"]


def test_reimporting_the_same_text_is_a_noop(database: Database, tmp_path: Path, dump: Callable) -> None:
    (tmp_path / "a.txt").write_text("Same text.", encoding="utf-8")
    _import(database, tmp_path / "a.txt")
    before = dump(tmp_path / "db.sqlite3")
    report = _import(database, tmp_path / "a.txt")
    assert (report.added, report.skipped, report.failed) == (0, 1, [])
    # Same text under another id (another file name, or a JSONL line) is still the same document.
    (tmp_path / "copy.txt").write_text("Same text.", encoding="utf-8")
    (tmp_path / "same.jsonl").write_text('{"text": "Same text.", "id": "other"}\n', encoding="utf-8")
    report = _import(database, tmp_path / "copy.txt", tmp_path / "same.jsonl")
    assert (report.added, report.skipped, report.failed) == (0, 2, [])
    assert dump(tmp_path / "db.sqlite3") == before


def test_duplicates_inside_one_file_are_skipped(database: Database, tmp_path: Path) -> None:
    (tmp_path / "dup.jsonl").write_text('{"text": "Twice."}\n{"text": "Twice."}\n{"text": "Once."}\n', encoding="utf-8")
    report = _import(database, tmp_path / "dup.jsonl")
    assert (report.added, report.skipped) == (2, 1)


def test_same_id_with_another_text_fails_the_file(database: Database, tmp_path: Path, dump: Callable) -> None:
    (tmp_path / "story.txt").write_text("The first version.", encoding="utf-8")
    _import(database, tmp_path / "story.txt")
    before = dump(tmp_path / "db.sqlite3")
    changed = tmp_path / "again"
    changed.mkdir()
    (changed / "story.txt").write_text("A different text.", encoding="utf-8")
    report = _import(database, changed / "story.txt")
    (failed,) = report.failed
    assert failed.error is not None
    assert str(changed / "story.txt") in failed.error
    assert "id 'story' is already used by a different text" in failed.error
    assert dump(tmp_path / "db.sqlite3") == before
    # Within one file too.
    (tmp_path / "clash.jsonl").write_text('{"text": "a", "id": "k"}\n{"text": "b", "id": "k"}\n', encoding="utf-8")
    report = _import(database, tmp_path / "clash.jsonl")
    assert report.failed and report.failed[0].error.startswith(f"{tmp_path / 'clash.jsonl'}:2: id 'k'")
    assert dump(tmp_path / "db.sqlite3") == before


def test_one_bad_line_fails_only_its_file(database: Database, tmp_path: Path, dump: Callable) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "Good one."}\n{"text": "Good two."}\n', encoding="utf-8")
    lines = [json.dumps({"text": f"Line {n}."}) for n in range(1, 600)]  # spans more than one batch
    lines[550] = '{"text": "broken"'
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _import(database, bad, good)
    (failed,) = report.failed
    assert failed.path == str(bad) and failed.error.startswith(f"{bad}:551: invalid JSON")
    assert failed.added == 0
    assert report.added == 2
    assert {doc.text for doc, _ in _documents(database).values()} == {"Good one.", "Good two."}


def test_labels_missing_from_the_schema(database: Database, tmp_path: Path, jsonl: Callable, dump: Callable) -> None:
    text = "Malhotra said it."
    line = {
        "format": "annotator/v1",
        "text": text,
        "annotator": "alice",
        "entities": [{"start": 0, "end": 8, "text": "Malhotra", "label": "DIPLOMAT"}],
        "claims": [{"start": 0, "end": 17, "text": text, "stance": {"label": "sarcastic", "target": None}}],
    }
    path = jsonl(tmp_path / "labels.jsonl", [line])
    before = dump(tmp_path / "db.sqlite3")
    report = _import(database, path)
    (failed,) = report.failed
    assert "entity labels DIPLOMAT" in failed.error and "stance labels sarcastic" in failed.error
    assert "--add-labels" in failed.error and failed.error.startswith(f"{path}:1:")
    assert dump(tmp_path / "db.sqlite3") == before
    report = _import(database, path, add_labels=True)
    assert report.failed == [] and report.added == 1
    assert sorted(report.files[0].labels_added) == ["entity:DIPLOMAT", "stance:sarcastic"]
    with database.read() as session:
        schema = labels.load_schema(session)
    assert schema.names("entity")[-1] == "DIPLOMAT" and schema.names("stance")[-1] == "sarcastic"


def test_two_annotators_of_one_document_in_one_file(database: Database, tmp_path: Path, jsonl: Callable) -> None:
    text = "Officials said the talks failed."
    base = {"format": "annotator/v1", "id": "talks", "text": text}
    claim = {"start": 15, "end": 31, "text": text[15:31]}
    path = jsonl(
        tmp_path / "two.jsonl",
        [
            {**base, "annotator": "alice", "status": "done", "claims": [claim]},
            {**base, "annotator": "bob", "status": "in_progress", "claims": [{**claim, "stance": {"label": "oppose"}}]},
        ],
    )
    report = _import(database, path)
    assert report.failed == [] and report.added == 1 and report.files[0].annotations_added == 2
    sets = {a.annotator: a for a in _documents(database)["talks"][1]}
    assert set(sets) == {"alice", "bob"}
    assert sets["alice"].status is Status.DONE and sets["bob"].claims[0].stance.label == "oppose"
    # A later file adds a third person's set to the stored document, and skips what is there.
    more = jsonl(
        tmp_path / "more.jsonl", [{**base, "annotator": "carol", "claims": [claim]}, {**base, "annotator": "bob"}]
    )
    report = _import(database, more)
    assert report.files[0].annotations_added == 1 and report.added == 0
    assert {a.annotator for a in _documents(database)["talks"][1]} == {"alice", "bob", "carol"}


def test_import_with_a_pipeline(database: Database, tmp_path: Path) -> None:
    """Pre-annotation runs through the services' tagger interface (a blank pipeline finds no entities)."""
    import spacy

    from annotator.services.preannotating import Annotator

    (tmp_path / "a.txt").write_text("Ajai Malhotra spoke.", encoding="utf-8")
    report = import_paths(database, [str(tmp_path / "a.txt")], ImportOptions(), tagger=Annotator(spacy.blank("en")))
    assert report.added == 1 and report.model == "en_pipeline 0.0.0"
    with database.read() as session:
        (doc,) = [d for d, _ in iter_annotations(session)]
        assert doc.id is not None and repository.model_entities(session, doc.id) == []


def test_cancelled_import_rolls_back_the_file(database: Database, tmp_path: Path, dump: Callable) -> None:
    (tmp_path / "a.txt").write_text("Never stored.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Never started.", encoding="utf-8")
    before = dump(tmp_path / "db.sqlite3")
    report = import_paths(database, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], NO_NLP, cancelled=lambda: True)
    assert report.cancelled and report.added == 0
    assert [f.path for f in report.files] == [str(tmp_path / "a.txt")]  # b.txt was not started
    assert "cancelled" in (report.files[0].error or "")
    assert dump(tmp_path / "db.sqlite3") == before
