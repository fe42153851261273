"""Per-task epoch metrics: regression errors in the target's original units, settings checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from workbench.data import load_dataset
from workbench.train.config import TrainConfig
from workbench.train.evaluate import evaluate_regression
from workbench.train.task_metrics import (
    ClassificationMetrics,
    RegressionMetrics,
    metrics_for,
    regression_scores,
    settings_error,
)


def test_regression_scores_by_hand():
    truth = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.5, 2.0, 2.0, 4.0])
    scores = regression_scores(pred, truth)
    assert scores["mae"] == pytest.approx(1.5 / 4)
    assert scores["rmse"] == pytest.approx(math.sqrt(1.25 / 4))
    assert scores["r2"] == pytest.approx(1 - 1.25 / 5.0)
    assert regression_scores(np.full(4, truth.mean()), truth)["r2"] == pytest.approx(0.0)
    assert regression_scores(truth, truth)["r2"] == pytest.approx(1.0)
    assert math.isnan(regression_scores(np.zeros(0), np.zeros(0))["mae"])


def test_train_mae_is_accumulated_on_the_device_and_unstandardized():
    keeper = RegressionMetrics("cpu", mean=100.0, std=10.0)
    keeper.start_epoch()
    stat = keeper.add_batch(torch.tensor([[0.5], [1.0]]), torch.tensor([0.0, 0.0]))
    assert isinstance(stat, torch.Tensor)  # no sync in the batch loop
    keeper.add_batch(torch.tensor([[-2.0]]), torch.tensor([0.0]))
    metrics = keeper.train_metrics(seen=3)
    assert metrics["train_mae"] == pytest.approx(10.0 * 3.5 / 3)
    assert metrics["train_accuracy"] is None and keeper.batch_value(stat, 2) is None
    keeper.start_epoch()
    assert keeper.train_metrics(seen=1)["train_mae"] == 0.0


class Shift(torch.nn.Module):
    """Predicts x[:, 0] + 0.1 (standardized units), shape (N, 1)."""

    def forward(self, x):
        return x[:, :1] + 0.1


def test_validation_metrics_are_in_original_units():
    x = torch.tensor([[0.0], [1.0], [-1.0], [2.0]])
    y = torch.tensor([0.2, 1.0, -1.0, 1.5])
    mean, std = 50.0, 4.0
    metrics = RegressionMetrics("cpu", mean, std).val_metrics(Shift(), x, y, None)
    pred = (x[:, 0].numpy() + 0.1) * std + mean
    truth = y.numpy() * std + mean
    assert metrics["val_mae"] == pytest.approx(np.abs(pred - truth).mean(), rel=1e-5)
    assert metrics["val_rmse"] == pytest.approx(np.sqrt(((pred - truth) ** 2).mean()), rel=1e-5)
    r2 = 1 - ((pred - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum()
    assert metrics["val_r2"] == pytest.approx(r2, rel=1e-5)
    assert metrics["val_loss"] == pytest.approx(((x[:, 0] + 0.1 - y) ** 2).mean().item())
    assert metrics["val_accuracy"] is None
    direct = evaluate_regression(Shift(), x, y, (mean, std))
    assert direct["predictions"] == pytest.approx(pred)


def test_metrics_follow_the_dataset_task():
    regression = load_dataset({"name": "noisy_linear", "options": {"n_samples": 60}})
    keeper = metrics_for(regression, "cpu")
    scaling = regression.preprocessing["target_scaling"]
    assert isinstance(keeper, RegressionMetrics)
    assert (keeper.mean, keeper.std) == (scaling["mean"], scaling["std"])
    moons = load_dataset({"name": "moons", "options": {"n_samples": 60}})
    assert isinstance(metrics_for(moons, "cpu"), ClassificationMetrics)


def test_settings_that_do_not_fit_the_task_are_named():
    assert settings_error(TrainConfig(), "regression") is None
    assert settings_error(TrainConfig(monitor="val_mae"), "regression") is None
    assert "val_accuracy" in settings_error(TrainConfig(monitor="val_accuracy"), "regression")
    assert "val_rmse" in settings_error(TrainConfig(monitor="val_rmse"), "classification")
    assert "cross_entropy" in settings_error(TrainConfig(loss="cross_entropy"), "regression")
    assert "balanced_sampling" in settings_error(TrainConfig(balanced_sampling=True),
                                                 "regression")


def test_train_accuracy_counts_the_most_likely_class_of_soft_targets():
    from workbench.train.task_metrics import ClassificationMetrics

    metrics = ClassificationMetrics("cpu")
    outputs = torch.tensor([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]])
    soft = torch.tensor([[0.8, 0.2, 0.0], [0.7, 0.3, 0.0], [0.0, 0.4, 0.6]])  # mixup targets
    metrics.add_batch(outputs, soft)
    assert metrics.train_metrics(3)["train_accuracy"] == pytest.approx(2 / 3)
