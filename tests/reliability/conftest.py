"""Fixtures of the reliability tests (helpers are in ``harness.py``)."""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_harness import SEED, ForkServer


@pytest.fixture(scope="session")
def forkserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    home = tmp_path_factory.mktemp("forkserver")
    env = {k: v for k, v in os.environ.items() if k not in ("ANNOTATOR_DB", "ANNOTATOR_NAME")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ANNOTATOR_LOG_DIR=str(home / "logs"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
    )
    server = ForkServer(env)
    yield server
    server.close()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A random generator seeded from :data:`SEED` and the test's name (reproducible per test)."""
    return random.Random(f"{SEED}-{request.node.name}")


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder outside pytest's private (0700) temporary tree, so another user (``nobody``) can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="annotator-reliability-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
