"""The sample article a new user sees on first start."""

from __future__ import annotations

import sys
from pathlib import Path

import annotator


def sample_folder() -> Path | None:
    """The ``seeds/`` folder: inside a PyInstaller bundle, or beside the package in a source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "seeds"] if bundle else []
    candidates.append(Path(annotator.__file__).resolve().parent.parent / "seeds")
    return next((folder for folder in candidates if folder.is_dir()), None)
