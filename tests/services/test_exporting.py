"""Export: atomic file replacement, filters, standard output."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.domain.errors import UserError
from annotator.domain.model import Status
from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database


def _line(doc_id: str, text: str, annotator: str | None, status: str) -> dict[str, Any]:
    return {"format": "annotator/v1", "id": doc_id, "text": text, "annotator": annotator, "status": status}


@pytest.fixture
def filled(database: Database, tmp_path: Path, jsonl: Callable[..., Path]) -> Database:
    lines = [
        _line("d1", "First text.", "alice", "done"),
        _line("d1", "First text.", "bob", "in_progress"),
        _line("d2", "Second text.", "alice", "skipped"),
        _line("d3", "Third text.", "bob", "done"),
        {"text": "Fourth text, untouched.", "id": "d4"},
    ]
    report = import_paths(database, [str(jsonl(tmp_path / "in.jsonl", lines))], ImportOptions(use_nlp=False))
    assert report.failed == [] and report.added == 4
    return database


def _pairs(path: Path) -> list[tuple[str, str | None, str]]:
    return [(o["id"], o["annotator"], o["status"]) for o in map(json.loads, path.read_text("utf-8").splitlines())]


def test_export_writes_one_line_per_document_and_annotator(filled: Database, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    report = export_jsonl(filled, str(out))
    assert (report.lines, report.documents) == (5, 4)
    assert _pairs(out) == [
        ("d1", "alice", "done"),
        ("d1", "bob", "in_progress"),
        ("d2", "alice", "skipped"),
        ("d3", "bob", "done"),
        ("d4", None, "new"),
    ]
    raw = out.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")


def test_status_and_annotator_filters(filled: Database, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    export_jsonl(filled, str(out), status=Status.DONE)
    assert _pairs(out) == [("d1", "alice", "done"), ("d3", "bob", "done")]
    export_jsonl(filled, str(out), annotator="alice")
    assert _pairs(out) == [("d1", "alice", "done"), ("d2", "alice", "skipped")]
    report = export_jsonl(filled, str(out), annotator="bob", status=Status.DONE)
    assert _pairs(out) == [("d3", "bob", "done")] and report.documents == 1
    report = export_jsonl(filled, str(out), annotator="nobody")
    assert out.read_text() == "" and report.lines == 0


def test_export_replaces_the_old_file_and_leaves_no_temp_files(filled: Database, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "corpus.jsonl"
    out.write_text("old content\n", encoding="utf-8")
    export_jsonl(filled, str(out))
    assert len(_pairs(out)) == 5
    assert [p.name for p in folder.iterdir()] == ["corpus.jsonl"]


def test_export_into_a_missing_folder_writes_nothing(filled: Database, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(UserError, match="does not exist"):
        export_jsonl(filled, str(tmp_path / "missing" / "out.jsonl"))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_export_onto_a_folder_is_refused(filled: Database, tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    with pytest.raises(UserError, match="is a folder"):
        export_jsonl(filled, str(tmp_path / "adir"))
    assert list((tmp_path / "adir").iterdir()) == []


def test_a_failed_export_keeps_the_old_file(filled: Database, tmp_path: Path) -> None:
    out = tmp_path / "keep.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    def interrupt(_lines: int) -> None:
        raise KeyboardInterrupt

    # The progress callback fires every 1,000 lines; make enough lines for it to fire mid-way.
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({"text": f"Article {n}."}) + "\n" for n in range(1200)), encoding="utf-8")
    import_paths(filled, [str(many)], ImportOptions(use_nlp=False))
    with pytest.raises(KeyboardInterrupt):
        export_jsonl(filled, str(out), progress=interrupt)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_export_to_stdout(filled: Database, capsys: pytest.CaptureFixture[str]) -> None:
    report = export_jsonl(filled, "-", status=Status.SKIPPED)
    out = capsys.readouterr().out
    assert report.lines == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["d2"]
