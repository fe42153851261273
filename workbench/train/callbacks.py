"""Callbacks receive events; RunControl carries cooperative stop and pause requests."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Callback:
    """Override :meth:`on_event`; the default does nothing."""

    def on_event(self, event: object) -> None:  # noqa: B027 - deliberately a no-op hook
        """Called on the training thread for every event; keep it cheap."""


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

    def request_stop(self) -> None:
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
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self, poll_seconds: float = 0.05) -> None:
        """Block while paused; returns at once when running or when a stop is requested."""
        while not self._running.wait(poll_seconds):
            if self._stop.is_set():
                return
