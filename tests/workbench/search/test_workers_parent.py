"""A worker whose parent is killed takes the clean path even where SIGINT is ignored (every
process a non-interactive shell starts in the background, and its children: CI): it fails its
running trial itself and exits, instead of waiting for the hard exit and the heartbeat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from tests.workbench.search.test_workers import STUDY, alive, running_trials
from workbench.search.study import open_storage


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 and SIG_IGN are POSIX")
def test_a_killed_parent_with_sigint_ignored_has_its_worker_fail_its_trial(tmp_path,
                                                                          tiny_project):
    folder = tmp_path / "p"
    parent = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "search", str(tiny_project(epochs=100_000)),
         "--workers", "1", "--trials", "2", "--project", str(folder), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # as `cmd &` does
    url = f"sqlite:///{folder.resolve()}/search/{STUDY}.db"
    try:
        deadline = time.monotonic() + 240
        while True:  # the worker is training
            assert parent.poll() is None, parent.communicate()
            assert time.monotonic() < deadline, "the worker never started training"
            trials = running_trials(url)
            if len(trials) == 1 and trials[0].user_attrs.get("worker"):
                break
            time.sleep(0.5)
        pid = int(trials[0].user_attrs["worker"].rsplit(":", 1)[1])
        os.kill(parent.pid, signal.SIGKILL)
    finally:
        parent.kill()
        parent.communicate()
    deadline = time.monotonic() + 60
    while alive(pid):
        assert time.monotonic() < deadline, f"orphan worker still running: {pid}"
        time.sleep(0.2)
    # failed by the worker on its way out; on a loaded machine its 20 s hard exit may come
    # first, and then the next start settles it at once (its process is gone), never leaving
    # it RUNNING for the heartbeat to find
    study = optuna.load_study(study_name=STUDY, storage=open_storage(url, None))
    if [t.state.name for t in study.trials] == ["RUNNING"]:
        from workbench.search.budget import settle_stale

        assert settle_stale(study, wait_untagged=0) == [0]
        study = optuna.load_study(study_name=STUDY, storage=open_storage(url, None))
    assert [t.state.name for t in study.trials] == ["FAIL"]
