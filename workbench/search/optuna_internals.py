"""Every use of Optuna's private internals, in one place, for the Optuna minor version that
pyproject pins (``TESTED_OPTUNA``).

The search needs a few things Optuna keeps private: the cached storage it wraps RDB storages
in (``storages._cached_storage._CachedStorage``, the base of ``trial_writes.TrialWriteBatcher``,
with its cache of trials), the RDB storage's table models and write-without-commit helpers
(a trial's parameters, a user attribute and the trial budget's count in one transaction),
``Study._storage`` / ``Study._study_id`` / ``Trial._trial_id``, and the parameters a pruner
was built with (``MedianPruner._n_startup_trials`` ...: a study stores its pruner as JSON).
Nothing else in the Workbench touches a name that starts with ``_`` on an Optuna object.

``contract_problems()`` checks every one of them against the installed Optuna and says, per
name, what changed; tests/workbench/search/test_optuna_internals.py fails with that list. To
move to a new Optuna: install it, run that test and the search suite, adapt this module, then
raise ``TESTED_OPTUNA`` and the pin in pyproject.toml together.
"""

from __future__ import annotations

import inspect
from typing import Any

import optuna
from optuna.storages import RDBStorage
from optuna.storages._cached_storage import _CachedStorage
from optuna.storages._rdb import models
from optuna.storages._rdb.storage import _create_scoped_session
from optuna.trial import FrozenTrial, TrialState

TESTED_OPTUNA = "5.1"  # the minor version these internals were read from (pyproject pins it)

create_scoped_session = _create_scoped_session  # (scoped_session, ignore_integrity_error)


def installed_minor() -> str:
    """``major.minor`` of the installed Optuna."""
    return ".".join(optuna.__version__.split(".")[:2])


# --- studies and trials -----------------------------------------------------------------

def storage_of(study: Any) -> Any:
    """The storage a study reads and writes through (``Study._storage``)."""
    return study._storage


def study_id_of(study: Any) -> int:
    """The storage's id of ``study`` (``Study._study_id``)."""
    return study._study_id


def trial_id_of(trial: Any) -> int:
    """The storage's id of ``trial``, a Trial or a FrozenTrial (``_trial_id``)."""
    return trial._trial_id


def pruner_parameter(pruner: Any, name: str) -> Any:
    """The constructor argument ``name`` a built-in pruner keeps as ``_<name>``."""
    return getattr(pruner, f"_{name}")


def hyperband_bracket(pruner: Any, study: Any, trial: Any) -> int | None:
    """The Hyperband bracket ``trial`` belongs to; None for another pruner or a Hyperband
    pruner that has not judged a trial yet (``_pruners``, ``_get_bracket_id``)."""
    if not isinstance(pruner, optuna.pruners.HyperbandPruner) or not pruner._pruners:
        return None
    return pruner._get_bracket_id(study, trial)


# --- the cached storage -----------------------------------------------------------------

class CachedStorage(_CachedStorage):
    """Optuna's cached wrapper of an RDB storage, with its private state behind methods."""

    @property
    def backend(self) -> RDBStorage:
        """The wrapped RDB storage."""
        return self._backend

    @property
    def cache_lock(self) -> Any:
        """The lock that guards the cache."""
        return self._lock

    def cached_trial(self, trial_id: int) -> tuple[int, int, FrozenTrial | None]:
        """(study id, trial number, the cached FrozenTrial or None); call under cache_lock."""
        study_id, number = self._trial_id_to_study_id_and_number[trial_id]
        return study_id, number, self._studies[study_id].trials.get(number)

    def replace_cached_trial(self, trial_id: int, trial: FrozenTrial) -> None:
        """Put ``trial`` in the cache as the finished trial ``trial_id``; under cache_lock."""
        study_id, number = self._trial_id_to_study_id_and_number[trial_id]
        self._studies[study_id].trials[number] = trial

    def known_distributions(self, study_id: int) -> dict[str, Any]:
        """The study's parameter distributions the cache knows (a live dict); under
        cache_lock."""
        return self._studies[study_id].param_distribution


# --- the RDB storage's tables -----------------------------------------------------------

def scoped_session(backend: RDBStorage) -> Any:
    """The RDB storage's thread-local SQLAlchemy session factory."""
    return backend.scoped_session


