"""The sample article a new user sees on first start."""

from __future__ import annotations

from pathlib import Path

import annotator


def sample_folder() -> Path | None:
    """The ``seeds/`` folder of a source checkout, if there is one."""
    candidate = Path(annotator.__file__).resolve().parent.parent / "seeds"
    return candidate if candidate.is_dir() else None
