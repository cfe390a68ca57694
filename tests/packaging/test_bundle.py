"""The PyInstaller bundle (`make dist`) runs with no Python around it; the install script places and removes it.

Builds ``dist/annotator`` first when it is missing or older than the sources (about two minutes).
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "dist" / "annotator" / "annotator"
pytestmark = pytest.mark.slow


def newest_source() -> float:
    sources = [*REPO.joinpath("annotator").rglob("*"), *REPO.joinpath("packaging").rglob("*"), REPO / "pyproject.toml"]
    return max(path.stat().st_mtime for path in sources if path.is_file())


@pytest.fixture(scope="module")
def bundle() -> Path:
    if not BUNDLE.exists() or BUNDLE.stat().st_mtime < newest_source():
        subprocess.run(["make", "dist"], cwd=REPO, check=True, timeout=1200, capture_output=True)
    return BUNDLE


def bare_environment(home: Path) -> dict[str, str]:
    """No Python on PATH, no virtual environment, nothing of the user's: like a machine without Python."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "LANG": "C.UTF-8",
    }


def run(bundle: Path, env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bundle), *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_version_import_export_and_the_window(bundle: Path, tmp_path: Path) -> None:
    env = bare_environment(tmp_path)
    assert run(bundle, env, "--version").stdout.strip().startswith("annotator ")
    database = tmp_path / "db.sqlite3"
    imported = run(bundle, env, "import", str(REPO / "seeds"), "--db", str(database))
    assert imported.returncode == 0, imported.stderr
    assert "imported 1 document" in imported.stdout and "en_core_web_sm" in imported.stdout
    out = tmp_path / "out.jsonl"
    exported = run(bundle, env, "export", "-o", str(out), "--db", str(database))
    assert exported.returncode == 0, exported.stderr
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["text"].startswith("Russian President")
    assert {"text": "Vladimir Putin", "label": "PERSON"}.items() <= next(
        e for e in line["entities"] if e["text"] == "Vladimir Putin"
    ).items()

    # first start of the bundle on an empty database: it imports the bundled sample and shows it
    shot = tmp_path / "window.png"
    started = time.perf_counter()
    shown = run(
        bundle,
        {**env, "QT_QPA_PLATFORM": "offscreen"},
        "gui",
        "--annotator",
        "tester",
        "--db",
        str(tmp_path / "first.sqlite3"),
        "--screenshot",
        str(shot),
    )
    elapsed = time.perf_counter() - started
    assert shown.returncode == 0, shown.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    size = sum(p.stat().st_size for p in bundle.parent.rglob("*") if p.is_file())
    print(f"bundle: {size / 2**20:.0f} MiB; first start with the sample import and a screenshot: {elapsed:.1f} s")


def test_install_and_uninstall_for_the_user(bundle: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ANNOTATOR_BIN_DIR": str(tmp_path / "bin"),
    }
    subprocess.run([str(REPO / "packaging" / "install.sh")], env=env, check=True, capture_output=True, timeout=600)
    data = tmp_path / "data"
    placed = [
        tmp_path / "bin" / "annotator",
        data / "annotator" / "app" / "annotator",
        data / "applications" / "annotator.desktop",
        data / "icons" / "hicolor" / "scalable" / "apps" / "annotator.svg",
        data / "icons" / "hicolor" / "16x16" / "apps" / "annotator.png",
        data / "icons" / "hicolor" / "512x512" / "apps" / "annotator.png",
    ]
    assert all(path.exists() for path in placed), [p for p in placed if not p.exists()]
    entry = (data / "applications" / "annotator.desktop").read_text(encoding="utf-8")
    assert f"Exec={data / 'annotator' / 'app' / 'annotator'} gui" in entry
    version = subprocess.run([str(tmp_path / "bin" / "annotator"), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("annotator ")
    subprocess.run([str(REPO / "packaging" / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not any(path.exists() or path.is_symlink() for path in placed)
