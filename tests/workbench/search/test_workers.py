"""Search in worker processes on the project's SQLite study: the trial budget shared by two
workers (no trial lost or duplicated), a worker that dies, the parent killed (no orphan
workers), and `search-worker` joining a study from its storage alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import optuna
import pytest

from workbench.cli import main
from workbench.search.runner import trial_attrs, worker_tag
from workbench.search.study import fail_stale, open_storage
from workbench.search.workers import WorkerProcess, stop_workers, watch, worker_threads

STUDY = "search_mlp_digits"


def search_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("{")]
    return code, json.loads(lines[-1]) if lines else None, out.err


def check_trials_once(study: optuna.Study, folder: Path) -> list[optuna.trial.FrozenTrial]:
    """Trial numbers 0..n-1 each once, each trial's run folder exists once, with its number."""
    trials = study.get_trials(deepcopy=False)
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    run_dirs = [trial_attrs(t).get("run_dir") for t in trials]
    assert all(run_dirs) and len(set(run_dirs)) == len(trials)
    assert len(list((folder / "runs").iterdir())) == len(trials)
    for trial in trials:
        config = json.loads((folder.parent / trial_attrs(trial)["run_dir"] / "config.json")
                            .read_text())
        assert config["lineage"]["trial"] == trial.number
    return trials


@pytest.mark.parametrize("budget", [1, 3])
def test_two_worker_processes_share_the_trial_budget(tmp_path, capsys, tiny_project, budget):
    folder = tmp_path / "p"
    code, result, err = search_json(capsys, "search", str(tiny_project()), "--workers", "2",
                                    "--trials", str(budget), "--seed", "0",
                                    "--project", str(folder))
    assert code == 0, err
    assert result["workers"] == 2
    assert result["n_trials"] == budget == result["states"]["complete"]  # exactly
    study = optuna.load_study(study_name=STUDY, storage=open_storage(result["storage"], None))
    trials = check_trials_once(study, folder)
    workers = {t.user_attrs["worker"] for t in trials}
    assert worker_tag() not in workers  # trained in the worker processes, not here
    assert study.user_attrs["trial_budget"] == budget
    assert study.user_attrs["project_file"]["search"]  # what a worker on any machine needs


def test_a_dead_worker_has_its_trial_failed_and_a_note(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(study_name="s", storage=open_storage(url, None))
    trial = study.ask()
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stderr.write("
                                "'MemoryError: out of memory\\n'); sys.exit(3)"], stderr=stderr)
    worker = WorkerProcess(0, process, stderr, "host:123")
    trial.set_user_attr("worker", "host:123")
    other = study.ask()  # another worker's trial goes on
    other.set_user_attr("worker", "host:456")
    rows, notes = [], []
    watch(study, [worker], rows.append, notes)
    states = {t.number: t.state.name for t in study.get_trials()}
    assert states == {0: "FAIL", 1: "RUNNING"}
    assert "died (exit code 3)" in study.trials[0].user_attrs["problem"]
    assert [r["number"] for r in rows] == [0]
    assert notes == [f"worker 0 (pid {process.pid}) stopped with exit code 3: MemoryError: "
                     f"out of memory"]
    stderr.close()


def test_worker_threads_share_the_cores():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert worker_threads(1) == cores
    assert worker_threads(cores * 4) == 1


def test_search_worker_joins_from_the_storage_alone(tmp_path, capsys, tiny_project):
    folder, other = tmp_path / "p", tmp_path / "elsewhere"
    code, result, err = search_json(capsys, "search", str(tiny_project()), "--trials", "1",
                                    "--project", str(folder))
    assert code == 0, err
    url = result["storage"]
    # the budget (1 trial) is reached: a worker without --trials has nothing to do
    code, joined, err = search_json(capsys, "search-worker", STUDY, "--storage", url,
                                    "--project", str(other))
    assert code == 0, err
    assert joined["worker_trials"] == [] and joined["n_trials"] == 1
    code, joined, err = search_json(capsys, "search-worker", STUDY, "--project", str(folder),
                                    "--storage", url, "--trials", "1")
    assert code == 0, err
    assert joined["worker_trials"] == [1] and joined["states"]["complete"] == 2
    study = optuna.load_study(study_name=STUDY, storage=open_storage(url, None))
    check_trials_once(study, folder)
    # a study that does not record its project cannot be joined: one line, exit 2
    optuna.create_study(study_name="bare", storage=open_storage(url, None))
    code, joined, err = search_json(capsys, "search-worker", "bare", "--storage", url)
    assert code == 2 and "does not record project_file" in err and len(err.splitlines()) == 1
    code, joined, err = search_json(capsys, "search-worker", "nope", "--storage", url)
    assert code == 2 and "no study 'nope'" in joined["error"]


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_killing_the_parent_stops_its_workers(tmp_path, tiny_project):
    folder = tmp_path / "p"
    parent = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "search", str(tiny_project(epochs=100_000)),
         "--workers", "2", "--trials", "4", "--project", str(folder), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"sqlite:///{folder.resolve()}/search/{STUDY}.db"
    try:
        deadline = time.monotonic() + 240
        while True:  # both workers training
            assert parent.poll() is None, parent.communicate()
            assert time.monotonic() < deadline, "the workers never started training"
            trials = running_trials(url)
            if len(trials) == 2 and all(t.user_attrs.get("worker") for t in trials):
                break
            time.sleep(0.5)
        pids = [int(t.user_attrs["worker"].rsplit(":", 1)[1]) for t in trials]
        os.kill(parent.pid, signal.SIGKILL)
    finally:
        parent.kill()
        parent.communicate()
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"orphan workers still running: {pids}"
        time.sleep(0.2)
    study = optuna.load_study(study_name=STUDY, storage=open_storage(url, 1))
    if any(t.state.name == "RUNNING" for t in study.trials):
        # a worker that could not take the interrupt in time exited hard: its trial is
        # failed by the heartbeat, as the next --resume or search-worker would do
        time.sleep(3)
        fail_stale(study)
    assert [t.state.name for t in study.trials] == ["FAIL", "FAIL"]


def running_trials(url: str) -> list[optuna.trial.FrozenTrial]:
    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        return []
    try:
        study = optuna.load_study(study_name=STUDY, storage=open_storage(url, None))
    except Exception:  # the parent is still creating the study
        return []
    return study.get_trials(states=(optuna.trial.TrialState.RUNNING,))


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's zombie may wait for a reaper)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return "\nState:\tZ" not in status


def test_stop_ends_the_workers_and_fails_their_trials(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(study_name="s", storage=open_storage(url, None))
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                               stderr=stderr)
    worker = WorkerProcess(0, process, stderr, "host:7")
    study.ask().set_user_attr("worker", "host:7")
    stop = threading.Event()
    stop.set()  # e.g. the app's Stop button, from another thread
    watch(study, [worker], None, [], stop)
    assert process.poll() is None  # watch returned at once, the worker still runs
    stop_workers(study, [worker])
    assert process.poll() is not None
    assert [t.state.name for t in study.get_trials()] == ["FAIL"]
    assert "stopped with the search" in study.trials[0].user_attrs["problem"]
