"""SIGKILL at random moments: the command-line import, export and schema upgrade (issue 5, crash and power loss).

Each run is the real ``annotator`` command line in a process forked from a
pre-loaded server (see ``forkserver.py``), killed with SIGKILL after a random
delay drawn over the length of an uninterrupted run. Afterwards the database
passes ``PRAGMA integrity_check`` and each imported file is either all there
or not at all; an interrupted export leaves the previous file byte for byte;
an interrupted upgrade leaves the old database usable and any backup whole.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from reliability_harness import (
    EXPORT_KILLS,
    IMPORT_KILLS,
    MIGRATION_KILLS,
    SEED,
    ForkServer,
    checkpointed_copy,
    integrity,
    query,
)

from annotator.services.database import Database
from annotator.services.exporting import export_jsonl
from annotator.services.importing import ImportOptions, import_paths

pytestmark = pytest.mark.slow

FILES = 4
DOCS_PER_FILE = 150
BIG_LINES = 1500


def annotated_line(prefix: str, number: int) -> dict[str, Any]:
    """A document with a speaker, a claim, a cue and a stance (one annotation set by alice)."""
    text = f"Officials of {prefix} said that item {number} holds, according to the report. Critics disagree."
    claim_start = text.index("item")
    claim_end = text.index(" holds") + len(" holds")
    cue_start = text.index("said")
    return {
        "format": "annotator/v1",
        "id": f"{prefix}-{number}",
        "text": text,
        "annotator": "alice",
        "speakers": [{"id": "s", "name": "Officials", "mentions": [{"start": 0, "end": 9, "text": "Officials"}]}],
        "claims": [
            {
                "start": claim_start,
                "end": claim_end,
                "text": text[claim_start:claim_end],
                "speaker": {"id": "s", "mention": {"start": 0, "end": 9, "text": "Officials"}},
                "cue": {"start": cue_start, "end": cue_start + 4, "text": "said"},
                "stance": {"label": "support", "target": f"item {number}"},
            }
        ],
    }


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A folder of annotated JSONL files, one big JSONL file, and an empty database with one earlier document."""
    root = tmp_path_factory.mktemp("kill-inputs")
    folder = root / "folder"
    folder.mkdir()
    expected: dict[str, int] = {}
    for index in range(FILES):
        prefix = f"f{index}"
        lines = [annotated_line(prefix, i) for i in range(DOCS_PER_FILE)]
        (folder / f"{prefix}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        expected[prefix] = DOCS_PER_FILE
    big = root / "big.jsonl"
    big.write_text(
        "".join(
            json.dumps({"id": f"big-{i}", "text": f"Line {i} of the big file says {i}."}) + "\n"
            for i in range(BIG_LINES)
        ),
        encoding="utf-8",
    )
    template = root / "template.sqlite3"
    database = Database.open(template)
    earlier = root / "earlier.jsonl"
    earlier.write_text(json.dumps(annotated_line("earlier", 0)) + "\n", encoding="utf-8")
    assert not import_paths(database, [str(earlier)], ImportOptions(use_nlp=False)).failed
    database.close()
    checkpointed_copy(template, root / "template-single.sqlite3")
    return {"folder": folder, "big": big, "template": root / "template-single.sqlite3", "expected": expected}


def documents_by_file(path: Path) -> Counter[str]:
    return Counter(external_id.split("-")[0] for (external_id,) in query(path, "SELECT external_id FROM documents"))


def check_all_or_nothing(path: Path, expected: dict[str, int], context: str) -> dict[str, bool]:
    """Integrity, the earlier document untouched, and each file's documents and annotations whole or absent."""
    assert integrity(path) == "ok", context
    counts = documents_by_file(path)
    assert counts["earlier"] == 1, context
    claims = Counter(
        external_id.split("-")[0]
        for (external_id,) in query(path, "SELECT d.external_id FROM claims c JOIN documents d ON d.id = c.document_id")
    )
    speakers = Counter(
        external_id.split("-")[0]
        for (external_id,) in query(
            path, "SELECT d.external_id FROM speakers s JOIN documents d ON d.id = s.document_id"
        )
    )
    present = {}
    for prefix, number in expected.items():
        assert counts[prefix] in (0, number), f"{context}: file {prefix} has {counts[prefix]} of {number} documents"
        if prefix != "big":
            assert claims[prefix] == counts[prefix] and speakers[prefix] == counts[prefix], (
                f"{context}: file {prefix}: {counts[prefix]} documents but {claims[prefix]} claims, "
                f"{speakers[prefix]} speakers"
            )
        present[prefix] = counts[prefix] == number
    unexpected = set(counts) - set(expected) - {"earlier"}
    assert not unexpected, f"{context}: documents from nowhere: {unexpected}"
    return present


def test_import_killed_at_random_moments_keeps_each_file_whole(
    forkserver: ForkServer, inputs: dict[str, Any], tmp_path: Path, rng
) -> None:
    runs = {
        "folder": (["--format", "jsonl", str(inputs["folder"])], inputs["expected"]),
        "big": (["--format", "jsonl", str(inputs["big"])], {"big": BIG_LINES}),
    }

    def import_run(name: str, kill_after: float | None) -> tuple[Path, dict[str, Any]]:
        db = shutil.copyfile(inputs["template"], tmp_path / "db.sqlite3")
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        arguments = ["import", "--db", str(db), "--no-nlp", *runs[name][0]]
        return db, forkserver.run("cli", tmp_path, kill_after, args=arguments)

    durations: dict[str, list[float]] = {name: [] for name in runs}
    for name in runs:  # uninterrupted runs of each, to spread the kills over a run's length
        for _ in range(3):
            db, result = import_run(name, None)
            assert result["exit"] == 0, result["err"]
            assert all(check_all_or_nothing(db, runs[name][1], f"uninterrupted {name}").values())
            durations[name].append(result["elapsed"])
    outcomes: Counter[str] = Counter()
    attempt = 0
    while outcomes["killed"] < IMPORT_KILLS and attempt < IMPORT_KILLS * 2:
        name = "folder" if attempt % 2 == 0 else "big"
        expected = runs[name][1]
        delay = rng.uniform(0, statistics.median(durations[name]))
        db, result = import_run(name, delay)
        context = f"kill {attempt} ({name}) after {delay * 1000:.0f} ms, seed {SEED}"
        assert result["killed"] or result["exit"] == 0, f"{context}: {result['err']}"
        present = check_all_or_nothing(db, expected, context)
        if not result["killed"]:
            assert all(present.values()), context
            durations[name].append(result["elapsed"])
        outcomes["killed" if result["killed"] else "finished"] += 1
        outcomes[f"{name}: {sum(present.values())}/{len(present)} files"] += 1
        if attempt % 10 == 0:  # importing again after the crash completes the rest, without duplicates
            arguments = ["import", "--db", str(db), "--no-nlp", *runs[name][0]]
            again = forkserver.run("cli", tmp_path, None, args=arguments)
            assert again["exit"] == 0, f"{context}: re-import: {again['err']}"
            assert all(check_all_or_nothing(db, expected, f"{context}, re-imported").values())
        attempt += 1
    assert outcomes["killed"] >= IMPORT_KILLS, outcomes
    # kills landed both before the first file was committed and after some were (mid-import), by chance of timing
    later = sum(outcomes[f"folder: {n}/4 files"] for n in range(1, 5))
    assert outcomes["folder: 0/4 files"] and later, outcomes
    assert sum(outcomes[f"folder: {n}/4 files"] for n in (1, 2, 3)), outcomes  # and between files
    print(f"import kills: {dict(outcomes)}")


# ------------------------------------------------------------------ export


@pytest.fixture(scope="module")
def export_db(tmp_path_factory: pytest.TempPathFactory, inputs: dict[str, Any]) -> Path:
    """A database with 3,000 annotated documents, some of them done."""
    root = tmp_path_factory.mktemp("export")
    path = checkpointed_copy(inputs["template"], root / "export.sqlite3")
    lines = root / "many.jsonl"
    many = [annotated_line("many", i) | {"status": "done" if i % 3 == 0 else "in_progress"} for i in range(3000)]
    lines.write_text("".join(json.dumps(line) + "\n" for line in many), encoding="utf-8")
    database = Database.open(path)
    assert not import_paths(database, [str(lines)], ImportOptions(use_nlp=False)).failed
    database.close()
    return path


def stray_files(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def test_export_killed_at_random_moments_leaves_the_previous_file(
    forkserver: ForkServer, export_db: Path, tmp_path: Path, rng
) -> None:
    out_folder = tmp_path / "exports"
    out_folder.mkdir()
    target = out_folder / "annotations.jsonl"
    database = Database.open(export_db)
    try:
        export_jsonl(database, str(target))
        previous = target.read_bytes()
        target.chmod(0o640)  # the next export keeps the file's mode
        only_done = tmp_path / "done.jsonl"
        from annotator.domain.model import Status

        export_jsonl(database, str(only_done), status=Status.DONE)
        done_bytes = only_done.read_bytes()
    finally:
        database.close()
    assert previous != done_bytes and previous.count(b"\n") == 3001
    arguments = ["export", "--db", str(export_db), "-o", str(target), "--status", "done"]
    calibration = tmp_path / "calibrate.jsonl"
    elapsed = []
    for _ in range(3):  # the fastest of three: a busy spell while calibrating would put most kills after the end
        timed = forkserver.run("cli", tmp_path, None, args=[*arguments[:-3], str(calibration), "--status", "done"])
        assert timed["exit"] == 0, timed["err"]
        assert calibration.read_bytes() == done_bytes
        elapsed.append(timed["elapsed"])
    killed = 0
    for kill in range(EXPORT_KILLS):
        delay = rng.uniform(0, min(elapsed))
        result = forkserver.run("cli", tmp_path, delay, args=arguments)
        context = f"export kill {kill} after {delay * 1000:.0f} ms, seed {SEED}"
        content = target.read_bytes()
        if result["killed"]:
            killed += 1
            assert content in (previous, done_bytes), context  # never a partial file
        else:
            assert result["exit"] == 0 and content == done_bytes, f"{context}: {result['err']}"
        assert target.stat().st_mode & 0o777 == 0o640, context
        if content == done_bytes:  # a complete export replaced it: start again from the full one
            target.write_bytes(previous)
    assert killed >= EXPORT_KILLS * 0.7
    # the next export does not trip over what the killed ones left, and removes it
    database = Database.open(export_db)
    try:
        export_jsonl(database, str(target))
    finally:
        database.close()
    assert target.read_bytes() == previous
    assert stray_files(out_folder, target.name) == []


# ------------------------------------------------------------------ schema upgrade


@pytest.fixture(scope="module")
def old_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A schema-0001 database (the previous release) with 20,000 documents, so the upgrade's backup takes a while."""
    from alembic import command
    from sqlalchemy import create_engine

    from annotator.store.migrate import alembic_config

    path = tmp_path_factory.mktemp("old") / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")  # type: ignore[arg-type]
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO annotators (name) VALUES ('alice')")
    connection.executemany(
        "INSERT INTO documents (external_id, text, text_sha256, meta, imported_at) "
        "VALUES (?, ?, ?, '{}', '2025-01-01 00:00:00')",
        ((f"old-{i}", f"Old article {i}. " * 20, f"{i:064x}") for i in range(20_000)),
    )
    connection.commit()
    connection.close()
    return path


def revision(path: Path) -> str:
    return query(path, "SELECT version_num FROM alembic_version")[0][0]


def test_upgrade_killed_at_random_moments_leaves_a_usable_database(
    forkserver: ForkServer, old_database: Path, tmp_path: Path, rng, cli
) -> None:
    timed_db = shutil.copyfile(old_database, tmp_path / "timed.sqlite3")
    timed = forkserver.run("cli", tmp_path, None, args=["stats", "--db", str(timed_db)])
    assert timed["exit"] == 0, timed["err"]
    assert "upgraded to schema 0002" in timed["err"] and "backup-0001-" in timed["err"]
    revisions: Counter[str] = Counter()
    for kill in range(MIGRATION_KILLS):
        folder = tmp_path / f"run{kill}"
        folder.mkdir()
        db = shutil.copyfile(old_database, folder / "old.sqlite3")
        delay = rng.uniform(0, timed["elapsed"])
        result = forkserver.run("cli", folder, delay, args=["stats", "--db", str(db)])
        context = f"upgrade kill {kill} after {delay * 1000:.0f} ms, seed {SEED}"
        assert result["killed"] or result["exit"] == 0, context
        assert integrity(db) == "ok", context
        revisions[revision(db)] += 1
        assert query(db, "SELECT count(*) FROM documents") == [(20_000,)], context
        backups = sorted(folder.glob("old.sqlite3.backup-*"))
        for backup in backups:  # a file named as a backup is a whole copy of the old database
            if ".partial" in backup.name:
                continue
            assert integrity(backup) == "ok", f"{context}: {backup.name}"
            assert revision(backup) == "0001" and query(backup, "SELECT count(*) FROM documents") == [(20_000,)]
        whole = [b for b in backups if ".partial" not in b.name]
        upgraded = revision(db) == "0002"
        if upgraded:  # the upgrade committed before the kill: the backup it made first is whole
            assert whole, context
        # the next start upgrades (or finds it upgraded), names the copy it made, and leaves no partial copy
        again = cli("stats", "--db", db)
        assert again.code == 0, f"{context}: {again.err}"
        assert revision(db) == "0002" and query(db, "SELECT count(*) FROM documents") == [(20_000,)]
        assert not list(folder.glob("*.partial*")), context
        if not upgraded:
            named = [Path(word.rstrip(".;")) for word in again.err.split() if ".backup-0001-" in word]
            assert named and named[0].is_file(), f"{context}: the upgrade must name its backup: {again.err}"
            assert integrity(named[0]) == "ok" and revision(named[0]) == "0001", context
        else:
            assert "upgraded" not in again.err, context
    print(f"upgrade kills: revisions after the kill {dict(revisions)}")
