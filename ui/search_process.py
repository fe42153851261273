"""``workbench search`` as a separate process in its own session, so a study runs outside the app's process (the
GUI stays responsive) and goes on after the app closes.

The process's id is kept in ``<project>/search/<study>.pid`` and its output in
``<study>.log`` beside the study, so a reopened app finds a search still running and can stop
it. Stop sends SIGINT (Optuna marks the trial in flight FAILED and the process ends), then
SIGTERM and SIGKILL if it has not ended after ``grace`` seconds each; a trial left RUNNING by a
killed process is failed by the next process that opens the study (its heartbeat stops).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from workbench.search.study_location import study_file

# searches this app started: polled so an ended one is reaped (not left a zombie that
# looks alive); one that outlives the app is adopted by the system
_CHILDREN: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class SearchOptions:
    """The panel's form: what ``workbench search`` is given."""

    strategy: str = "tpe"
    pruner: str = "none"
    trials: int = 10
    timeout: float | None = None  # seconds; None: no limit
    objectives: tuple[str, ...] = ("val_accuracy",)
    seed: int | None = None
    heartbeat: int = 5
    workers: int = 1  # 1: trials in the search process; N >= 2: N worker processes


def available_cores() -> int:
    """The cores this process may use (the Workers field's maximum)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


def search_arguments(project_file: str | Path, project_dir: str | Path,
                     options: SearchOptions, resume: bool = False) -> list[str]:
    """The arguments after the Python executable that run the search."""
    args = ["-m", "workbench.cli", "search", str(project_file), "--project", str(project_dir),
            "--strategy", options.strategy, "--pruner", options.pruner,
            "--trials", str(int(options.trials)), "--heartbeat", str(int(options.heartbeat))]
    for objective in options.objectives:
        args += ["--objective", objective]
    if options.timeout:
        args += ["--timeout", f"{float(options.timeout):g}"]
    if options.seed is not None:
        args += ["--seed", str(int(options.seed))]
    if int(options.workers) >= 2:  # each trains with max(1, cores // N) torch threads
        args += ["--workers", str(int(options.workers))]
    if resume:
        args.append("--resume")
    return args


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs a ``workbench`` search (on Linux its command line is checked,
    so a reused id is not mistaken for it)."""
    if pid <= 0:
        return False
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError, OSError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            return False
        return b"search" in words and any(b"workbench" in w for w in words)
    return True


class SearchProcess:
    """One study's search process: start (detached), is it running, stop."""

    def __init__(self, project_dir: str | Path, study: str) -> None:
        folder = study_file(project_dir, study).parent
        self.project_dir = Path(project_dir)
        self.study = study
        self.pid_path = folder / f"{study}.pid"
        self.log_path = folder / f"{study}.log"
        self._stop_step = 0

    @property
    def pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        pid = self.pid
        return pid is not None and process_alive(pid)

    def start(self, project_file: str | Path, options: SearchOptions,
              resume: bool = False) -> int:
        """Start the search; its process id. RuntimeError when it cannot start."""
        from workbench.runs.atomic import atomic_write_text

        if self.is_running():
            raise RuntimeError(f"a search of study '{self.study}' is already running "
                               f"(process {self.pid})")
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)  # workbench importable as here
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, *search_arguments(project_file, self.project_dir, options,
                                                     resume)]
        try:
            with open(self.log_path, "wb") as log:  # this start's output only
                child = subprocess.Popen(command, cwd=self.project_dir, env=env,
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            raise RuntimeError(f"could not start {' '.join(command[:4])}: {exc}") from exc
        _CHILDREN[child.pid] = child
        pid = child.pid
        atomic_write_text(self.pid_path, str(pid))
        self._stop_step = 0
        return int(pid)

    def stop(self) -> str:
        """Ask the search to end; each further call escalates (SIGINT, SIGTERM, SIGKILL).
        Returns what was done, for the status line."""
        pid = self.pid
        if pid is None or not process_alive(pid):
            return "no search is running"
        signals = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGKILL", signal.SIGTERM)]
        sent = signals[min(self._stop_step, len(signals) - 1)]
        self._stop_step += 1
        try:
            os.kill(pid, sent)
        except OSError as exc:
            return f"could not stop process {pid}: {exc}"
        return f"sent {signal.Signals(sent).name} to the search (process {pid})"

    def last_lines(self, count: int = 3) -> list[str]:
        """The last lines of the process's output (its error, when it failed)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return [line for line in text.strip().splitlines() if line.strip()][-count:]
