"""Stored suggestions: computed with the real model, pending per annotator, accepted as claims, rejected, undone."""

from dataclasses import replace
from pathlib import Path

import pytest

from annotator.services.database import Database
from annotator.services.editing import Editor
from annotator.services.importing import ImportOptions, import_paths
from annotator.services.suggesting import compute_suggestions, has_suggestions, store_suggestions
from annotator.store import repository
from annotator.store.snapshots import restore_snapshot
from annotator.store.tables import SuggestionRow

pytestmark = pytest.mark.usefixtures("real_model")
SEED_FOLDER = Path(__file__).resolve().parents[2] / "seeds"


def _sample(database: Database) -> int:
    report = import_paths(database, [str(SEED_FOLDER)], ImportOptions(use_nlp=False))
    assert not report.failed and len(report.document_ids) == 1
    return report.document_ids[0]


def test_the_sample_gets_its_he_pointed_out_claim_with_ajai_malhotra(database: Database) -> None:
    doc_id = _sample(database)
    report = compute_suggestions(database)
    assert report.documents == 1 and report.suggestions >= 1 and report.suggester and "suggest/" in report.suggester
    assert report.model is None and report.entities == 0  # suggesting leaves the entities alone
    assert has_suggestions(database)
    editor = Editor(database, "alice")
    document, annotations = editor.load(doc_id)
    pending = editor.suggestions(doc_id, annotations)
    he = [s for s in pending if s.mention is not None and s.mention.text_in(document.text) == "He"]
    assert he and he[0].speaker_name == "Ajai Malhotra"
    assert document.text[he[0].span.start :].startswith(document.text[he[0].parts[0].start : he[0].parts[0].end])


def test_accept_reject_and_undo_per_annotator(database: Database) -> None:
    doc_id = _sample(database)
    compute_suggestions(database)
    alice, bob = Editor(database, "alice"), Editor(database, "bob")
    annotations = alice.annotations(doc_id)
    pending = alice.suggestions(doc_id, annotations)
    first = pending[0]
    assert first.id is not None
    accepted = alice.accept_suggestion(doc_id, first.id)
    (claim,) = accepted.annotations.claims
    assert claim.pieces == sorted(first.parts) and claim.cue == first.cue and claim.mention == first.mention
    if first.mention is not None:
        assert claim.speaker is not None and first.mention in claim.speaker.mentions
    assert first.id not in {s.id for s in alice.suggestions(doc_id, accepted.annotations)}
    assert first.id in {s.id for s in bob.suggestions(doc_id, bob.annotations(doc_id))}  # never bob's claim
    with database.write() as session:
        restore_snapshot(session, accepted.before)  # undo
    assert first.id in {s.id for s in alice.suggestions(doc_id, alice.annotations(doc_id))}
    second = pending[-1]
    assert second.id is not None
    rejected = alice.reject_suggestion(doc_id, second.id)
    assert second.id not in {s.id for s in alice.suggestions(doc_id, rejected.annotations)}
    with database.write() as session:
        restore_snapshot(session, rejected.before)
    assert second.id in {s.id for s in alice.suggestions(doc_id, alice.annotations(doc_id))}


def test_recomputing_keeps_rejections_of_suggestions_proposed_again(database: Database) -> None:
    doc_id = _sample(database)
    compute_suggestions(database)
    alice = Editor(database, "alice")
    pending = alice.suggestions(doc_id, alice.annotations(doc_id))
    kept, dropped = pending[0], pending[-1]
    assert kept.id is not None and dropped.id is not None
    alice.reject_suggestion(doc_id, kept.id)
    rejected_both = alice.reject_suggestion(doc_id, dropped.id)

    compute_suggestions(database)  # the same model proposes the same suggestions: same rows, rejections kept
    again = alice.suggestions(doc_id, alice.annotations(doc_id))
    assert {s.id for s in again} == {s.id for s in pending} - {kept.id, dropped.id}

    # a newer suggester proposes the kept content with another cue, and no longer the dropped one
    others = [s for s in pending if s.id != dropped.id]
    changed = [replace(s, score=0.99, cue=None) if s.id == kept.id else s for s in others]
    with database.write() as session:
        store_suggestions(session, doc_id, changed, "newer")
    after = alice.suggestions(doc_id, alice.annotations(doc_id))
    assert {s.id for s in after} == {s.id for s in others} - {kept.id}  # still rejected, under its old id
    with database.read() as session:
        assert session.get(SuggestionRow, kept.id).model == "newer"  # type: ignore[union-attr]

    with database.write() as session:  # undo a step whose snapshot names the dropped suggestion
        restore_snapshot(session, rejected_both.before)
    restored = alice.suggestions(doc_id, alice.annotations(doc_id))
    assert kept.id not in {s.id for s in restored} and dropped.id not in {s.id for s in restored}


def test_cli_suggest_accept_stores_every_suggestion_as_claims(cli, db_path: Path) -> None:
    assert cli("import", SEED_FOLDER, "--no-nlp", "--db", db_path).code == 0
    result = cli("suggest", "--accept", "--annotator", "model-bootstrap", "--db", db_path)
    assert result.code == 0, result.err
    count = int(result.out_lines[0].split()[1])
    assert count >= 1 and f"accepted {count} suggestion" in result.out
    database = Database.open(db_path)
    try:
        with database.read() as session:
            ((doc_id,),) = session.connection().exec_driver_sql("SELECT id FROM documents").fetchall()
            aset = repository.load_annotation_set(session, doc_id, "model-bootstrap")
        assert len(aset.claims) == count
        assert any(c.speaker is not None and c.speaker.name == "Ajai Malhotra" for c in aset.claims)
    finally:
        database.close()
    refused = cli("suggest", "--accept", "--db", db_path)
    assert refused.code == 1 and "--annotator NAME" in refused.err


def test_import_with_nlp_suggests_claims(cli, db_path: Path) -> None:
    result = cli("import", SEED_FOLDER, "--db", db_path)
    assert result.code == 0, result.err
    assert "claims suggested" in result.out or "claim suggested" in result.out
