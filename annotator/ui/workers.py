"""Background jobs (import, pre-annotation) on a worker thread, with progress and Cancel."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from annotator.domain.errors import UserError

log = logging.getLogger(__name__)

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]
"""A job gets ``progress(done, total)`` (total 0 when unknown) and ``cancelled()``; returns a result."""


class _Runner(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, bool)  # message, is_bug

    def __init__(self, job: Job, cancel: threading.Event) -> None:
        super().__init__()
        self._job = job
        self._cancel = cancel

    def run(self) -> None:
        try:
            result = self._job(self.progressed.emit, self._cancel.is_set)
        except UserError as error:
            self.failed.emit(str(error), False)
        except Exception as error:  # a bug: logged with its traceback, reported by the window
            log.exception("background job failed")
            self.failed.emit(f"{type(error).__name__}: {error}", True)
        else:
            self.finished.emit(result)


class BackgroundJob(QObject):
    """Runs one job on its own thread; the window shows :attr:`progressed` and may :meth:`cancel`."""

    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, bool)

    def __init__(self, job: Job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread = QThread()
        self._runner = _Runner(job, self._cancel)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.progressed.connect(self.progressed)
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(self._on_failed)

    def start(self) -> None:
        """Start the job."""
        self._thread.start()

    def cancel(self) -> None:
        """Ask the job to stop at its next check (the file being imported is rolled back)."""
        self._cancel.set()

    def is_running(self) -> bool:
        """True while the job's thread runs."""
        return self._thread.isRunning()

    def wait(self, milliseconds: int = 30_000) -> bool:
        """Cancel and wait for the thread to end; True when it ended."""
        self._cancel.set()
        self._thread.quit()
        return bool(self._thread.wait(milliseconds))

    def _on_finished(self, result: object) -> None:
        self._thread.quit()
        self._thread.wait()
        self.finished.emit(result)

    def _on_failed(self, message: str, is_bug: bool) -> None:
        self._thread.quit()
        self._thread.wait()
        self.failed.emit(message, is_bug)
