"""Callbacks receive events; RunControl carries cooperative stop and pause requests.

Why a run ended (summary.json ``stopped_reason``) is one of :data:`STOP_REASONS`. A callback
stops a run by raising :class:`StopTraining` from any hook, or through ``RunControl.request_stop``
(a search pruner passes ``"pruned"``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

STOP_REASONS = ("completed", "early_stopping", "stopped", "pruned", "nan", "budget", "failed")


class StopTraining(Exception):  # noqa: N818 - a request, not an error
    """Raised by a callback hook to end the run after the current batch with ``reason``."""

    def __init__(self, reason: str = "stopped") -> None:
        super().__init__(reason)
        self.reason = reason


class Callback:
    """Override :meth:`on_event` and/or :meth:`on_epoch_record`; the defaults do nothing."""

    def on_event(self, event: object) -> None:  # noqa: B027 - deliberately a no-op hook
        """Called on the training thread for every event; keep it cheap."""

    def on_epoch_record(self, epoch: int, record: dict[str, Any]) -> dict[str, Any] | None:
        """Before the epoch record is written: the returned keys are merged into it (what
        metrics.jsonl, EpochEnd and the history get). ``record`` must not be changed in place."""
        return None


class FunctionCallback(Callback):
    """Wraps a plain function as a callback."""

    def __init__(self, function: Callable[[object], None]) -> None:
        self.function = function

    def on_event(self, event: object) -> None:
        self.function(event)


class RunControl:
    """Thread-safe flags the trainer checks between batches."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._reason = "stopped"

    def request_stop(self, reason: str = "stopped") -> None:
        """Stop after the current batch; the run's ``stopped_reason`` is ``reason`` (the first
        request's reason wins)."""
        if not self._stop.is_set():
            self._reason = reason
        self._stop.set()
        self._running.set()  # a paused run must wake up to stop

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def stop_reason(self) -> str:
        return self._reason

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self, poll_seconds: float = 0.05) -> None:
        """Block while paused; returns at once when running or when a stop is requested."""
        while not self._running.wait(poll_seconds):
            if self._stop.is_set():
                return