def lock_study_row(session: Any, study_id: int) -> None:
    """Lock study ``study_id``'s row until ``session`` commits or rolls back (an UPDATE of it:
    SQLite's write lock, PostgreSQL's row lock)."""
    import sqlalchemy

    study = models.StudyModel
    session.execute(sqlalchemy.update(study).where(study.study_id == study_id)
                    .values(study_name=study.study_name))


def count_trials(session: Any, study_id: int, states: tuple[TrialState, ...],
                 failed_with_attr: str | None = None) -> int:
    """How many trials of ``study_id`` are in ``states``, plus (with ``failed_with_attr``)
    the FAILED ones that hold the user attribute of that name."""
    import sqlalchemy

    trial, attr = models.TrialModel, models.TrialUserAttributeModel
    counted = trial.state.in_(states)
    if failed_with_attr is not None:
        has_attr = sqlalchemy.exists().where(attr.trial_id == trial.trial_id,
                                             attr.key == failed_with_attr)
        counted = sqlalchemy.or_(counted, sqlalchemy.and_(trial.state == TrialState.FAIL,
                                                          has_attr))
    return session.execute(sqlalchemy.select(sqlalchemy.func.count(trial.trial_id))
                           .where(trial.study_id == study_id, counted)).scalar_one()


def has_waiting_trial(backend: RDBStorage, study_id: int) -> bool:
    """Whether study ``study_id`` holds a WAITING trial (one query)."""
    import sqlalchemy

    trial = models.TrialModel
    with _create_scoped_session(backend.scoped_session) as session:
        return session.execute(
            sqlalchemy.select(trial.trial_id).where(
                trial.study_id == study_id, trial.state == TrialState.WAITING).limit(1)
        ).first() is not None


def updatable_trial_row(backend: RDBStorage, session: Any, trial_id: int) -> Any:
    """Trial ``trial_id``'s row; Optuna's UpdateFinishedTrialError if it has finished."""
    trial = models.TrialModel.find_or_raise_by_id(trial_id, session)
    backend.check_trial_is_updatable(trial_id, trial.state)
    return trial


def add_param(backend: RDBStorage, session: Any, trial_id: int, name: str, value: float,
              distribution: Any, previous: Any) -> None:
    """Add a parameter to ``session`` (no commit). ``previous`` None: the study's first use
    of ``name``, checked against the database by Optuna; else added as it is."""
    from optuna.distributions import distribution_to_json

    if previous is None:
        backend._set_trial_param_without_commit(session, trial_id, name, value, distribution,
                                                previous)
        return
    session.add(models.TrialParamModel(trial_id=trial_id, param_name=name, param_value=value,
                                       distribution_json=distribution_to_json(distribution)))


def add_user_attr(backend: RDBStorage, session: Any, trial_id: int, key: str,
                  value: Any) -> None:
    """Set a trial's user attribute in ``session`` (no commit)."""
    backend._set_trial_attr_without_commit(session, models.TrialUserAttributeModel, trial_id,
                                           key, value)


# --- the contract -----------------------------------------------------------------------

_SIGNATURES = {  # callable -> the parameter names this module passes, in order
    "RDBStorage._set_trial_param_without_commit": (
        lambda: RDBStorage._set_trial_param_without_commit,
        ("self", "session", "trial_id", "param_name", "param_value_internal", "distribution",
         "previous_distribution")),
    "RDBStorage._set_trial_attr_without_commit": (
        lambda: RDBStorage._set_trial_attr_without_commit,
        ("self", "session", "model_cls", "trial_id", "key", "value")),
    "RDBStorage.check_trial_is_updatable": (
        lambda: RDBStorage.check_trial_is_updatable, ("self", "trial_id", "trial_state")),
    "storages._rdb.storage._create_scoped_session": (
        lambda: _create_scoped_session, ("scoped_session", "ignore_integrity_error")),
    "models.TrialModel.find_or_raise_by_id": (
        lambda: models.TrialModel.find_or_raise_by_id, ("trial_id", "session", "for_update")),
    "_CachedStorage.__init__": (lambda: _CachedStorage.__init__, ("self", "backend")),
    "HyperbandPruner._get_bracket_id": (
        lambda: optuna.pruners.HyperbandPruner._get_bracket_id, ("self", "study", "trial")),
}
_COLUMNS = {
    "StudyModel": ("study_id", "study_name"),
    "TrialModel": ("trial_id", "study_id", "number", "state"),
    "TrialParamModel": ("trial_id", "param_name", "param_value", "distribution_json"),
    "TrialUserAttributeModel": ("trial_id", "key", "value_json"),
}
PRUNER_PARAMETERS = {  # pruner class name -> constructor arguments kept as _<name>
    "MedianPruner": ("n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"),
    "SuccessiveHalvingPruner": ("min_resource", "reduction_factor", "min_early_stopping_rate",
                                "bootstrap_count"),
    "HyperbandPruner": ("min_resource", "max_resource", "reduction_factor", "bootstrap_count"),
}
_CACHED_METHODS = ("create_new_trial", "get_trial", "get_all_trials", "set_trial_param",
                   "set_trial_user_attr", "set_trial_system_attr",
                   "set_trial_intermediate_value", "set_trial_state_values")


