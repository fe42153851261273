"""Background jobs of the Explain panel: each calls one ``workbench.explain`` function on a
thread of its own (``ui.workers.BackgroundCall``) with a progress callback and a cancel flag,
and emits the function's dict, a message for people, or ``cancelled``, all in the GUI thread.

``ExplainQueue`` runs one job at a time (they share the CPU and torch's threads) and queues
the others in the order they were asked for; a job can be cancelled while it waits or runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.workers import BackgroundCall, leave_a_core_for_the_gui

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
Work = Callable[[Progress, Cancel], Any]


def describe_error(exc: BaseException) -> str:
    """The message shown in a tab: an ExplainError's own words, else its type and text."""
    from workbench.explain.errors import ExplainError

    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, (ExplainError, FileNotFoundError)):
        return text
    return f"{type(exc).__name__}: {text}"


class ExplainJob(QObject):
    """One call of ``work(progress, cancel)``; connect to its signals, then start it (or give
    it to an :class:`ExplainQueue`). Every signal arrives in the GUI thread."""

    progress = Signal(int, int)   # done, total
    result = Signal(object)       # the function's value
    failed = Signal(str)          # a message for people
    cancelled = Signal()
    ended = Signal()              # after result, failed or cancelled
    _progress_from_worker = Signal(int, int)

    def __init__(self, name: str, work: Work, run_dir: Any = None) -> None:
        super().__init__()
        self.name = name
        self.run_dir = run_dir
        self.work = work
        self._cancel = threading.Event()
        self._call: Any = None
        self.state = "waiting"  # waiting, running, done, failed, cancelled
        self.on_shutdown: Callable[[], None] | None = None
        # a signal of this (GUI-thread) object emitted on the worker thread is queued here
        self._progress_from_worker.connect(self.progress)

    def cancel(self) -> None:
        """Ask the work to stop at its next check; a waiting job will not start."""
        self._cancel.set()

    def is_cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def is_active(self) -> bool:
        return self.state in ("waiting", "running")

    def start(self) -> None:
        from workbench.explain.errors import ExplainCancelled

        if self._cancel.is_set():
            self._finish("cancelled", None)
            return
        self.state = "running"
        emit, cancel_event = self._progress_from_worker.emit, self._cancel

        def call() -> tuple[str, Any]:
            restore_threads = leave_a_core_for_the_gui()
            try:
                return "done", self.work(lambda done, total: emit(int(done), int(total)),
                                         cancel_event.is_set)
            except ExplainCancelled:
                return "cancelled", None
            except Exception as exc:  # shown in the tab; the app stays up
                return "failed", describe_error(exc)
            finally:
                restore_threads()

        self._call = _CancellableCall(call, self._shutting_down)
        self._call.worker.result.connect(self._on_outcome)  # bound slots: GUI thread
        self._call.worker.error.connect(self._on_error)
        self._call.start()

    def _shutting_down(self) -> None:
        """The app is closing (``ui.workers.shutdown_all``): stop at the next check instead of
        making the window wait for the whole computation; queued jobs do not start."""
        self.cancel()
        if self.on_shutdown is not None:
            self.on_shutdown()

    def _on_outcome(self, outcome: tuple[str, Any]) -> None:
        self._finish(*outcome)

    def _on_error(self, message: str) -> None:
        self._finish("failed", message)

    def _finish(self, state: str, value: Any) -> None:
        if state == "done" and self._cancel.is_set():
            state = "cancelled"  # cancelled after its last check: the value is not shown
        self.state = state
        if state == "done":
            self.result.emit(value)
        elif state == "failed":
            self.failed.emit(str(value))
        else:
            self.cancelled.emit()
        self.ended.emit()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the thread has ended (tests)."""
        return self._call is None or self._call.wait(timeout_ms)


class _CancellableCall(BackgroundCall):
    """A BackgroundCall that asks its work to stop before ``shutdown`` waits for it."""

    def __init__(self, function: Callable[[], Any], stop: Callable[[], None]) -> None:
        super().__init__(function)
        self.stop = stop

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        self.stop()
        return super().shutdown(timeout_ms)


class ExplainQueue(QObject):
    """Runs explain jobs one at a time, in order."""

    changed = Signal()  # a job was added, started or ended

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running: ExplainJob | None = None
        self.waiting: list[ExplainJob] = []

    def submit(self, job: ExplainJob) -> ExplainJob:
        job.ended.connect(lambda: self._ended(job))
        job.on_shutdown = self.cancel_all
        self.waiting.append(job)
        self._next()
        self.changed.emit()
        return job

    def busy(self) -> bool:
        return self.running is not None or bool(self.waiting)

    def cancel_all(self) -> None:
        for job in [*self.waiting, *([self.running] if self.running else [])]:
            job.cancel()

    def _ended(self, job: ExplainJob) -> None:
        if job is self.running:
            self.running = None
        elif job in self.waiting:
            self.waiting.remove(job)
        self._next()
        self.changed.emit()

    def _next(self) -> None:
        while self.running is None and self.waiting:
            job = self.waiting.pop(0)
            self.running = job
            job.start()  # a job cancelled while waiting ends at once (and calls _ended)

    def wait(self, timeout_ms: int = 120_000) -> bool:
        """Process events until every job has ended (tests)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QThread

        deadline = QDeadlineTimer(timeout_ms)
        while self.busy():
            if deadline.hasExpired():
                return False
            if self.running is not None:
                self.running.wait(50)
            QCoreApplication.processEvents()
            QThread.msleep(5)
        return True
