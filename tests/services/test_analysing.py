"""One parse per document for entities and suggestions: import, pre-annotation, a model without a parser, cancel."""

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from annotator.domain.model import Entity, Suggestion
from annotator.services.analysing import EntityLayer, analyse_documents
from annotator.services.database import Database
from annotator.services.importing import ImportOptions, import_paths
from annotator.services.preannotating import Annotator, load_annotator, preannotate
from annotator.store import repository
from annotator.store.tables import DocumentRow, SuggestionRow

pytestmark = pytest.mark.usefixtures("real_model")

QUOTE = 'Ajai Malhotra said that India should stay neutral. "We will not take sides," he added.'


class CountingAnnotator(Annotator):
    """The real pre-annotator, counting the texts it parses."""

    parsed = 0

    def analyse(self, texts: Iterable[str]) -> Iterator[tuple[list[Entity], list[Suggestion]]]:
        """Count, then parse as the real one does."""
        taken = list(texts)
        self.parsed += len(taken)
        return super().analyse(taken)


def _counting(real_model: Any) -> CountingAnnotator:
    annotator = load_annotator(suggest=True)
    assert annotator is not None and annotator.suggester is not None
    return CountingAnnotator(annotator.nlp, suggest=True)


def _suggestions(database: Database) -> dict[str, int]:
    with database.read() as session:
        rows = session.execute(
            select(DocumentRow.external_id, SuggestionRow.id).join(
                SuggestionRow, SuggestionRow.document_id == DocumentRow.id
            )
        ).all()
    counts: dict[str, int] = {}
    for external_id, _ in rows:
        counts[external_id] = counts.get(external_id, 0) + 1
    return counts


def test_import_parses_each_new_document_once_for_entities_and_suggestions(
    database: Database, tmp_path: Path, real_model: Any
) -> None:
    source = tmp_path / "in.jsonl"
    own_layer = {"start": 0, "end": 13, "text": "Ajai Malhotra", "label": "PERSON", "source": "import"}
    lines = [
        {"id": "plain", "text": QUOTE},
        {"format": "annotator/v1", "id": "own", "annotator": None, "text": QUOTE + " Again.", "entities": [own_layer]},
    ]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    tagger = _counting(real_model)
    report = import_paths(database, [str(source)], ImportOptions(), tagger=tagger)
    assert not report.failed and report.added == 2
    assert tagger.parsed == 2  # one parse each, for both layers
    assert report.analysis is not None and report.analysis.suggester is not None
    assert report.analysis.suggestions >= 2 and _suggestions(database).keys() == {"plain", "own"}
    with database.read() as session:
        ids = dict(session.execute(select(DocumentRow.external_id, DocumentRow.id)).all())
        plain = repository.model_entities(session, ids["plain"])
        own = repository.model_entities(session, ids["own"])
    assert ("Ajai Malhotra", "PERSON") in {(QUOTE[e.start : e.end], e.label) for e in plain}
    assert [(e.start, e.end, e.source.value) for e in own] == [(0, 13, "import")]  # the file's layer is kept

    again = import_paths(database, [str(source)], ImportOptions(), tagger=tagger)
    assert again.skipped == 2 and tagger.parsed == 2  # nothing new, nothing parsed


def test_preannotate_replaces_entities_and_recomputes_suggestions_in_one_pass(
    database: Database, tmp_path: Path, real_model: Any
) -> None:
    (tmp_path / "a.txt").write_text(QUOTE, encoding="utf-8")
    assert not import_paths(database, [str(tmp_path / "a.txt")], ImportOptions(use_nlp=False)).failed
    assert _suggestions(database) == {}
    tagger = _counting(real_model)
    report = preannotate(database, annotator=tagger)
    assert tagger.parsed == 1 and report.documents == 1 and report.entities >= 1 and report.suggestions >= 1
    assert report.model is not None and report.suggester is not None and report.suggester.startswith(report.model)
    assert "1 document: " in report.describe() and "suggested" in report.describe()


def test_a_model_without_a_parser_pre_annotates_without_suggestions(cli, db_path: Path, tmp_path: Path) -> None:
    import spacy

    ner_only = spacy.blank("en")
    ner_only.add_pipe("ner")
    ner_only.initialize()
    ner_only.to_disk(tmp_path / "ner_only")
    annotator = load_annotator(str(tmp_path / "ner_only"), suggest=True)
    assert annotator is not None and annotator.suggester is None
    assert annotator.without_suggestions is not None and "'tagger'" in annotator.without_suggestions

    (tmp_path / "a.txt").write_text(QUOTE, encoding="utf-8")
    result = cli("import", "--db", db_path, "--model", tmp_path / "ner_only", tmp_path / "a.txt")
    assert result.code == 0, result.err
    assert "no claim suggestions" in result.err and "imported 1 document" in result.out
    assert "suggested" not in result.out
    result = cli("suggest", "--db", db_path, "--model", tmp_path / "ner_only")
    assert result.code == 1 and len(result.err.splitlines()) == 1 and "no claim suggestions" in result.err


def test_a_cancelled_pass_keeps_whole_chunks_and_says_what_is_left(
    database: Database, tmp_path: Path, real_model: Any
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(70):  # two chunks
        (folder / f"a{i:02}.txt").write_text(f"Officials said article {i} was right.", encoding="utf-8")
    chunks_done: list[int] = []
    report = import_paths(
        database,
        [str(folder)],
        ImportOptions(),
        analysis_progress=lambda done, total: chunks_done.append(done),
        cancelled=lambda: bool(chunks_done),
    )
    assert report.added == 70 and not report.cancelled  # every file is in
    assert report.analysis is not None and report.analysis.cancelled and report.analysis.documents == 64
    assert report.model_note is not None and "6 imported documents without entities or suggestions" in report.model_note
    with database.read() as session:
        modelled = session.scalar(select(func.count()).where(DocumentRow.entities_model.is_not(None)))
    assert modelled == 64
    annotator = load_annotator(suggest=True)
    assert annotator is not None
    rest = analyse_documents(database, annotator, entities=EntityLayer.MISSING)
    assert rest.documents == 70 and rest.suggester is not None
    with database.read() as session:
        modelled = session.scalar(select(func.count()).where(DocumentRow.entities_model.is_not(None)))
    assert modelled == 70
