"""A pre-loaded parent that forks children running the real program, and kills them on request.

The kill tests need hundreds of runs of the real command line and the real
window. Starting Python and importing SQLAlchemy, Alembic and PySide6 costs
about a second a run; this server pays it once, then for each request forks a
child (the real ``annotator.cli.main``, or the real ``MainWindow`` driven by
key presses) and sends it SIGKILL after the requested delay unless it has
ended. The server is single-threaded and never opens a database or creates a
QApplication, so forking it is safe.

Protocol (one JSON object per line): the test writes a request
``{"job": "cli" | "window", "out": path, "err": path, "kill_after": seconds | null, ...}``
on stdin; the server answers ``{"pid", "killed", "exit", "signal", "elapsed"}`` on stdout.
Run as ``python forkserver.py``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
import traceback
from typing import Any


def preload() -> None:
    """Import everything a child needs, once, in the parent."""
    import alembic.command  # noqa: F401
    import PySide6.QtTest
    import PySide6.QtWidgets  # noqa: F401

    import annotator.cli
    import annotator.services.exporting
    import annotator.services.importing
    import annotator.store.database
    import annotator.ui.app
    import annotator.ui.main_window  # noqa: F401


def serve() -> None:
    """Answer requests until stdin closes."""
    preload()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=True)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Fork one child for ``request``, kill it after ``kill_after`` seconds if it still runs, reap it."""
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(request)
    kill_after = request.get("kill_after")
    killed = False
    status = _wait(pid, None if kill_after is None else started + float(kill_after))
    if status is None:
        os.kill(pid, signal.SIGKILL)
        killed = True
        _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    return {
        "pid": pid,
        "killed": killed,
        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "elapsed": elapsed,
    }


def _wait(pid: int, deadline: float | None) -> int | None:
    """The child's wait status once it ends, or ``None`` when ``deadline`` passes first."""
    if deadline is None:
        return os.waitpid(pid, 0)[1]
    descriptor = os.pidfd_open(pid)
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            select.select([descriptor], [], [], remaining)
    finally:
        os.close(descriptor)


def _child(request: dict[str, Any]) -> None:
    code = 98
    try:
        _redirect(request)
        if request["job"] == "cli":
            from annotator.cli import main

            code = main(request["args"])
        elif request["job"] == "window":
            code = window_session(request)
        elif request["job"] == "quit_during_job":
            code = quit_during_job(request)
        else:
            raise ValueError(f"unknown job {request['job']!r}")
    except BaseException:
        traceback.print_exc()
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    if request.get("finalize"):
        sys.exit(code)  # the interpreter's normal shutdown, as at the end of the real program
    os._exit(code)


def _redirect(request: dict[str, Any]) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, path in ((1, request["out"]), (2, request["err"])):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(opened, fd)
        os.close(opened)


def window_session(request: dict[str, Any]) -> int:
    """Open the real window on ``request["db"]`` and annotate with key presses, printing each saved edit.

    Each edit prints one line once the window shows it (so it is committed):
    ``saved N claim DOC START END`` after C on a selected word, and
    ``saved N stance DOC START END LABEL`` after the stance key. Every
    ``switch_every`` claims, Alt+Right opens the next document.
    """
    import re

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from annotator.domain.model import Span
    from annotator.services.database import Database
    from annotator.ui.app import application
    from annotator.ui.main_window import MainWindow

    app = application()
    database = Database.open(request["db"])
    window = MainWindow(database, "alice")
    window.show()
    window.activateWindow()
    deadline = time.monotonic() + 5
    while QApplication.activeWindow() is not window and time.monotonic() < deadline:
        app.processEvents()
    window.open_first()
    window.view.setFocus()
    print("ready", flush=True)
    labels = window.schema.names("stance")[:3]
    saved = 0
    used: dict[int, int] = {}
    for claim_number in range(int(request["claims"])):
        if claim_number and claim_number % int(request.get("switch_every", 8)) == 0:
            QTest.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        document = window.document
        assert document is not None and document.id is not None
        words = [m.span() for m in re.finditer(r"\w+", window.view.text())]
        start, end = words[used.get(document.id, 0)]
        used[document.id] = used.get(document.id, 0) + 1
        window.view.select_span(Span(start, end))
        QTest.keyClick(window.view, Qt.Key.Key_C)
        claim = window._claim(window.current_claim_id)
        if claim is None or (claim.start, claim.end) != (start, end):
            print(f"claim not shown: {window.statusBar().currentMessage()}", file=sys.stderr, flush=True)
            return 3
        saved += 1
        print(f"saved {saved} claim {document.id} {start} {end}", flush=True)
        label = labels[claim_number % len(labels)]
        QTest.keyClick(window.view, _digit(labels.index(label) + 1))
        claim = window._claim(window.current_claim_id)
        if claim is None or claim.stance is None or claim.stance.label != label:
            print(f"stance not shown: {window.statusBar().currentMessage()}", file=sys.stderr, flush=True)
            return 4
        saved += 1
        print(f"saved {saved} stance {document.id} {start} {end} {label}", flush=True)
    return 0


def quit_during_job(request: dict[str, Any]) -> int:
    """The real window starts a background import (or pre-annotation) and is quit (Ctrl+Q) while it runs.

    Runs the event loop as the program does (``app.exec()`` until the last
    window closes); the process must then end normally, not abort on a
    thread still running.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest

    from annotator.services.database import Database
    from annotator.ui.app import application
    from annotator.ui.main_window import MainWindow

    app = application()
    database = Database.open(request["db"])
    window = MainWindow(database, "alice")
    window.show()
    window.open_first()
    if request["task"] == "import":
        window.start_import([request["path"]], fmt="jsonl")
    else:
        window.preannotate_all()
    job = window.job
    assert job is not None

    def poll() -> None:
        if window.job_progress.value() > 0 or not job.is_running():
            timer.stop()
            print("quit while running" if job.is_running() else "finished before quit", flush=True)
            QTest.keySequence(window, "Ctrl+Q")

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    status = app.exec()
    window.deleteLater()
    return int(status)


def _digit(number: int) -> Any:
    from PySide6.QtCore import Qt

    return getattr(Qt.Key, f"Key_{number}")


if __name__ == "__main__":
    serve()
