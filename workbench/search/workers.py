"""Search in worker processes, one training per process (torch's RNG and thread settings are
process-wide).

``run_worker_processes`` is the parent: it creates (or resumes) the study, records in it what
a worker needs (study_start.start_study: the project, the settings, the trial budget), starts N
``workbench search-worker`` processes on it, reports trials as they finish and stops the
workers when it is stopped (Ctrl+C, SIGTERM; a worker whose parent vanished, kill -9, stops by
itself). ``join_study`` is a worker, on this machine or any other that has the project's data:
from the storage URL and the study name alone it runs trials until the study's trial budget
(budget.py: counted and created in one transaction, so N workers stop at it exactly) or its
own ``n_trials`` / ``timeout``. A worker that dies has its trial failed at once, without a
verdict: it does not count, and another worker runs a trial in its place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from workbench.search.errors import SearchError

STOP_GRACE_SECONDS = 10.0  # a stopped worker gets this long to fail its trial, then SIGKILL
POLL_SECONDS = 0.5


@dataclass
class WorkerProcess:
    """One started worker: its process, its stderr (a temporary file) and its trial tag."""

    index: int
    process: subprocess.Popen
    stderr: IO[bytes]
    tag: str
    exit_code: int | None = None


def worker_threads(n_workers: int) -> int:
    """Torch threads per worker: the cores this process may use, shared out, at least 1."""
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    return max(1, cores // max(n_workers, 1))


def run_worker_processes(project: Any, settings: Any,
                         on_trial: Callable[[dict[str, Any]], None] | None = None,
                         stop: threading.Event | None = None) -> dict[str, Any]:
    """Run the study to its trial budget (budget.py) in ``settings.workers`` processes;
    return the summary (summary.summarize) with ``workers`` and notes on workers that died.
    Setting ``stop`` (from another thread, e.g. a GUI's Stop) stops the workers: their
    running trials end FAILED and the study can be resumed."""
    import optuna

    from workbench.search.settings import check_search
    from workbench.search.strategies import make_pruner, make_sampler
    from workbench.search.study import default_storage_url, open_storage
    from workbench.search.study_start import start_study
    from workbench.search.summary import check_finished, summarize

    space, directions = check_search(project, settings)
    sampler, notes = make_sampler(settings.strategy, space, settings.seed, len(directions),
                                  settings.strategy_options)  # bad settings: refused here, once
    pruner = make_pruner(settings.pruner, int(project.training.get("epochs", 20)),
                         len(directions))
    url = settings.storage or default_storage_url(settings.project_dir, settings.study)
    storage = open_storage(url, settings.heartbeat_interval, settings.grace_period,
                           settings.retry_stale)
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        study, _budget = start_study(storage, project, settings, directions, sampler, pruner)
        workers: list[WorkerProcess] = []
        with stop_on_sigterm():
            try:
                threads = worker_threads(settings.workers)
                for index in range(settings.workers):
                    workers.append(start_worker(url, settings, index, threads))
                watch(study, workers, on_trial, notes, stop)
            finally:
                stop_workers(study, workers)
    finally:
        optuna.logging.set_verbosity(previous)
    result = summarize(study, url, settings.objectives)
    result.update(notes=notes, workers=settings.workers)
    check_finished(study, result)
    return result


def worker_command(url: str, settings: Any, index: int, threads: int) -> list[str]:
    """The ``workbench search-worker`` command line of worker ``index``."""
    command = [sys.executable, "-m", "workbench.cli", "search-worker", settings.study,
               "--storage", url, "--project", settings.project_dir, "--threads", str(threads),
               "--parent-pid", str(os.getpid()), "--quiet"]
    if settings.seed is not None:  # distinct seeds, or every worker samples the same points
        command += ["--seed", str(settings.seed + index)]
    if settings.timeout is not None:
        command += ["--timeout", str(settings.timeout)]
    return command


def start_worker(url: str, settings: Any, index: int, threads: int) -> WorkerProcess:
    """Start worker ``index`` with ``threads`` torch threads."""
    import socket

    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen(worker_command(url, settings, index, threads), env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=stderr)
    return WorkerProcess(index, process, stderr, f"{socket.gethostname()}:{process.pid}")


def watch(study: Any, workers: list[WorkerProcess],
          on_trial: Callable[[dict[str, Any]], None] | None, notes: list[str],
          stop: threading.Event | None = None) -> None:
    """Until every worker has exited (or ``stop`` is set): report newly finished trials; a
    worker that died gets its running trial failed at once and a note, the others go on."""
    reported: set[int] = set()
    while stop is None or not stop.is_set():
        report_finished(study, reported, on_trial)
        running = False
        for worker in workers:
            if worker.exit_code is not None:
                continue
            code = worker.process.poll()
            if code is None:
                running = True
            else:
                worker.exit_code = code
                if code != 0:
                    problem = f"its worker process (pid {worker.process.pid}) died " \
                              f"(exit code {code})"
                    fail_trials_of(study, worker.tag, problem)
                    notes.append(f"worker {worker.index} (pid {worker.process.pid}) stopped "
                                 f"with exit code {code}: {last_line(worker.stderr)}")
        if not running:
            report_finished(study, reported, on_trial)
            return
        time.sleep(POLL_SECONDS)


def report_finished(study: Any, reported: set[int],
                    on_trial: Callable[[dict[str, Any]], None] | None) -> None:
    """``on_trial`` for each trial that finished since the last call, by number."""
    from optuna.trial import TrialState

    from workbench.search.trial import trial_row

    done = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
    for trial in study.get_trials(deepcopy=False, states=done):
        if trial.number not in reported:
            reported.add(trial.number)
            if on_trial is not None:
                on_trial(trial_row(trial))


def fail_trials_of(study: Any, tag: str, problem: str) -> None:
    """Mark the RUNNING trials of worker ``tag`` FAILED with ``problem``."""
    from optuna.trial import TrialState

    from workbench.search.optuna_internals import storage_of, trial_id_of

    storage = storage_of(study)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if trial.user_attrs.get("worker") == tag:
            with contextlib.suppress(Exception):  # it finished meanwhile: leave it
                storage.set_trial_user_attr(trial_id_of(trial), "problem", problem)
                storage.set_trial_state_values(trial_id_of(trial), TrialState.FAIL)


def stop_workers(study: Any, workers: list[WorkerProcess]) -> None:
    """SIGTERM the workers still running (each fails its trial and exits), SIGKILL those
    still there after STOP_GRACE_SECONDS; fail whatever trial they left running."""
    alive = [w for w in workers if w.process.poll() is None]
    for worker in alive:
        with contextlib.suppress(OSError):
            worker.process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for worker in alive:
        try:
            worker.process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        fail_trials_of(study, worker.tag, "its worker process was stopped with the search")
    for worker in workers:
        worker.stderr.close()


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt here (main thread only), so the workers are stopped."""
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


PARENT_GONE_EXIT_SECONDS = 20.0  # then a worker whose parent died exits for certain


def watch_parent(parent_pid: int) -> None:
    """Interrupt this process's main thread when its parent (``parent_pid``) is gone.

    The interrupt is SIGTERM sent to the main thread (``signal.pthread_kill``), whose handler
    the caller installs first (``search_worker``: it raises KeyboardInterrupt, Optuna marks the
    running trial FAILED and the worker exits 130); sent to that thread, it also breaks a
    blocking system call. Not ``_thread.interrupt_main()``: that simulates SIGINT, and does
    nothing where SIGINT is ignored, which it is in every process a non-interactive shell
    starts in the background (``cmd &``, CI runners) and in their children: why CI saw workers
    outlive a killed parent until the hard exit below.
    """
    import _thread

    main = threading.main_thread().ident

    def run() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_SECONDS)
        if callable(signal.getsignal(signal.SIGTERM)) and main is not None:
            signal.pthread_kill(main, signal.SIGTERM)
        else:  # no Python handler for SIGTERM (a caller other than search_worker)
            _thread.interrupt_main(signal.SIGTERM if sys.platform != "win32" else signal.SIGINT)
        # A main thread that cannot take the interrupt (blocked outside Python, or a thread
        # that keeps the process alive at exit) must not leave an orphan: its trial is then
        # failed by the heartbeat when the study is next opened.
        time.sleep(PARENT_GONE_EXIT_SECONDS)
        os._exit(130)

    threading.Thread(target=run, name="watch-parent", daemon=True).start()


