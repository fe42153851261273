"""The only module that owns QThreads: background jobs whose results come back as Qt signals.

``TrainingJob`` runs one frozen ``RunRequest`` through ``workbench.experiment.execute_run`` (the
call the CLI makes too) on a QThread. A ``Callback`` on the training thread turns trainer
events into signals of ``TrainingWorker``:

* batch events are coalesced: points collect in a buffer that is sent as one ``batches(list)``
  signal at most ``throttle_hz`` times a second (a leading-edge rate limit, like superqt's
  throttler) and flushed before every other event, so no point is lost and order is kept;
* ``dataProgress`` (the dataset being decoded or generated before training: done, total,
  per_second, seconds_left, stage) is rate-limited the same way, and its last event (all done)
  always goes through;
* ``started``, ``epoch``, ``diagnostic``, ``finished`` and ``failed`` are always delivered;
  any exception (``RunSetupError``, out of memory, a bug) becomes ``failed(message)``;
* ``histograms`` (per-layer weights/gradients at a checkpoint,
  ``workbench.explain.run_probe.RunProbe``: a forward and backward pass) are computed on a
  thread of their own, never on the training thread: the bridge only hands the checkpoint's
  path over, at most once per ``HISTOGRAM_MIN_SECONDS`` and always for the run's last
  checkpoint; a request that a newer one overtakes is dropped. The training thread waits for
  the last histograms before it reports ``finished``, so they arrive first.

Worker code never touches widgets; it only emits plain dicts/lists, which Qt queues to the GUI
thread. Pause, resume and stop go through the trainer's ``RunControl``. ``shutdown_all()`` (also
connected to ``aboutToQuit``) stops every job and waits for its thread, so no QThread is ever
destroyed while running. ``BackgroundCall`` runs one plain function off the GUI thread (with
``with_progress=True`` the function gets a ``report(value)`` callable whose values arrive,
rate-limited, as ``worker.progress``, and a ``cancelled()`` callable that ``request_cancel``
turns True).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from workbench.train.callbacks import Callback, RunControl

_ACTIVE: set[Any] = set()
HISTOGRAM_MIN_SECONDS = 1.0  # histograms at most this often (and always for the last checkpoint)
ANALYSIS_WAIT_MS = 30_000  # the training thread waits this long for the last histograms
_QUIT_HOOKED = False


def describe_failure(exc: BaseException) -> str:
    """A message for people: what went wrong and, where known, what to do."""
    from workbench.experiment import RunSetupError
    from workbench.train.memory_errors import out_of_memory_message

    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, RunSetupError):
        return f"The run could not start: {text}"
    memory = out_of_memory_message(exc)  # the one message the core writes too
    if memory is not None:
        return f"Training stopped: {memory}"
    return f"Training failed: {type(exc).__name__}: {text}"


class _EventBridge(Callback):
    """Trainer events -> worker signals, on the training thread. Never touches widgets."""

    def __init__(self, worker: TrainingWorker, throttle_hz: float, histograms: bool,
                 analysis: _HistogramWorker | None = None) -> None:
        self.worker = worker
        self.analysis = analysis
        self.interval = 1.0 / throttle_hz if throttle_hz > 0 else 0.0
        self.want_histograms = histograms
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = 0.0
        self.last_data_progress = -1.0
        self.batches_per_epoch = 1
        self.run_dir: str | None = None
        self.failure: str | None = None
        self.nan_message: str | None = None
        self._pending_checkpoint: tuple[int, str] | None = None
        self._last_histograms = -HISTOGRAM_MIN_SECONDS

    def flush(self) -> None:
        if self.buffer:
            points, self.buffer = self.buffer, []
            self.worker.batches.emit(points)
        self.last_flush = time.perf_counter()

    def on_event(self, event: object) -> None:
        from workbench.train import events as ev

        if isinstance(event, ev.BatchEnd):
            point = {"epoch": event.epoch, "batch": event.batch, "step": event.step,
                     "loss": event.loss, "accuracy": event.accuracy, "lr": event.lr,
                     "samples_per_second": event.samples_per_second,
                     "x": event.epoch + (event.batch + 1) / self.batches_per_epoch}
            self.buffer.append(point)
            if time.perf_counter() - self.last_flush >= self.interval:
                self.flush()
            return
        if isinstance(event, ev.DataProgress):  # rate-limited; the last one always sent
            now = time.perf_counter()
            if now - self.last_data_progress >= self.interval or event.done >= event.total:
                self.last_data_progress = now
                self.worker.dataProgress.emit(dataclasses.asdict(event))
            return
        self.flush()
        if isinstance(event, ev.RunStarted):
            self.batches_per_epoch = max(1, event.batches_per_epoch)
            self.run_dir = event.run_dir
            self.worker.started.emit(dataclasses.asdict(event))
        elif isinstance(event, ev.EpochEnd):
            self.worker.epoch.emit({**event.metrics, "epoch": event.epoch, "x": event.epoch + 1})
        elif isinstance(event, ev.CheckpointSaved):
            self._pending_checkpoint = (event.epoch, event.path)
            if time.perf_counter() - self._last_histograms >= HISTOGRAM_MIN_SECONDS:
                self._histograms(*self._pending_checkpoint)
        elif isinstance(event, (ev.RunFinished, ev.RunFailed)) and self._pending_checkpoint:
            self._histograms(*self._pending_checkpoint)  # the final weights, if skipped
        elif isinstance(event, ev.Diagnostic):
            payload = dataclasses.asdict(event)
            if event.code == "nan" and self.nan_message is None:
                self.nan_message = " ".join(
                    part for part in (f"{event.title.rstrip('.')}.", event.message, event.fix)
                    if part)
            self.worker.diagnostic.emit(payload)
        if isinstance(event, ev.RunFailed):
            self.failure = event.message

    def _histograms(self, epoch: int, path: str) -> None:
        """Hand the checkpoint to the analysis thread (cheap: no tensor work here)."""
        self._pending_checkpoint = None
        self._last_histograms = time.perf_counter()
        if self.want_histograms and self.run_dir is not None and self.analysis is not None:
            self.analysis.submit(self.run_dir, epoch, path)


class _HistogramWorker(QObject):
    """RunProbe histograms on the analysis thread. ``submit`` and ``close`` may be called from
    any thread; only the newest request waiting is computed (older ones are stale)."""

    histograms = Signal(dict)
    diagnostic = Signal(dict)
    wake = Signal()
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: tuple[str, int, str] | None = None
        self._closing = self._finished = self._failed = False
        self._probe: Any = None
        self.wake.connect(self._work, Qt.QueuedConnection)

    def submit(self, run_dir: str, epoch: int, path: str) -> None:
        with self._lock:
            if self._closing:
                return
            self._pending = (run_dir, epoch, path)
        self.wake.emit()

    def close(self, drop_pending: bool = False) -> None:
        """Finish the request waiting (unless ``drop_pending``), then end the thread."""
        with self._lock:
            self._closing = True
            if drop_pending:
                self._pending = None
        self.wake.emit()

    @Slot()
    def ready(self) -> None:
        """The thread's start: work arrives through ``wake``."""

    @Slot()
    def _work(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
        if request is not None and not self._failed:
            self._compute(*request)
        with self._lock:
            end = self._closing and self._pending is None and not self._finished
            self._finished = self._finished or end
        if end:
            self.done.emit()

    def _compute(self, run_dir: str, epoch: int, path: str) -> None:
        from workbench.explain.run_probe import RunProbe

        try:
            if self._probe is None:
                self._probe = RunProbe(run_dir)
            layers = self._probe.histograms(path)
        except Exception as exc:  # histograms are a view; never let them end the run
            self._failed = True
            self.diagnostic.emit({
                "code": "histograms", "severity": "info", "title": "Histograms unavailable",
                "message": f"Weight/gradient histograms could not be computed: {exc}",
                "epoch": epoch, "evidence": {}, "fix": ""})
            return
        self.histograms.emit({"epoch": epoch, "x": epoch + 1, "layers": layers})


class TrainingWorker(QObject):
    """Runs one RunRequest when ``run`` is called (on its QThread). Emits plain data only."""

    started = Signal(dict)
    dataProgress = Signal(dict)  # {"done", "total", "per_second", "seconds_left", "stage"}
    batches = Signal(list)
    epoch = Signal(dict)
    diagnostic = Signal(dict)
    finished = Signal(dict)
    failed = Signal(str)
    setupProblems = Signal(list)  # [{"node_id", "message", "severity"}]: nodes to badge
    done = Signal()

    def __init__(self, request: Any, control: RunControl, throttle_hz: float = 30.0,
                 histograms: bool = True, evaluate: bool = True,
                 analysis: _HistogramJob | None = None) -> None:
        super().__init__()
        self.request = request
        self.control = control
        self.throttle_hz = throttle_hz
        self.want_histograms = histograms and analysis is not None
        self.want_evaluation = evaluate
        self.analysis = analysis  # histograms go there (TrainingJob makes it)

    @Slot()
    def run(self) -> None:
        from workbench.experiment import execute_run

        analysis = self.analysis.worker if self.analysis is not None else None
        bridge = _EventBridge(self, self.throttle_hz, self.want_histograms, analysis)
        restore_threads = leave_a_core_for_the_gui()
        try:
            summary = dict(execute_run(self.request, callbacks=[bridge], control=self.control))
            bridge.flush()
            self._close_analysis(wait=False)  # the last histograms, beside the evaluation
            if summary.get("stopped_reason") == "nan":
                summary["failure"] = (bridge.nan_message
                                      or "The loss became NaN/Inf; training stopped.")
            elif self.want_evaluation and summary.get("run_dir") and summary.get("epochs_run"):
                summary["evaluation"] = self._evaluate(summary["run_dir"])
            self._close_analysis(wait=True)  # histograms reach the GUI before ``finished``
            self.finished.emit(summary)
        except BaseException as exc:  # the app must survive anything the run does
            bridge.flush()
            self._close_analysis(wait=True)
            if _is_setup(exc) and getattr(exc, "problems", None):  # data misfit on a node
                self.setupProblems.emit([dataclasses.asdict(p) for p in exc.problems])
            self.failed.emit(bridge.failure if bridge.failure and not _is_setup(exc)
                             else describe_failure(exc))
        finally:
            restore_threads()
            self.done.emit()

    def _close_analysis(self, wait: bool) -> None:
        if self.analysis is not None:
            self.analysis.worker.close()
            if wait:
                self.analysis.wait(ANALYSIS_WAIT_MS)

    @staticmethod
    def _evaluate(run_dir: str) -> dict[str, Any]:
        from workbench.explain.validation_report import evaluate_validation

        try:
            return evaluate_validation(run_dir)
        except Exception as exc:
            return {"error": f"validation metrics could not be computed: {exc}"}


def leave_a_core_for_the_gui() -> Callable[[], None]:
    """Use at most (cores - 1) torch intra-op threads while training under the GUI.

    The GUI thread needs a core to stay responsive, and measured on a 2-core machine a second
    OpenMP thread driven from a non-main thread made small models ~30% slower, not faster.
    Returns a function that restores the previous setting.
    """
    import torch

    before = torch.get_num_threads()
    wanted = max(1, (os.cpu_count() or 1) - 1)
    if before <= wanted:
        return lambda: None
    torch.set_num_threads(wanted)
    return lambda: torch.set_num_threads(before)


def _is_setup(exc: BaseException) -> bool:
    from workbench.experiment import RunSetupError

    return isinstance(exc, RunSetupError)


class _ThreadedJob(QObject):
    """Owns a QThread and a worker moved onto it; stays alive until the thread has finished."""

    def __init__(self, worker: QObject, entry: Callable[[], None], done: Any) -> None:
        super().__init__()
        _hook_quit()
        self.thread = QThread()
        self.thread.setObjectName(type(worker).__name__)
        self.worker = worker
        worker.moveToThread(self.thread)
        self.thread.started.connect(entry)
        # Direct: quit from the worker thread itself, so a GUI thread blocked in wait() is
        # released too (quit before the thread's event loop starts makes exec() return at once)
        done.connect(self.thread.quit, Qt.DirectConnection)
        self.thread.finished.connect(self._release)

    def start(self) -> None:
        _ACTIVE.add(self)
        self.thread.start()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the thread has finished (True) or the timeout passed (False)."""
        return self.thread.wait(timeout_ms)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        self.thread.quit()
        ok = self.thread.wait(timeout_ms)
        if ok:
            _ACTIVE.discard(self)
        return ok

    def _release(self) -> None:
        _ACTIVE.discard(self)


class _HistogramJob(_ThreadedJob):
    """The analysis thread of one training run (its histograms)."""

    def __init__(self) -> None:
        worker = _HistogramWorker()
        super().__init__(worker, worker.ready, worker.done)
        self.worker: _HistogramWorker = worker

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        self.worker.close(drop_pending=True)
        return super().shutdown(timeout_ms)


class TrainingJob(_ThreadedJob):
    """One training run on its own thread (and its histograms on another). Connect to its
    signals, then ``start()``.

    The job lives in the GUI thread and re-emits the workers' signals there, so any slot
    (a lambda included) connected to the job runs in the GUI thread. ``ended`` follows the
    training thread's end, after ``finished`` or ``failed``.
    """

    started = Signal(dict)
    dataProgress = Signal(dict)  # the data being decoded/generated, before ``started``
    batches = Signal(list)
    epoch = Signal(dict)
    histograms = Signal(dict)
    diagnostic = Signal(dict)
    finished = Signal(dict)
    failed = Signal(str)
    setupProblems = Signal(list)  # before ``failed`` when the data do not fit a node
    ended = Signal()

    def __init__(self, request: Any, throttle_hz: float = 30.0, histograms: bool = True,
                 evaluate: bool = True) -> None:
        self.control = RunControl()
        self.analysis = _HistogramJob() if histograms else None
        worker = TrainingWorker(request, self.control, throttle_hz, histograms, evaluate,
                                self.analysis)
        super().__init__(worker, worker.run, worker.done)
        self.worker: TrainingWorker = worker
        self.request = request
        for name in ("started", "dataProgress", "batches", "epoch", "diagnostic", "finished",
                     "failed", "setupProblems"):
            getattr(worker, name).connect(getattr(self, name))
        if self.analysis is not None:
            self.analysis.worker.histograms.connect(self.histograms)
            self.analysis.worker.diagnostic.connect(self.diagnostic)
        self.thread.finished.connect(self.ended)

    def start(self) -> None:
        if self.analysis is not None:
            self.analysis.start()
        super().start()

    def is_running(self) -> bool:
        return super().is_running() or (self.analysis is not None
                                        and self.analysis.is_running())

    def wait(self, timeout_ms: int = 30_000) -> bool:
        ok = super().wait(timeout_ms)
        return (self.analysis.wait(timeout_ms) if self.analysis is not None else True) and ok

    def request_stop(self) -> None:
        self.control.request_stop()

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        self.control.request_stop()
        ok = super().shutdown(timeout_ms)
        return (self.analysis.shutdown(timeout_ms) if self.analysis is not None else True) and ok


class _CallWorker(QObject):
    result = Signal(object)
    error = Signal(str)
    progress = Signal(object)
    done = Signal()

    def __init__(self, function: Callable[..., Any], with_progress: bool = False,
                 throttle_hz: float = 10.0) -> None:
        super().__init__()
        self.function = function
        self.with_progress = with_progress
        self.interval = 1.0 / throttle_hz if throttle_hz > 0 else 0.0
        self.cancel_event = threading.Event()
        self._last_progress = -1.0

    def report(self, value: Any, final: bool = False) -> None:
        """(Worker thread.) Send ``value`` as ``progress``, at most ``throttle_hz`` a second
        unless ``final``."""
        now = time.perf_counter()
        if final or now - self._last_progress >= self.interval:
            self._last_progress = now
            self.progress.emit(value)

    @Slot()
    def run(self) -> None:
        try:
            if self.with_progress:
                value = self.function(self.report, self.cancel_event.is_set)
            else:
                value = self.function()
            self.result.emit(value)
        except BaseException as exc:
            self.error.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.emit()


class BackgroundCall(_ThreadedJob):
    """``function()`` on a thread; its value arrives as ``worker.result``, errors as ``error``.
    With ``with_progress`` it is called as ``function(report, cancelled)``."""

    def __init__(self, function: Callable[..., Any], with_progress: bool = False) -> None:
        worker = _CallWorker(function, with_progress)
        super().__init__(worker, worker.run, worker.done)
        self.worker: _CallWorker = worker

    def request_cancel(self) -> None:
        """Make ``cancelled()`` True (the function decides when to stop)."""
        self.worker.cancel_event.set()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        self.request_cancel()
        return super().shutdown(timeout_ms)


def active_jobs() -> list[Any]:
    return list(_ACTIVE)


def shutdown_all(timeout_ms: int = 30_000) -> bool:
    """Stop every running job and wait for its thread. True when all have ended."""
    ok = True
    for job in list(_ACTIVE):
        ok = job.shutdown(timeout_ms) and ok
    return ok


def _hook_quit() -> None:
    global _QUIT_HOOKED
    app = QCoreApplication.instance()
    if app is not None and not _QUIT_HOOKED:
        app.aboutToQuit.connect(shutdown_all)
        _QUIT_HOOKED = True
