"""The editing service: what an edit (or an undo) returns is exactly what a fresh read of the database gives."""

from pathlib import Path

from annotator.domain.model import AnnotationSet, Document, Span, SpeakerKind, Status
from annotator.formats.native_jsonl import line_object
from annotator.services.database import Database
from annotator.services.editing import Editor, EditResult
from annotator.services.importing import ImportOptions, import_paths
from annotator.services.speaker_matching import NewSpeaker

TEXT = "Officials in Paris said the talks failed. Marie Dupont said they will resume. She smiled."


def span(needle: str) -> Span:
    start = TEXT.index(needle)
    return Span(start, start + len(needle))


def as_json(document: Document, annotations: AnnotationSet) -> dict:
    line = line_object(document, annotations)
    line.pop("updated_at")
    return line


def test_every_edit_and_undo_returns_what_the_database_holds(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"format": "annotator/v1", "id": "a", "text": "' + TEXT + '", "annotator": null, "entities": '
        '[{"start": 13, "end": 18, "text": "Paris", "label": "GPE"}]}\n',
        encoding="utf-8",
    )
    assert not import_paths(database, [str(path)], ImportOptions(use_nlp=False)).failed
    editor = Editor(database, "alice")
    document, _ = editor.load(1)
    results: list[EditResult] = []

    def check(result: EditResult) -> EditResult:
        _, stored = editor.load(1)
        assert as_json(document, result.annotations) == as_json(document, stored)
        results.append(result)
        return result

    claim = check(editor.create_claim(1, span("the talks failed"))).claim_id
    check(editor.set_speaker(1, claim, span("Officials"), NewSpeaker("Officials", SpeakerKind.ANONYMOUS)))
    check(editor.set_cue(1, claim, span("said")))
    check(editor.set_stance(1, claim, "oppose"))
    split = check(editor.create_claim(1, span("they will resume"), parts=[span("they will"), span("resume")])).claim_id
    check(editor.set_speaker(1, split, span("Marie Dupont"), NewSpeaker("Marie Dupont")))
    check(editor.set_target(1, split, "talks"))
    check(editor.set_claim_note(1, split, "check"))
    check(editor.add_entity(1, span("Marie Dupont"), "PERSON"))  # forks the entity layer
    check(editor.set_status(1, Status.DONE))

    for result in reversed(results):
        restored = editor.restore(result.before)
        _, stored = editor.load(1)
        assert as_json(document, restored) == as_json(document, stored)
    assert stored.claims == [] and stored.status is Status.NEW
    assert [TEXT[e.start : e.end] for e in stored.entities] == ["Paris"]  # the model layer again
