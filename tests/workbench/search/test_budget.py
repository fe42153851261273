"""The trial budget (workbench/search/budget.py): what counts, stale trials settled at once,
and two worker processes that stop at the budget exactly, for several budgets, repeated, on
SQLite and PostgreSQL, with failed and interrupted trials among them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from workbench.search import optuna_internals as internals
from workbench.search.budget import (
    BUDGET_ATTR,
    BUDGET_STATES,
    VERDICT_ATTR,
    counted_trials,
    counts,
    interrupted,
    set_budget,
    settle_stale,
)
from workbench.search.errors import SearchError
from workbench.search.study import open_storage
from workbench.search.trial_writes import batch_trial_writes

optuna.logging.set_verbosity(optuna.logging.ERROR)


def study_with_every_kind(url: str) -> optuna.Study:
    """Trials: complete, pruned, failed with a verdict, interrupted, running, waiting."""
    study = optuna.create_study(study_name="s", storage=open_storage(url, None))
    for state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.FAIL):
        trial = study.ask()
        if state != TrialState.FAIL or not any(t.state == TrialState.FAIL
                                               for t in study.trials):
            trial.set_user_attr(VERDICT_ATTR, {"problem": "NaN"})
        study.tell(trial, 1.0 if state == TrialState.COMPLETE else None, state=state)
    study.ask()  # running
    study.enqueue_trial({})  # waiting
    return study


def test_what_counts(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = study_with_every_kind(url)
    states = [(t.state.name, counts(t), interrupted(t)) for t in study.trials]
    assert states == [("COMPLETE", True, False), ("PRUNED", True, False),
                      ("FAIL", True, False), ("FAIL", False, True),
                      ("RUNNING", True, False), ("WAITING", False, False)]
    assert counted_trials(study) == 4
    storage = open_storage(url, None)
    with internals.create_scoped_session(internals.scoped_session(storage)) as session:
        in_sql = internals.count_trials(session, internals.study_id_of(study), BUDGET_STATES,
                                        VERDICT_ATTR)
    assert in_sql == 4  # the batcher's count in one query agrees


def test_the_budget_is_n_more_than_counted_or_the_stored_one(tmp_path):
    study = study_with_every_kind(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(SearchError, match="stores no trial budget; give --trials N"):
        set_budget(study, None)
    assert set_budget(study, 3) == 7 and study.user_attrs[BUDGET_ATTR] == 7
    assert set_budget(study, None) == 7  # --resume without --trials: finish what was asked


def test_a_dead_local_process_trial_is_settled_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(study_name="s", storage=open_storage(url, 60))  # no expiry
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    for tag in (f"{host}:{gone.pid}", f"{host}:{os.getpid()}", "elsewhere:1", None):
        trial = study.ask()
        if tag:
            trial.set_user_attr("worker", tag)
    assert settle_stale(study, wait_untagged=0) == [0]
    trials = study.get_trials()
    assert [t.state.name for t in trials] == ["FAIL", "RUNNING", "RUNNING", "RUNNING"]
    assert trials[0].user_attrs["problem"].startswith(f"interrupted: its process (pid "
                                                      f"{gone.pid}) ended")


WORKERS = """
import sys, time
from pathlib import Path
import optuna
from workbench.search.budget import optimize_within_budget
from workbench.search.study import open_storage
from workbench.search.trial_writes import batch_trial_writes

url, folder, me = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
optuna.logging.set_verbosity(optuna.logging.ERROR)

def objective(trial):
    n = trial.suggest_int("n", 0, 99)
    time.sleep(0.002 * (n % 7))
    if n % 3 == 0:  # failed by its own problem: counts
        trial.set_user_attr("trial", {"problem": "its own"})
        raise ValueError("its own problem")
    trial.set_user_attr("trial", {})
    return n

backend = open_storage(url, None)
for round_ in sorted(folder.glob("round*"), key=lambda p: int(p.name[5:])):
    budget = int((round_ / "budget").read_text())
    storage = batch_trial_writes(backend, budget=budget)
    study = optuna.load_study(study_name=round_.name, storage=storage)
    (round_ / f"ready-{me}").touch()
    while not (round_ / "go").exists():
        time.sleep(0.002)
    optimize_within_budget(study, objective, catch=(ValueError,), poll=0.05)
"""

ROUNDS = [1, 2, 3, 5, 1, 2, 3, 5]  # budgets, each twice


def two_workers_race(url: str, folder: Path) -> None:
    """Two processes, each round asking for trials at the same moment; every study holds an
    interrupted trial first (it does not count). Each ends at its budget exactly."""
    storage = open_storage(url, None)
    for i, budget in enumerate(ROUNDS):
        round_ = folder / f"round{i}"
        round_.mkdir(parents=True)
        (round_ / "budget").write_text(str(budget))
        study = optuna.create_study(study_name=round_.name, storage=storage)
        killed = study.ask()  # a trial its worker never finished: interrupted
        study.tell(killed, state=TrialState.FAIL)
    workers = [subprocess.Popen([sys.executable, "-c", WORKERS, url, str(folder), name])
               for name in ("a", "b")]
    try:
        for i in range(len(ROUNDS)):
            round_ = folder / f"round{i}"
            deadline = time.monotonic() + 60
            while not all((round_ / f"ready-{n}").exists() for n in "ab"):
                assert all(w.poll() is None for w in workers), "a worker ended early"
                assert time.monotonic() < deadline, "the workers never got ready"
                time.sleep(0.005)
            (round_ / "go").touch()  # both ask at once
        assert [w.wait(120) for w in workers] == [0, 0]
    finally:
        for worker in workers:
            worker.kill()
    found = []
    for i, budget in enumerate(ROUNDS):
        trials = optuna.load_study(study_name=f"round{i}", storage=storage).trials
        assert sorted(t.number for t in trials) == list(range(len(trials)))
        found.append((budget, sum(counts(t) for t in trials), len(trials)))
        assert all(t.state.name in ("COMPLETE", "FAIL") for t in trials)
    assert found == [(b, b, b + 1) for b in ROUNDS]  # + the interrupted one


def test_two_workers_stop_at_the_budget_exactly_on_sqlite(tmp_path):
    two_workers_race(f"sqlite:///{tmp_path / 's.db'}", tmp_path / "rounds")


@pytest.fixture(scope="module")
def postgres_url():
    sys.path.insert(0, str(Path(__file__).parent))
    from postgres_server import PostgresUnavailable, start_server

    try:
        server = start_server("workbench_budget")
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server here: {exc}")
    yield server.url
    server.stop()


def test_two_workers_stop_at_the_budget_exactly_on_postgresql(tmp_path, postgres_url):
    two_workers_race(postgres_url, tmp_path / "rounds")


def test_a_waiting_trial_starts_only_within_the_budget(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(study_name="s", storage=open_storage(url, None))
    study.optimize(lambda t: 1.0, n_trials=2)
    study.enqueue_trial({})  # e.g. --retry-failed re-queued a killed trial
    limited = optuna.load_study(study_name="s", storage=batch_trial_writes(
        open_storage(url, None), budget=2))
    from workbench.search.budget import optimize_within_budget

    optimize_within_budget(limited, lambda t: 1.0)
    assert [t.state.name for t in limited.get_trials()] == ["COMPLETE", "COMPLETE", "WAITING"]