def contract_problems() -> list[str]:
    """What differs, in the installed Optuna, from the internals this module uses: one line
    per changed name; empty when all of them are as ``TESTED_OPTUNA`` has them."""
    problems: list[str] = []
    if installed_minor() != TESTED_OPTUNA:
        problems.append(f"Optuna {optuna.__version__} is installed, the internals were checked "
                        f"against {TESTED_OPTUNA}.x (optuna_internals.TESTED_OPTUNA)")
    for name, (get, expected) in _SIGNATURES.items():
        try:
            found = tuple(inspect.signature(get()).parameters)
        except Exception as exc:  # gone or renamed
            problems.append(f"{name}: not found ({type(exc).__name__}: {exc})")
            continue
        if found[:len(expected)] != expected:
            problems.append(f"{name}: parameters {found}, expected {expected}")
    for model, columns in _COLUMNS.items():
        cls = getattr(models, model, None)
        if cls is None:
            problems.append(f"storages._rdb.models.{model}: not found")
            continue
        missing = [c for c in columns if c not in cls.__table__.columns]
        if missing:
            problems.append(f"storages._rdb.models.{model}: no column {', '.join(missing)}")
    for method in _CACHED_METHODS:
        if getattr(_CachedStorage, method, None) is getattr(optuna.storages.BaseStorage,
                                                             method, None):
            problems.append(f"_CachedStorage.{method}: no longer its own (the batcher "
                            f"overrides it on top of the cache's)")
    problems += _live_problems()
    for pruner_name, params in PRUNER_PARAMETERS.items():
        try:
            pruner = getattr(optuna.pruners, pruner_name)()
        except Exception as exc:
            problems.append(f"pruners.{pruner_name}(): {type(exc).__name__}: {exc}")
            continue
        missing = [p for p in params if not hasattr(pruner, f"_{p}")]
        if missing:
            problems.append(f"pruners.{pruner_name}: no attribute "
                            f"{', '.join('_' + p for p in missing)}")
    return problems


def _live_problems() -> list[str]:
    """The attributes read from live objects: a study, a trial and the cache, on an SQLite
    database in memory."""
    problems: list[str] = []
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        backend = RDBStorage("sqlite://")
        cached = CachedStorage(backend)
        study = optuna.create_study(storage=cached)
        trial = study.ask()
    except Exception as exc:
        return [f"a study on CachedStorage(RDBStorage('sqlite://')) fails: "
                f"{type(exc).__name__}: {exc}"]
    finally:
        optuna.logging.set_verbosity(previous)
    checks = {
        "Study._storage": lambda: storage_of(study) is cached,
        "Study._study_id": lambda: isinstance(study_id_of(study), int),
        "Trial._trial_id": lambda: isinstance(trial_id_of(trial), int),
        "FrozenTrial._trial_id": lambda: trial_id_of(study.trials[0]) == trial_id_of(trial),
        "RDBStorage.scoped_session": lambda: callable(scoped_session(backend)),
        "HyperbandPruner._pruners": lambda: isinstance(
            optuna.pruners.HyperbandPruner()._pruners, list),
        "_CachedStorage._backend": lambda: cached.backend is backend,
        "_CachedStorage._lock": lambda: hasattr(cached.cache_lock, "acquire"),
        "_CachedStorage._trial_id_to_study_id_and_number / _studies[...].trials": lambda: (
            cached.cached_trial(trial_id_of(trial))[:2] == (study_id_of(study), 0)),
        "_CachedStorage._studies[...].param_distribution": lambda: isinstance(
            cached.known_distributions(study_id_of(study)), dict),
    }
    for name, check in checks.items():
        try:
            ok = check()
        except Exception as exc:
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        if not ok:
            problems.append(f"{name}: not what it was")
    return problems