def last_line(stream: IO[bytes]) -> str:
    """The last non-empty line a worker wrote to its stderr (or 'no message')."""
    stream.seek(0)
    lines = [line.strip() for line in stream.read()[-4000:].decode(errors="replace")
             .splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def read_worker_attrs(url: str, study_name: str) -> dict[str, Any]:
    """The study's user attributes, checked to hold what a worker needs."""
    from workbench.search.study import load_existing

    study = load_existing(url, study_name)
    attrs = study.user_attrs
    missing = [k for k in ("project_file", "search_settings") if k not in attrs]
    if missing:
        raise SearchError(f"study '{study_name}' does not record {' and '.join(missing)} (it "
                          f"was made by an older Workbench); continue it with `workbench "
                          f"search PROJECT --resume --study {study_name}` once, then join it")
    return attrs


def join_study(url: str, study_name: str, project_dir: str | Path,
               n_trials: int | None = None, timeout: float | None = None,
               seed: int | None = None, threads: int | None = None,
               on_trial: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run trials of an existing study as one worker; return the study's summary with
    ``worker_trials``, the numbers of the trials this worker ran. ``n_trials`` None: until the
    study's trial budget."""
    import optuna

    from workbench.project import Project, ProjectError
    from workbench.search.budget import BUDGET_ATTR, optimize_within_budget, settle_stale
    from workbench.search.settings import SearchSettings, check_search
    from workbench.search.strategies import make_pruner, make_sampler
    from workbench.search.study import kept_pruner, open_storage
    from workbench.search.summary import summarize
    from workbench.search.trial import (
        TrialFailed,
        TrialObjective,
        trial_attrs,
        trial_row,
        worker_tag,
    )
    from workbench.search.trial_writes import batch_trial_writes

    attrs = read_worker_attrs(url, study_name)
    try:
        project = Project.from_dict(attrs["project_file"], source=f"study '{study_name}'")
    except ProjectError as exc:
        raise SearchError(str(exc)) from None
    saved = attrs["search_settings"]
    budget = attrs.get(BUDGET_ATTR)
    if n_trials is None and not isinstance(budget, int):
        raise SearchError(f"study '{study_name}' has no trial budget; give --trials N")
    settings = SearchSettings(
        project_dir=str(Path(project_dir).resolve()), study=study_name,
        strategy=saved["strategy"], n_trials=n_trials or 1, timeout=timeout,
        pruner=saved["pruner"], objectives=list(saved["objectives"]), seed=seed, resume=True,
        storage=url, heartbeat_interval=saved["heartbeat_interval"],
        grace_period=saved["grace_period"], retry_stale=saved["retry_stale"],
        strategy_options=saved.get("strategy_options") or {})
    space, directions = check_search(project, settings)
    sampler, _ = make_sampler(settings.strategy, space, seed, len(directions),
                              settings.strategy_options)
    if threads:
        import torch

        torch.set_num_threads(threads)
    storage = batch_trial_writes(
        open_storage(url, settings.heartbeat_interval, settings.grace_period,
                     settings.retry_stale),
        budget=budget if n_trials is None else None)  # the budget, counted in one transaction
    # the pruner the study stored when it was created; older studies: the last start's name
    pruner = (kept_pruner(storage, study_name, None)
              or make_pruner(settings.pruner, int(project.training.get("epochs", 20)),
                             len(directions))
              or optuna.pruners.NopPruner())
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        study = optuna.load_study(study_name=study_name, storage=storage, sampler=sampler,
                                  pruner=pruner)
        settle_stale(study, wait_untagged=0)  # a peer's trial is untagged for a moment
        before = {t.number for t in study.get_trials(deepcopy=False)}
        callbacks: list[Any] = []
        if on_trial is not None:
            callbacks.append(lambda s, t: on_trial(trial_row(t)))
        optimize_within_budget(study, TrialObjective(project, space, settings,
                                                     tag_at_start=True),
                               n_trials=n_trials, timeout=timeout, catch=(TrialFailed,),
                               callbacks=callbacks, gc_after_trial=False)
    finally:
        optuna.logging.set_verbosity(previous)
    result = summarize(study, url, settings.objectives)
    me = worker_tag()
    result["worker_trials"] = [t.number for t in study.get_trials(deepcopy=False)
                               if trial_attrs(t).get("worker") == me and t.number not in before]
    return result
