"""Fewer, cheaper storage writes per trial: no per-epoch reports without a pruner, and SQLite
studies in WAL mode (tune_sqlite)."""

from __future__ import annotations

import optuna
import pytest

from workbench.search.pruning import TrialPruningCallback
from workbench.search.sqlite_tuning import journal_mode, tune_sqlite
from workbench.train.callbacks import RunControl
from workbench.train.events import EpochEnd


def epoch_end(epoch: int, value: float) -> EpochEnd:
    return EpochEnd(epoch=epoch, metrics={"val_accuracy": value})


def run_epochs(pruner, epochs=3):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    trial = study.ask()
    callback = TrialPruningCallback(trial, "val_accuracy", RunControl())
    for epoch in range(epochs):
        callback.on_event(epoch_end(epoch, 0.5))
    return study._storage.get_trial(trial._trial_id), callback


def test_no_pruner_no_reports_but_epochs_counted():
    frozen, callback = run_epochs(optuna.pruners.NopPruner())
    assert frozen.intermediate_values == {} and callback.epochs == 3
    assert callback.pruned_at is None


def test_a_pruner_gets_every_epoch():
    frozen, callback = run_epochs(optuna.pruners.MedianPruner(n_startup_trials=5))
    assert frozen.intermediate_values == {1: 0.5, 2: 0.5, 3: 0.5} and callback.epochs == 3


def test_tune_sqlite_sets_wal_and_keeps_the_study(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    storage = optuna.storages.RDBStorage(url)
    assert journal_mode(storage) == "delete"
    assert tune_sqlite(storage) is True
    assert journal_mode(storage) == "wal"
    with storage.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    study = optuna.create_study(storage=storage, study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    reopened = optuna.load_study(study_name="s", storage=url)  # another connection reads it
    assert len(reopened.trials) == 3


def test_tune_sqlite_full_sync_and_bad_value(tmp_path):
    storage = optuna.storages.RDBStorage(f"sqlite:///{tmp_path / 's.db'}")
    assert tune_sqlite(storage, synchronous="FULL") is True
    with storage.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with pytest.raises(ValueError, match="synchronous must be one of NORMAL, FULL"):
        tune_sqlite(storage, synchronous="OFF")


def test_tune_sqlite_leaves_other_storages():
    assert tune_sqlite(optuna.storages.InMemoryStorage()) is False
