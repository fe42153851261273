"""The trial budget: what ``--trials N`` counts, and the stale trials settled before counting.

``--trials N`` asks for N trials that run to their verdict: COMPLETE, PRUNED, or FAILED by
their own problem (an invalid sample, a loss that became NaN, an error in training; such a
trial records its verdict in the user attribute ``VERDICT_ATTR`` before it ends). A trial
that is interrupted (its worker killed, Ctrl+C, Stop, the parent gone) ends FAILED without a
verdict and does not count: the search runs another trial in its place, now or on
``--resume``. RUNNING trials count while they run (they are on their way to a verdict), so N
workers asking at once never start more than the budget.

The budget is stored with the study (user attribute ``BUDGET_ATTR``): the counted trials when
a search starts plus N. ``--resume`` without ``--trials`` keeps the stored budget (finish what
was asked); ``--resume --trials N`` asks N more than the study counts now. Workers read it and
stop there (``trial_writes.TrialWriteBatcher`` counts and creates a trial in one transaction).

Before counting, ``settle_stale`` fails every stale RUNNING trial: those whose heartbeat
stopped, and at once those tagged (user attribute ``"worker"``, ``host:pid``) by a process
of this host that is gone, so a study resumed seconds after a kill -9 counts right.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from optuna.trial import TrialState

from workbench.processes import process_alive

VERDICT_ATTR = "trial"  # written by the objective before a trial ends with a verdict
BUDGET_ATTR = "trial_budget"
BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
WORKER_ATTR = "worker"  # host:pid of the process running the trial


class BudgetReached(Exception):
    """The study counts its trial budget: no new trial was created."""


def counts(trial: Any) -> bool:
    """Whether ``trial`` (a FrozenTrial) counts toward the budget."""
    return trial.state in BUDGET_STATES or (trial.state == TrialState.FAIL
                                            and VERDICT_ATTR in trial.user_attrs)


def counted_trials(study: Any) -> int:
    """How many trials of ``study`` count toward its budget."""
    return sum(counts(t) for t in study.get_trials(deepcopy=False))


def interrupted(trial: Any) -> bool:
    """A FAILED trial that ended without a verdict (killed, stopped, its worker gone)."""
    return trial.state == TrialState.FAIL and VERDICT_ATTR not in trial.user_attrs


def set_budget(study: Any, n_trials: int | None) -> int:
    """Store and return the study's budget: the trials it counts now plus ``n_trials``, or
    (``n_trials`` None) the budget it already stores. Settle stale trials first."""
    from workbench.search.errors import SearchError

    if n_trials is None:
        stored = study.user_attrs.get(BUDGET_ATTR)
        if not isinstance(stored, int):
            raise SearchError(f"study '{study.study_name}' stores no trial budget; give "
                              f"--trials N to run N more trials")
        return stored
    budget = counted_trials(study) + n_trials
    study.set_user_attr(BUDGET_ATTR, budget)
    return budget


def optimize_within_budget(study: Any, objective: Any, poll: float = 1.0,
                           **optimize: Any) -> None:
    """``study.optimize(objective, **optimize)`` that ends when the storage refuses a new
    trial because the study counts its trial budget (``BudgetReached``: a storage from
    ``trial_writes.batch_trial_writes(storage, budget)``), as when ``n_trials`` or the
    timeout ends.

    At the budget while other processes' trials still run, it waits (``poll`` seconds, with
    ``settle_stale``) and runs a trial in the place of any that ends interrupted, so a study
    reaches its budget whenever one worker is left.
    """
    timeout = optimize.pop("timeout", None)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return
        try:
            study.optimize(objective, timeout=left, **optimize)
            return  # n_trials or the timeout ended it
        except BudgetReached:
            pass
        while True:
            settle_stale(study, wait_untagged=0)
            if not study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                return
            if counted_trials(study) < stored_budget(study):
                break  # one ended without a verdict: run one in its place
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(poll)


def stored_budget(study: Any) -> int:
    """The budget the storage keeps (``TrialWriteBatcher.budget``), else the stored one."""
    from workbench.search import optuna_internals as internals

    budget = getattr(internals.storage_of(study), "budget", None)
    if isinstance(budget, int):
        return budget
    stored = study.user_attrs.get(BUDGET_ATTR)
    return stored if isinstance(stored, int) else 0


def settle_stale(study: Any, wait_untagged: float | None = None) -> list[int]:
    """Fail the study's stale RUNNING trials; return their numbers.

    Stale: the heartbeat stopped (Optuna's ``fail_stale_trials``), or the trial's ``"worker"``
    tag names a process of this host that is gone (failed at once, with a ``"problem"``).
    Trials of live processes and of other hosts with a live heartbeat are left running. An
    untagged RUNNING trial (its process died before it drew its sample) is waited for, up to
    ``wait_untagged`` seconds (default: the storage's grace period), until it is tagged,
    finished or stale.
    """
    import warnings

    import optuna

    from workbench.search import optuna_internals as internals

    storage = internals.storage_of(study)
    settled: list[int] = []
    host = socket.gethostname()
    interval = getattr(storage, "get_heartbeat_interval", lambda: None)()
    if wait_untagged is None:
        backend = getattr(storage, "backend", storage)
        grace = getattr(backend, "grace_period", None) or 2 * (interval or 0)
        wait_untagged = float(grace + 2) if interval else 0.0
    deadline = time.monotonic() + wait_untagged
    while True:
        before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        settled += sorted({t.number for t in study.get_trials(
            deepcopy=False, states=(TrialState.FAIL,))} - before - set(settled))
        untagged = []
        for trial in running:
            tag = trial.user_attrs.get(WORKER_ATTR)
            if not isinstance(tag, str):
                untagged.append(trial.number)
                continue
            where, _, pid = tag.rpartition(":")
            if where != host or not pid.isdigit() or process_alive(int(pid)):
                continue
            trial_id = internals.trial_id_of(trial)
            try:
                storage.set_trial_user_attr(trial_id, "problem",
                                            f"interrupted: its process (pid {pid}) ended "
                                            f"before the trial did")
                if storage.set_trial_state_values(trial_id, TrialState.FAIL):
                    settled.append(trial.number)
            except optuna.exceptions.UpdateFinishedTrialError:
                pass  # it finished meanwhile
        if not untagged or time.monotonic() >= deadline:
            return sorted(settled)
        time.sleep(1.0)


