"""`python -m build` makes a wheel and an sdist that install in a fresh virtual environment and run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_wheel_and_sdist_install_and_run(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(tmp_path / "out"), str(REPO)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    (wheel,) = (tmp_path / "out").glob("annotator-*.whl")
    (sdist,) = (tmp_path / "out").glob("annotator-*.tar.gz")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=1200)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "ANNOTATOR_LOG_DIR": str(tmp_path / "logs"),
    }
    annotator = str(venv / "bin" / "annotator")
    database = str(tmp_path / "db.sqlite3")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([annotator, *args], env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result

    assert "imported 1 document" in run("import", str(REPO / "seeds"), "--db", database).stdout
    run("export", "-o", str(tmp_path / "out.jsonl"), "--db", database)
    line = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert any(e["text"] == "Ajai Malhotra" and e["label"] == "PERSON" for e in line["entities"])
    shot = tmp_path / "window.png"
    env["QT_QPA_PLATFORM"] = "offscreen"
    run("gui", "--annotator", "tester", "--db", database, "--screenshot", str(shot))
    assert shot.read_bytes()[:4] == b"\x89PNG"

    # the sdist builds and installs too (dependencies already there)
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(sdist)], check=True, capture_output=True, timeout=900)
    assert run("--version").stdout.startswith("annotator ")
    run("stats", "--db", database)
