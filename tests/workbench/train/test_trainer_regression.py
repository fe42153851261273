"""The trainer on a regression dataset: task metrics per epoch, best epoch on MAE, summary."""

from __future__ import annotations

import pytest

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.graph.templates import mlp
from workbench.train.callbacks import FunctionCallback
from workbench.train.config import TrainConfig
from workbench.train.events import BatchEnd, RunStarted
from workbench.train.trainer import Trainer


@pytest.fixture(scope="module")
def linear():
    return load_dataset({"name": "noisy_linear", "options": {"n_samples": 240, "noise": 0.3}})


def regression_net(dataset):
    spec = mlp(dataset.input_shape[0], hidden=(16,), num_classes=1)
    return fit_graph_to_dataset(spec, dataset.input_shape, dataset.input_dtype, 1,
                                task="regression")


def cfg(**kw):
    return TrainConfig(**{"epochs": 12, "batch_size": 32, "lr": 0.01, "device": "cpu", **kw})


def test_regression_run_reports_errors_in_target_units(linear):
    events = []
    trainer = Trainer(regression_net(linear), linear, cfg(),
                      callbacks=[FunctionCallback(events.append)])
    summary = trainer.fit()
    assert summary["task"] == "regression"
    assert summary["val_accuracy"] is None and summary["train_accuracy"] is None
    assert summary["val_r2"] > 0.8
    std = linear.preprocessing["target_scaling"]["std"]
    assert summary["val_mae"] <= summary["val_rmse"] < std  # original units, better than mean
    for record in trainer.history:
        assert {"train_mae", "val_mae", "val_rmse", "val_r2", "val_loss"} <= set(record)
        assert record["val_accuracy"] is None
    started = next(e for e in events if isinstance(e, RunStarted))
    assert started.task == "regression" and started.target == "y"
    assert started.config["loss"] == "auto"
    assert all(e.accuracy is None for e in events if isinstance(e, BatchEnd))


def test_best_epoch_follows_validation_mae(linear):
    trainer = Trainer(regression_net(linear), linear, cfg(monitor="val_mae", epochs=6, lr=0.05))
    summary = trainer.fit()
    maes = [h["val_mae"] for h in trainer.history]
    assert summary["best_epoch"] == maes.index(min(maes)) + 1
    assert summary["val_mae"] == min(maes)


def test_health_checks_are_told_the_task(linear, monkeypatch):
    seen = {}

    def check_run(history, context):
        seen.update(context)
        return []

    import workbench.train.health as health

    monkeypatch.setattr(health, "check_run", check_run)
    Trainer(regression_net(linear), linear, cfg(epochs=1)).fit()
    assert seen["task"] == "regression"


def test_settings_for_the_wrong_task_fail_before_training(linear):
    with pytest.raises(ValueError, match="val_accuracy"):
        Trainer(regression_net(linear), linear, cfg(monitor="val_accuracy")).fit()
    with pytest.raises(ValueError, match="cross_entropy"):
        Trainer(regression_net(linear), linear, cfg(loss="cross_entropy")).fit()


def test_classification_summary_says_so(spec, moons):
    summary = Trainer(spec, moons, cfg(epochs=1)).fit()
    assert summary["task"] == "classification" and "val_mae" not in summary
    assert 0.0 <= summary["val_accuracy"] <= 1.0
