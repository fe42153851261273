"""Fewer storage round trips per trial: a trial's sampled parameters written in one
transaction, and the trial this process runs read from memory instead of the database.

Optuna's RDB storage commits every ``suggest`` (about ten per trial here) and reads the whole
trial back three times per trial (when the trial object is made, before ``tell``, after it).
``TrialWriteBatcher`` wraps the RDB storage the way Optuna's own ``_CachedStorage`` does and

- keeps the parameters a trial draws in memory until that trial's next write of any other
  kind; then they are written together with it, in the same transaction where that write is a
  user attribute (every trial of a search writes its ``"trial"`` attribute before it ends), in
  one transaction of their own before other writes;
- answers "which trials are WAITING?" (asked before every trial) with one query, not a
  refresh of every unfinished trial;
- answers ``get_trial`` for a RUNNING trial this process created and runs from its own copy
  (every write of this process updates it), and once it has finished from that copy with the
  state and values written (as Optuna's cache keeps finished trials); other processes' trials
  are read as before.

With a ``budget`` it also keeps a study with several workers at its trial budget exactly
(``budget.py`` says what counts: trials COMPLETE, PRUNED or RUNNING, and FAILED ones that
recorded their own problem; an interrupted trial does not count). A trial is created, or a
WAITING one started, only while the study counts fewer than ``budget``; the count and the
creation (or the start) are one transaction that first locks the study's row (an UPDATE of
it: SQLite's write lock, PostgreSQL's row lock), so workers on any machine take turns. Past
the budget ``create_new_trial`` raises ``BudgetReached`` (``budget.optimize_within_budget``
ends the loop on it).

``flush(trial_id)`` writes them at once: ``runner.TrialObjective`` does so as soon as the sample
is valid, before training, so other processes (the app's table) see a running trial's
parameters, all together, and a worker killed while training leaves them in the study. Crash
safety otherwise as Optuna's cached storage documents it: parameters drawn but not yet written
are lost when the process dies; its trial is FAILED by the heartbeat.

Optuna's private internals are reached through ``optuna_internals`` only.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from optuna.storages import RDBStorage
from optuna.trial import TrialState

from workbench.search import optuna_internals as internals
from workbench.search.budget import BUDGET_STATES, VERDICT_ATTR, BudgetReached

__all__ = ["BudgetReached", "TrialWriteBatcher", "batch_trial_writes"]
Pending = list[tuple[str, float, Any, Any]]  # (name, internal value, distribution, previous)


class TrialWriteBatcher(internals.CachedStorage):
    """An RDB storage for ``optuna.create_study``/``load_study`` that batches each trial's
    parameter writes and serves this process's running trials from memory; ``budget``: the
    most trials the study may count (``budget.py``)."""

    def __init__(self, backend: RDBStorage, budget: int | None = None) -> None:
        super().__init__(backend)
        self.budget = budget
        self._pending: dict[int, Pending] = {}  # trial id -> parameters not yet written
        self._own: dict[int, Any] = {}  # trial id -> this process's running trial (FrozenTrial)
        self._own_lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.backend.url

    # trials this process creates --------------------------------------------------------
    def create_new_trial(self, study_id: int, template_trial: Any = None) -> int:
        if template_trial is None and self.budget is not None:
            self._lock_study_within_budget(study_id)  # held until the trial is committed
        trial_id = super().create_new_trial(study_id, template_trial)
        if template_trial is None:  # a RUNNING trial this process is about to run
            with self.cache_lock:
                created = self.cached_trial(trial_id)[2]
            if created is not None and created.state == TrialState.RUNNING:
                with self._own_lock:
                    self._own[trial_id] = copy.deepcopy(created)
        return trial_id

    def _lock_study_within_budget(self, study_id: int) -> None:
        """Lock the study's row in the session Optuna creates (or starts) the trial in next
        (the same thread-local session, so the lock lasts until that commit); BudgetReached,
        with the lock released, when the study counts ``budget`` trials."""
        session = internals.scoped_session(self.backend)()
        try:
            internals.lock_study_row(session, study_id)
            held = internals.count_trials(session, study_id, BUDGET_STATES, VERDICT_ATTR)
        except BaseException:
            session.rollback()
            session.close()
            raise
        if held >= self.budget:
            session.rollback()
            session.close()
            raise BudgetReached(f"the study counts {held} trials, its budget is {self.budget}")

    def get_trial(self, trial_id: int) -> Any:
        with self._own_lock:
            own = self._own.get(trial_id)
            if own is not None:
                return copy.deepcopy(own)
        return super().get_trial(trial_id)

    def get_all_trials(self, study_id: int, deepcopy: bool = True,
                       states: Any = None) -> list[Any]:
        """As Optuna's; asked for WAITING trials only (``Study.ask`` does so before every
        trial, to run an enqueued one first), one cheap query says there are none instead of
        bringing the whole cache up to date."""
        if states is not None and tuple(states) == (TrialState.WAITING,) \
                and not self._has_waiting(study_id):
            return []
        return super().get_all_trials(study_id, deepcopy, states)

    def _has_waiting(self, study_id: int) -> bool:
        return internals.has_waiting_trial(self.backend, study_id)

    def set_trial_param(self, trial_id: int, param_name: str, param_value_internal: float,
                        distribution: Any) -> None:
        from optuna.distributions import check_distribution_compatibility

        with self._own_lock:
            own = self._own.get(trial_id)
        if own is None:  # not ours, or not running here: written at once, as Optuna does
            super().set_trial_param(trial_id, param_name, param_value_internal, distribution)
            return
        with self.cache_lock:
            study_id = self.cached_trial(trial_id)[0]
            previous = self.known_distributions(study_id).get(param_name)
        if previous is not None:  # refused at the suggest call, as the database would
            check_distribution_compatibility(previous, distribution)
        with self._own_lock:
            self._pending.setdefault(trial_id, []).append(
                (param_name, param_value_internal, distribution, previous))
            own.distributions = {**own.distributions, param_name: distribution}
            own.params = {**own.params,
                          param_name: distribution.to_external_repr(param_value_internal)}

    # every other write of a trial first writes its pending parameters ---------------------
    def flush(self, trial_id: int | None = None) -> None:
        """Write the pending parameters of ``trial_id`` (None: of every trial)."""
        with self._own_lock:
            ids = list(self._pending) if trial_id is None else [trial_id]
        for one in ids:
            self._write(one, None)

    def _write(self, trial_id: int, attr: tuple[str, Any] | None) -> None:
        """The pending parameters of ``trial_id`` and, if given, the user attribute
        ``attr`` = (key, value), in one transaction."""
        with self._own_lock:
            pending = self._pending.pop(trial_id, [])
        if not pending and attr is None:
            return
        backend = self.backend
        try:
            with internals.create_scoped_session(internals.scoped_session(backend),
                                                 True) as session:
                internals.updatable_trial_row(backend, session, trial_id)
                for name, value, distribution, previous in pending:
                    internals.add_param(backend, session, trial_id, name, value,
                                        distribution, previous)
                if attr is not None:
                    internals.add_user_attr(backend, session, trial_id, *attr)
        except Exception:
            self._forget(trial_id)
            raise
        if not pending:
            return
        with self.cache_lock:
            known = self.known_distributions(self.cached_trial(trial_id)[0])
            for name, _value, distribution, _previous in pending:
                known.setdefault(name, distribution)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._write(trial_id, (key, value))
        self._update(trial_id, lambda t: setattr(t, "user_attrs", {**t.user_attrs,
                                                                    key: value}))

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.flush(trial_id)
        self._guarded(trial_id, super().set_trial_system_attr, trial_id, key, value)
        self._update(trial_id, lambda t: t.system_attrs.__setitem__(key, value))

    def set_trial_intermediate_value(self, trial_id: int, step: int,
                                     intermediate_value: float) -> None:
        self.flush(trial_id)
        self._guarded(trial_id, super().set_trial_intermediate_value, trial_id, step,
                      intermediate_value)
        self._update(trial_id, lambda t: setattr(t, "intermediate_values", {
            **t.intermediate_values, step: intermediate_value}))

    def set_trial_state_values(self, trial_id: int, state: TrialState,
                               values: Any = None) -> bool:
        from datetime import datetime

        self.flush(trial_id)
        if state == TrialState.RUNNING and self.budget is not None:  # a WAITING trial starts
            with self.cache_lock:
                study_id = self.cached_trial(trial_id)[0]
            self._lock_study_within_budget(study_id)
        try:
            done = super().set_trial_state_values(trial_id, state, values)
        except BaseException:
            self._forget(trial_id)
            raise
        with self._own_lock:
            own = self._own.pop(trial_id, None)
            self._pending.pop(trial_id, None)
        if done and own is not None and state.is_finished():  # as written: not read back
            own.state, own.values = state, values
            own.datetime_complete = datetime.now()  # the database's differs by microseconds
            with self.cache_lock:
                self.replace_cached_trial(trial_id, own)
        return done

    def _guarded(self, trial_id: int, write: Any, *args: Any) -> None:
        try:
            write(*args)
        except Exception:
            self._forget(trial_id)
            raise

    def _update(self, trial_id: int, change: Any) -> None:
        with self._own_lock:
            own = self._own.get(trial_id)
            if own is not None:
                change(own)

    def _forget(self, trial_id: int) -> None:
        with self._own_lock:
            self._own.pop(trial_id, None)
            self._pending.pop(trial_id, None)


def batch_trial_writes(storage: Any, budget: int | None = None) -> Any:
    """``storage`` (an Optuna RDBStorage, as ``study.open_storage`` returns it) wrapped in a
    ``TrialWriteBatcher`` (with the trial ``budget``); any other storage as it is."""
    if isinstance(storage, RDBStorage):
        return TrialWriteBatcher(storage, budget)
    return storage
