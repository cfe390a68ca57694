"""Logging to a rotating file in the user log folder; bugs are logged there with tracebacks."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_ENV = "ANNOTATOR_LOG_DIR"
_configured: Path | None = None


def log_path() -> Path:
    """The log file: ``$ANNOTATOR_LOG_DIR/annotator.log`` or the platform's user log folder."""
    folder = os.environ.get(LOG_ENV)
    if folder:
        return Path(folder) / "annotator.log"
    from platformdirs import user_log_path

    return user_log_path("annotator", appauthor=False) / "annotator.log"


def setup_logging(verbose: bool = False) -> Path | None:
    """Log to the rotating file (and to stderr with ``verbose``); returns the file, or None if unwritable."""
    global _configured
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    path = log_path()
    if _configured != path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            return None
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        _configured = path
    if verbose and not any(isinstance(h, logging.StreamHandler) and h.level == logging.DEBUG for h in root.handlers):
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    return path
