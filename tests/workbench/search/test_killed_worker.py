"""A worker killed mid-trial (kill -9): its trial is marked FAILED through the heartbeat when
the study is opened again, and the study goes on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from workbench.search.study import fail_stale, open_storage


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_killed_worker_trial_is_marked_failed(tmp_path, tiny_project):
    project = tiny_project(epochs=100_000)
    folder = tmp_path / "p"
    worker = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "search", str(project), "--trials", "1",
         "--heartbeat", "1", "--project", str(folder), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "OMP_NUM_THREADS": "1"})
    url = f"sqlite:///{folder.resolve()}/search/search_mlp_digits.db"
    runs = folder / "runs"
    try:
        deadline = time.monotonic() + 120
        while not (runs.is_dir() and any(runs.glob("*/metrics.jsonl"))):
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker never started training"
            time.sleep(0.2)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.communicate()
    storage = open_storage(url, heartbeat_interval=1)
    study = optuna.load_study(study_name="search_mlp_digits", storage=storage)
    assert [t.state.name for t in study.trials] == ["RUNNING"]  # as the dead worker left it
    # Stale once the last heartbeat is older than the grace period (2 x the heartbeat
    # interval); the database compares whole seconds, so allow a few more before failing.
    deadline = time.monotonic() + 15
    while True:
        time.sleep(1.0)
        fail_stale(study)
        states = [t.state.name for t in study.trials]
        if states != ["RUNNING"] or time.monotonic() > deadline:
            break
    assert states == ["FAIL"]
    assert json.loads(json.dumps(study.trials[0].params))  # the sampled values are kept


def wait_for(condition, seconds, what, process=None):
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None:
            assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def study_trials(url):
    from pathlib import Path

    if not Path(url.removeprefix("sqlite:///")).is_file():
        return []
    try:
        study = optuna.load_study(study_name="search_mlp_digits",
                                  storage=open_storage(url, None))
    except Exception:  # still being created
        return []
    return study.get_trials()


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_a_worker_then_the_search_and_resume_ends_at_the_budget(tmp_path, capsys,
                                                                         tiny_project):
    """--trials 3 with 2 workers: one worker killed with kill -9 mid-trial, then the search
    itself; `search --resume` (no --trials) settles both interrupted trials at once (the
    heartbeat, 60 s, has not expired) and ends with exactly 3 trials that count."""
    from workbench.cli import main
    from workbench.search.budget import counts, process_alive

    folder = tmp_path / "p"
    url = f"sqlite:///{folder.resolve()}/search/search_mlp_digits.db"
    long = tiny_project(epochs=100_000)
    search = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "search", str(long), "--workers", "2",
         "--trials", "3", "--heartbeat", "60", "--project", str(folder), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: len([t for t in study_trials(url) if t.state.name == "RUNNING"
                              and t.user_attrs.get("worker")]) == 2
                 and any((folder / "runs").glob("*/metrics.jsonl")),
                 240, "the workers never started training", search)
        pids = [int(t.user_attrs["worker"].rsplit(":", 1)[1]) for t in study_trials(url)]
        os.kill(pids[0], signal.SIGKILL)  # one worker, mid-trial
        wait_for(lambda: [t.state.name for t in study_trials(url)][:2].count("FAIL") == 1,
                 30, "the parent did not fail the dead worker's trial", search)
        os.kill(search.pid, signal.SIGKILL)  # then the search itself
    finally:
        search.kill()
        search.communicate()
    wait_for(lambda: not process_alive(pids[1]), 60, "the other worker outlived its parent")
    code = main(["search", str(tiny_project(epochs=1)), "--resume", "--workers", "2",
                 "--heartbeat", "60", "--project", str(folder), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    result = json.loads(out.out.splitlines()[-1])
    trials = optuna.load_study(study_name="search_mlp_digits",
                               storage=open_storage(url, None)).get_trials()
    assert result["trial_budget"] == 3 and result["counted"] == 3
    assert sum(counts(t) for t in trials) == 3
    assert result["states"]["complete"] == 3 and result["states"]["failed"] == 2
    assert result["states"]["running"] == 0 and result["n_trials"] == 5


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_the_search_and_resume_at_once(tmp_path, capsys, tiny_project):
    """A search in one process killed mid-trial and resumed at once: the killed trial is
    settled without waiting for the heartbeat, and the study ends with its 2 trials."""
    from workbench.cli import main

    folder = tmp_path / "p"
    search = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "search", str(tiny_project(epochs=100_000)),
         "--trials", "2", "--heartbeat", "60", "--project", str(folder), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        wait_for(lambda: any((folder / "runs").glob("*/metrics.jsonl")), 120,
                 "the search never started training", search)
        os.kill(search.pid, signal.SIGKILL)
    finally:
        search.kill()
        search.communicate()
    code = main(["search", str(tiny_project(epochs=1)), "--resume", "--heartbeat", "60",
                 "--project", str(folder), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    result = json.loads(out.out.splitlines()[-1])
    assert [r["state"] for r in result["trials"]] == ["failed", "complete", "complete"]
    assert result["trials"][0]["problem"].startswith("interrupted: its process")
    assert result["counted"] == result["trial_budget"] == 2
