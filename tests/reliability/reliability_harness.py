"""Helpers of the reliability tests: the fork server client, kill counts, database checks, storage tricks."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KILLS = int(os.environ.get("ANNOTATOR_KILLS", "200"))
"""SIGKILLs of the import and the window together (CI: 200; set ANNOTATOR_KILLS for a longer local run)."""
IMPORT_KILLS = KILLS * 55 // 100
WINDOW_KILLS = KILLS - IMPORT_KILLS
EXPORT_KILLS = max(10, KILLS // 7)
MIGRATION_KILLS = max(8, KILLS // 10)
SEED = int(os.environ.get("ANNOTATOR_KILL_SEED", str(random.SystemRandom().randrange(1 << 30))))
"""Seed of the random kill moments; a failure message names it (rerun with ANNOTATOR_KILL_SEED=...)."""


class ForkServer:
    """A client of ``forkserver.py``: runs real program runs in forked children and kills them on request."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "forkserver.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        ready = json.loads(self.process.stdout.readline())
        assert "ready" in ready, ready

    def run(self, job: str, folder: Path, kill_after: float | None = None, **fields: Any) -> dict[str, Any]:
        """One run; its stdout and stderr go to ``folder/out.txt`` and ``folder/err.txt``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        out, err = folder / "out.txt", folder / "err.txt"
        for stale in (out, err):  # a child killed before it opens them must not leave the last run's output
            stale.unlink(missing_ok=True)
        request = {
            "job": job,
            "out": str(folder / "out.txt"),
            "err": str(folder / "err.txt"),
            "kill_after": kill_after,
            **fields,
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        answer["out"] = out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""
        answer["err"] = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
        return answer

    def close(self) -> None:
        """Let the server end (it stops when its stdin closes)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def checkpointed_copy(source: Path, target: Path) -> Path:
    """Fold the WAL into ``source`` and copy the single file to ``target``."""
    connection = sqlite3.connect(source)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    shutil.copyfile(source, target)
    return target


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the file (after SQLite recovers its WAL, as the next program run would)."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    result = "; ".join(str(row[0]) for row in rows)
    return result if not foreign else f"{result}; foreign key violations: {foreign[:5]}"


def query(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of one query on the file."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    except sqlite3.Error as error:
        name = getattr(error, "sqlite_errorname", "")
        raise AssertionError(f"{name}: {error}; {sorted(p.name for p in path.parent.iterdir())}") from error
    finally:
        connection.close()


# ------------------------------------------------------------------ storage tricks


def can_mount() -> bool:
    """True when this process may mount a tmpfs (root with CAP_SYS_ADMIN, as in CI's container)."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(f"/tmp/annotator-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True)
        if mounted.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    finally:
        probe.rmdir()


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (a real, small file system that can fill up)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill_disk(folder: Path) -> Path:
    """Write a file in ``folder`` until its file system has no space left; returns the file."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as stream:
        try:
            while True:
                stream.write(chunk)
        except OSError:
            pass
    return filler


NOBODY = 65534


@contextmanager
def unprivileged(folder: Path) -> Iterator[None]:
    """Run the block as an ordinary user, so that ``chmod`` binds (root ignores file modes).

    As root, ``folder`` and everything in it is given to ``nobody`` and the
    effective uid switches to it for the block; as a normal user this does nothing.
    """
    if os.geteuid() != 0:
        yield
        return
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
    os.chmod(folder, 0o755)
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
