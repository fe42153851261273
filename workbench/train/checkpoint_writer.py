"""Checkpoints, best weights and metric lines written off the training thread.

The training thread hands over *copies* (tensors cloned to the CPU, so the next optimizer step
cannot change what is being written) and goes on; one writer thread writes them in the order
given, each through the run store's atomic writer (temp file, fsync, rename). At most one
checkpoint waits: handing over the next one waits for the one before (memory stays bounded).
Metric lines waiting together are appended with one fsync. Best weights are held until the
next checkpoint (which also carries them, for a resume) or the end, and only the newest is
written: between checkpoints a kill loses them no more than the checkpoint itself. ``close()`` waits for
everything and re-raises the first error on the training thread, so a failed write is never
silent; ``completed()`` lists the checkpoints written since the last call, for the
CheckpointSaved events (emitted on the training thread).
"""

from __future__ import annotations

import queue
import threading
from typing import Any


def cpu_copy(state: dict[str, Any]) -> dict[str, Any]:
    """Every tensor of a (possibly nested) state cloned to the CPU; other values as they are."""
    import torch

    def copy(value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            return value.detach().to("cpu", copy=True)
        if isinstance(value, dict):
            return {k: copy(v) for k, v in value.items()}
        if isinstance(value, list):
            return [copy(v) for v in value]
        if isinstance(value, tuple):
            return tuple(copy(v) for v in value)
        return value

    return copy(state)


class CheckpointWriter:
    """One background thread writing a run's files in order (see the module docstring)."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self._queue: queue.Queue = queue.Queue()
        self._checkpoint_slot = threading.Semaphore(1)
        self._best: dict[str, Any] | None = None
        self._best_lock = threading.Lock()
        self._done: list[tuple[int, str]] = []
        self._done_lock = threading.Lock()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="workbench-checkpoints",
                                        daemon=True)
        self._thread.start()

    # training thread ---------------------------------------------------------------------
    def metrics(self, record: dict[str, Any]) -> None:
        """Append an epoch record to the run's metric log (in order with the checkpoints)."""
        self._raise_error()
        self._queue.put(("metrics", dict(record)))

    def best(self, model_state: dict[str, Any]) -> None:
        """Best weights to write with the next checkpoint or at the end; ``model_state`` must
        be a copy nothing changes (the trainer's ``best_state`` is one)."""
        self._raise_error()
        with self._best_lock:
            self._best = model_state

    def checkpoint(self, epoch: int, model_state: dict[str, Any], optimizer_state: dict,
                   extra: dict[str, Any], meta: dict[str, Any]) -> None:
        """Write a checkpoint of ``epoch``; the states must be copies nothing else changes
        (:func:`cpu_copy`). Waits while the previous checkpoint is still being written."""
        self._raise_error()
        self._checkpoint_slot.acquire()
        self._queue.put(("checkpoint", (epoch, model_state, optimizer_state, extra,
                                        dict(meta))))
        self._queue.put(("best", None))

    def completed(self) -> list[tuple[int, str]]:
        """(epoch, path) of the checkpoints written since the last call."""
        with self._done_lock:
            done, self._done = self._done, []
        return done

    def close(self) -> None:
        """Wait until everything handed over is written; raise the first write error."""
        if self._thread.is_alive():
            self._queue.put(("best", None))
            self._queue.put(("stop", None))
            self._thread.join()
        self._raise_error()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # writer thread -----------------------------------------------------------------------
    def _work(self) -> None:
        waiting: list[tuple[str, Any]] = []
        while True:
            kind, payload = waiting.pop(0) if waiting else self._queue.get()
            if kind == "metrics":  # the lines queued behind it go in the same write
                payload = [payload]
                while True:
                    try:
                        following = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if following[0] != "metrics":
                        waiting.append(following)
                        break
                    payload.append(following[1])
            if kind == "stop":
                return
            try:
                if self._error is None:
                    self._write(kind, payload)
            except BaseException as exc:  # re-raised on the training thread
                self._error = exc
            finally:
                if kind == "checkpoint":
                    self._checkpoint_slot.release()

    def _write(self, kind: str, payload: Any) -> None:
        if kind == "metrics":
            self.run.metrics.extend(payload)
        elif kind == "best":
            with self._best_lock:
                state, self._best = self._best, None
            if state is not None:
                self.run.save_best(state)
        elif kind == "checkpoint":
            epoch, model_state, optimizer_state, extra, meta = payload
            path = self.run.save_checkpoint(epoch, model_state, optimizer_state, extra, meta)
            with self._done_lock:
                self._done.append((epoch, str(path)))
