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
