"""A prune or quantize job off the GUI thread, with its stages as progress and a cooperative
cancel.

``CompressJob(work)`` runs ``work(progress)`` (a ``workbench.compress`` call with its inputs
frozen, e.g. ``lambda progress: prune_run(run_dir, ..., progress=progress)``) through
``ui.workers.BackgroundCall``. The core reports each stage by calling ``progress(text)``; the
job re-emits it as ``progress(str)`` in the GUI thread. ``cancel()`` makes the next stage
raise instead, which is as far as the core allows: a stage already under way (a fine-tuning
run, a latency measurement) finishes first. The core writes each run folder whole and removes
a folder whose write failed, so a cancel or an error leaves no half-written run (a multi-step
prune keeps the steps it had finished: whole runs). Every signal is emitted in the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

#: errors the person can act on: shown as their message, without the exception's type
EXPECTED = ("CompressError", "DataError", "DataChangedError", "FileNotFoundError",
            "WeightsFileError")


class CompressCancelled(Exception):
    """Raised from the progress callback once a cancel was requested."""


def describe(exc: BaseException) -> str:
    """One line for people: an expected error's message, else type and message."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    names = {cls.__name__ for cls in type(exc).__mro__}
    return text if names & set(EXPECTED) else f"{type(exc).__name__}: {text}"


class _Relay(QtCore.QObject):
    text = QtCore.Signal(str)


class CompressJob(QtCore.QObject):
    """``work(progress) -> report`` on a worker thread. Connect, then ``start()``."""

    progress = QtCore.Signal(str)    # the core's current stage
    finished = QtCore.Signal(dict)   # the core's report
    failed = QtCore.Signal(str)      # a message for people
    cancelled = QtCore.Signal(str)   # the stage at which it stopped
    ended = QtCore.Signal()          # after any of the three above

    def __init__(self, work: Callable[[Callable[[str], None]], dict[str, Any]]) -> None:
        super().__init__()
        from ui.workers import BackgroundCall

        self._cancel = threading.Event()
        self._relay = _Relay()
        self._relay.text.connect(self.progress)  # emitted on the worker thread: queued here
        self.stage = ""

        def call() -> dict[str, Any]:
            def progress(text: str) -> None:
                if self._cancel.is_set():
                    raise CompressCancelled(text)
                self._relay.text.emit(text)

            try:
                return {"report": work(progress)}
            except CompressCancelled as exc:
                return {"cancelled": str(exc)}
            except Exception as exc:  # noqa: BLE001 - every failure reaches the person
                return {"error": describe(exc)}

        self.call = BackgroundCall(call)
        self.call.worker.result.connect(self._on_result)
        self.call.worker.error.connect(self._on_error)
        self.call.thread.finished.connect(self.ended)
        self.progress.connect(self._remember)

    def start(self) -> None:
        self.call.start()

    def cancel(self) -> None:
        """Stop at the core's next stage (nothing half-written)."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self.call.is_running()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the job's thread has ended (tests)."""
        return self.call.wait(timeout_ms)

    def _remember(self, text: str) -> None:
        self.stage = text

    def _on_result(self, outcome: dict[str, Any]) -> None:
        if "report" in outcome:
            self.finished.emit(outcome["report"])
        elif "cancelled" in outcome:
            self.cancelled.emit(outcome["cancelled"])
        else:
            self.failed.emit(outcome["error"])

    def _on_error(self, message: str) -> None:  # a BaseException past the wrapper
        self.failed.emit(message)
