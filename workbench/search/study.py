"""Where a study lives: Optuna's RDB storage (SQLite in the project folder by default) with a
heartbeat, so the trial of a worker killed mid-training is marked FAILED by the next process
that opens the study (Optuna 5's heartbeat-stale callbacks; ``failed_trial_callback`` is
deprecated there)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from workbench.search.errors import SearchError


def default_storage_url(project_dir: str | Path, study: str) -> str:
    """``sqlite:///<project>/search/<study>.db`` (the folder is created; see
    :mod:`workbench.search.study_location`)."""
    from workbench.search.study_location import check_study_name, sqlite_url, study_file

    path = study_file(project_dir, check_study_name(study))
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_url(path)


def open_storage(url: str, heartbeat_interval: int | None = 10,
                 grace_period: int | None = None, retry_stale: int = 0) -> Any:
    """An RDBStorage with a heartbeat; SearchError with one line when it cannot be opened
    (unreachable server, missing driver, a file that is not a study database).

    ``heartbeat_interval`` None: no heartbeat (reading a study). ``retry_stale`` > 0 re-queues a dead worker's trial (with the same parameters) up to that
    many times; 0 leaves it FAILED.
    """
    import optuna

    from workbench.search.sqlite_tuning import tune_sqlite

    callback = (optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=retry_stale)
                if retry_stale > 0 else None)
    try:
        for attempt in range(3):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                    storage = optuna.storages.RDBStorage(
                        driver_url(url), heartbeat_interval=heartbeat_interval,
                        grace_period=grace_period, heartbeat_stale_trial_callback=callback,
                        engine_kwargs=engine_kwargs(url))
                break
            except Exception as exc:  # another process created the tables at the same moment
                if not _schema_race(exc) or attempt == 2:
                    raise
                time.sleep(0.5)
        tune_sqlite(storage)  # SQLite: WAL, no fsync per commit (sqlite_tuning.py)
        return storage
    except ImportError as exc:  # Optuna's message for a missing database driver
        raise SearchError(f"the study storage {_safe(url)} needs a database driver that is "
                          f"not installed (for PostgreSQL: pip install 'psycopg[binary]')"
                          ) from exc
    except Exception as exc:  # a foreign library's many failure types, all one message
        raise SearchError(f"cannot open the study storage {_safe(url)}: "
                          f"{_first_line(exc)}") from exc


def _schema_race(exc: BaseException) -> bool:
    """Whether ``exc`` is another process creating the study tables at the same moment
    ("table ... already exists", or both writing the schema version)."""
    text = str(exc)
    return "already exists" in text or "alembic_version" in text


def driver_url(url: str) -> str:
    """``postgresql://`` as ``postgresql+psycopg://``: the driver the Workbench depends on
    (SQLAlchemy's default for the bare scheme differs between its versions)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def engine_kwargs(url: str) -> dict[str, Any] | None:
    """SQLite: writers from several processes wait up to 30 s for the database lock (the
    driver's default, 5 s, is not enough for several workers). PostgreSQL: an unreachable
    server is reported after 10 s instead of the system's TCP timeout."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    if url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": 10}}
    return None


def load_existing(url: str, name: str) -> Any:
    """Study ``name`` of storage ``url`` without a heartbeat (reading it, or its attributes);
    SearchError naming the studies there when it is missing."""
    import optuna

    storage = open_storage(url, None)
    names = _study_names(storage)
    if name not in names:
        raise SearchError(f"no study '{name}' in {_safe(url)} (studies: "
                          f"{', '.join(names) or 'none'})")
    return optuna.load_study(study_name=name, storage=storage)


def open_study(storage: Any, name: str, directions: list[str], sampler: Any, pruner: Any,
               resume: bool, user_attrs: dict[str, Any] | None = None) -> Any:
    """Create study ``name`` (SearchError if it exists and not ``resume``) or load it to
    continue (SearchError if missing or its objectives differ). Stale trials of dead workers
    are failed at once.

    A new study records its pruner (``pruning.pruner_config``, user attribute "pruner"); a
    resumed one keeps it (``kept_pruner``): ``pruner`` None (no ``--pruner``) or the same kind
    takes the stored one, parameters included; another kind (``none`` included) is refused.
    Studies from before this attribute use ``pruner`` as given; None means no pruning.
    """
    import optuna

    from workbench.search.pruning import PRUNER_ATTR, pruner_config

    exists = name in _study_names(storage)
    if exists and not resume:
        raise SearchError(f"study '{name}' already exists in {_safe(storage.url)}; use --resume "
                          f"to continue it or --study NAME for a new one")
    if resume and not exists:
        raise SearchError(f"no study '{name}' to resume in {_safe(storage.url)} (studies: "
                          f"{', '.join(_study_names(storage)) or 'none'})")
    if exists:
        pruner = kept_pruner(storage, name, pruner)
    if pruner is None:  # not Optuna's default (a median pruner): none asked, none stored
        pruner = optuna.pruners.NopPruner()
    try:
        study = optuna.create_study(storage=storage, study_name=name, sampler=sampler,
                                    pruner=pruner, directions=directions, load_if_exists=True)
    except Exception as exc:
        raise SearchError(f"cannot open study '{name}': {_first_line(exc)}") from exc
    found = [d.name.lower() for d in study.directions]
    if found != directions:
        raise SearchError(f"study '{name}' optimizes {found}, but {directions} was asked; "
                          f"resume it with the same objectives")
    if not exists:
        config = pruner_config(study.pruner)
        for key, value in {**(user_attrs or {}),
                           **({PRUNER_ATTR: config} if config else {})}.items():
            study.set_user_attr(key, value)
    fail_stale(study)
    return study


def kept_pruner(storage: Any, name: str, asked: Any) -> Any:
    """The pruner to continue study ``name`` with: the one it stored at creation, unless
    ``asked`` is another kind (SearchError naming both) or a pruner that is not one of the
    named kinds (a test's own: used as given). A study without a stored pruner: ``asked``."""
    from workbench.search.pruning import (
        PRUNER_ATTR,
        describe_pruner,
        pruner_config,
        pruner_from_config,
    )

    try:
        attrs = storage.get_study_user_attrs(storage.get_study_id_from_name(name))
    except Exception as exc:
        raise SearchError(f"cannot read study '{name}': {_first_line(exc)}") from exc
    stored = attrs.get(PRUNER_ATTR)
    if not isinstance(stored, dict):
        return asked
    wanted = None if asked is None else pruner_config(asked)
    if asked is not None and wanted is None:
        return asked
    if wanted is not None and wanted["kind"] != stored.get("kind"):
        raise SearchError(f"study '{name}' was created with pruner {describe_pruner(stored)}, "
                          f"but pruner {describe_pruner(wanted)} was asked; a study keeps its "
                          f"pruner (its rungs hold the trials so far): resume with --pruner "
                          f"{stored.get('kind')} (or no --pruner), or start a new study with --study "
                          f"NAME")
    try:
        return pruner_from_config(stored)
    except (ValueError, TypeError) as exc:
        raise SearchError(f"study '{name}' records a pruner this Workbench cannot rebuild "
                          f"({stored!r}): {exc}") from None


def fail_stale(study: Any) -> None:
    """Mark RUNNING trials whose heartbeat stopped (a killed worker) FAILED."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def _study_names(storage: Any) -> list[str]:
    try:
        return [s.study_name for s in storage.get_all_studies()]
    except Exception as exc:
        raise SearchError(f"cannot read the study storage {_safe(storage.url)}: "
                          f"{_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url
