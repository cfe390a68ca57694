"""Fixtures the format tests share: a second database, and a kit to import, export and compare what is stored.

The hand-made lines they import are in ``tests/native_lines.py``.
"""

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from native_lines import native_lines

from annotator.domain.model import AnnotationSet, Document, Speaker
from annotator.services.exporting import ExportReport, export_annotations, iter_annotations
from annotator.services.importing import ImportOptions, ImportReport, import_paths
from annotator.store.database import Database

Views = dict[tuple[str, str | None], dict[str, Any]]
"""Each (document external id, annotator) pair's :meth:`FormatKit.view`."""


class Exported:
    """An export's file and report."""

    def __init__(self, path: Path, report: ExportReport) -> None:
        self.path, self.report = path, report

    def warnings(self) -> str:
        """The report's warnings, one a line."""
        return "\n".join(self.report.warnings)

    def lines(self) -> list[Any]:
        """The JSON value of each non-blank line of the file."""
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def json(self) -> Any:
        """The file's JSON value."""
        return json.loads(self.path.read_text(encoding="utf-8"))


class FormatKit:
    """What the format tests do with databases: import files, export in a format, look at what is stored."""

    def __init__(self, folder: Path, write_jsonl: Callable[[Path, list[Any]], Path]) -> None:
        self.folder = folder
        self.write_jsonl = write_jsonl

    @staticmethod
    def import_files(database: Database, *paths: Path, **options: Any) -> ImportReport:
        """Import files without the model (``ImportOptions`` as keywords); no file may fail."""
        report = import_paths(database, [str(path) for path in paths], ImportOptions(use_nlp=False, **options))
        assert not report.failed, [outcome.error for outcome in report.failed]
        return report

    def import_lines(
        self, database: Database, lines: list[Any], name: str = "native.jsonl", **options: Any
    ) -> ImportReport:
        """Write ``lines`` to the JSON lines file ``name`` in the test's folder and import them (see import_files)."""
        return self.import_files(database, self.write_jsonl(self.folder / name, lines), **options)

    def export(self, database: Database, fmt: str, name: str | None = None, **options: Any) -> Exported:
        """Export in format ``fmt`` (``export_annotations`` keywords) to ``name`` in the test's folder."""
        path = self.folder / (name or f"export.{fmt}")
        return Exported(path, export_annotations(database, str(path), fmt=fmt, **options))

    @staticmethod
    def view(document: Document, aset: AnnotationSet) -> dict[str, Any]:
        """What an annotation set says, in a form that compares across databases (ids and order ignored)."""

        def who(person: Speaker | None) -> Any:
            if person is None:
                return None
            return (person.name, person.kind.value, person.entity_label, tuple(sorted(person.mentions)))

        return {
            "text": document.text,
            "meta": document.meta,
            "status": aset.status.value,
            "note": aset.note,
            "entities": sorted((e.start, e.end, e.label, e.source.value) for e in aset.entities),
            "speakers": sorted((who(s) for s in aset.speakers), key=repr),
            "claims": sorted(
                (
                    (
                        tuple(c.pieces),
                        who(c.speaker),
                        c.mention,
                        c.cue,
                        (c.stance.label, c.stance.target) if c.stance else None,
                        c.note,
                    )
                    for c in aset.claims
                ),
                key=repr,
            ),
            "relations": sorted((r.head, r.child, r.label) for r in aset.relations),
        }

    def snapshot(self, database: Database | Path) -> Views:
        """Every annotation set of a database (open, or a file) as its :meth:`view`, by (external id, annotator)."""
        if isinstance(database, Path):
            opened = Database.open(database)
            try:
                return self.snapshot(opened)
            finally:
                opened.close()
        with database.read() as session:
            return {(d.external_id, a.annotator): self.view(d, a) for d, a in iter_annotations(session)}

    @staticmethod
    def carried(
        views: Views, *, status: str | None = "kept", notes: bool = True, meta: bool = True, sources: bool = True
    ) -> Views:
        """What a span-and-relation format carries of some views: never speakers without a mention, nor claim speakers.

        A claim whose speaker is named by no mention reads back without one.
        ``status`` is ``"kept"``, ``"done"`` (every annotator's set reads back
        done) or None (not carried: left out of the views); ``notes`` False:
        document notes read back empty; ``meta`` False: metadata left out;
        ``sources`` False: every entity reads back as imported.
        """
        result: Views = {}
        for key, value in views.items():
            value = dict(value)
            value["speakers"] = [who for who in value["speakers"] if who[3]]
            value["claims"] = sorted(
                (
                    (pieces, who if mention is not None else None, mention, cue, stance, note)
                    for pieces, who, mention, cue, stance, note in value["claims"]
                ),
                key=repr,
            )
            if status is None:
                del value["status"]
            elif status == "done" and key[1] is not None:
                value["status"] = "done"
            if not notes:
                value["note"] = None
            if not meta:
                del value["meta"]
            if not sources:
                value["entities"] = sorted((start, end, label, "import") for start, end, label, _ in value["entities"])
            result[key] = value
        return result


@pytest.fixture
def fresh_db_path(tmp_path: Path, template_db: Path) -> Path:
    """A second empty database file beside ``db_path``'s, for the far side of a round trip."""
    path = tmp_path / "fresh.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def fresh_database(fresh_db_path: Path) -> Iterator[Database]:
    """The database of :func:`fresh_db_path`, open."""
    db = Database.open(fresh_db_path)
    yield db
    db.close()


@pytest.fixture
def kit(tmp_path: Path, jsonl: Callable[[Path, list[Any]], Path]) -> FormatKit:
    """Import, export and snapshot helpers (see :class:`FormatKit`); their files go to ``tmp_path``."""
    return FormatKit(tmp_path, jsonl)


@pytest.fixture
def annotated(database: Database, kit: FormatKit) -> Database:
    """The ``database`` fixture's database with the hand-made native lines imported."""
    kit.import_lines(database, native_lines())
    return database
