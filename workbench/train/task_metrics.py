"""Per-task epoch metrics for the training loop: classification accuracy or regression errors.

The trainer asks ``metrics_for(dataset)`` once per run and, per batch, calls ``add_batch`` with
the detached outputs: that only adds to device tensors (no ``.item()`` sync), so the hot path
costs the same as before. At the end of an epoch ``train_metrics`` and ``val_metrics`` give the
epoch record's task keys:

- classification: ``train_accuracy``, ``val_loss``, ``val_accuracy``;
- regression: ``train_mae``, ``val_loss``, ``val_mae``, ``val_rmse``, ``val_r2`` in the
  target's original units (targets are trained standardized; ``target_scaling`` undoes it),
  with ``train_accuracy`` / ``val_accuracy`` None.
"""

from __future__ import annotations

import math
from typing import Any

from workbench.train.losses import loss_task_error

REGRESSION_MONITORS = ("val_loss", "val_mae", "val_rmse")
CLASSIFICATION_MONITORS = ("val_loss", "val_accuracy")


def task_of(dataset: Any) -> str:
    return getattr(dataset, "task", "classification") or "classification"


def target_scaling(dataset: Any) -> tuple[float, float]:
    """(mean, std) that turn a standardized regression target back into original units."""
    scaling = (getattr(dataset, "preprocessing", None) or {}).get("target_scaling") or {}
    return float(scaling.get("mean", 0.0)), float(scaling.get("std", 1.0))


def settings_error(config: Any, task: str) -> str | None:
    """Why these training settings cannot train a ``task`` dataset, or None when they can."""
    error = loss_task_error(config.loss, task)
    if error:
        return error
    allowed = REGRESSION_MONITORS if task == "regression" else CLASSIFICATION_MONITORS
    if config.monitor not in allowed:
        return (f"monitor '{config.monitor}' does not apply to {task}; expected "
                f"{', '.join(allowed)}")
    if task == "regression" and config.balanced_sampling:
        return ("balanced_sampling draws batches with equal class frequency, but a regression "
                "target has no classes; turn it off")
    return None


class ClassificationMetrics:
    """Correct predictions counted on the device; accuracy at the end of the epoch."""

    task = "classification"

    def __init__(self, device: str) -> None:
        import torch

        self.device = device
        self.correct = torch.zeros((), device=device, dtype=torch.long)

    def start_epoch(self) -> None:
        self.correct.zero_()

    def add_batch(self, outputs: Any, targets: Any) -> Any:
        """Adds the batch's correct count; returns it (a device tensor) for batch events.
        Soft targets (mixup, cutmix: (B, K) probabilities) count their most likely class."""
        if targets.dim() == 2:
            targets = targets.argmax(dim=1)
        batch_correct = (outputs.argmax(dim=1) == targets).sum()
        self.correct += batch_correct
        return batch_correct

    def batch_value(self, stat: Any, size: int) -> float:
        """Batch accuracy (syncs; the trainer calls it only when someone listens)."""
        return float(stat.item()) / max(size, 1)

    def train_metrics(self, seen: int) -> dict[str, Any]:
        return {"train_accuracy": float(self.correct.item()) / max(seen, 1)}

    def val_metrics(self, module: Any, x: Any, y: Any, loss_fn: Any) -> dict[str, Any]:
        from workbench.train.evaluate import evaluate

        val = evaluate(module, x, y, batch_size=1024, device=self.device, loss_fn=loss_fn)
        return {"val_loss": val["loss"], "val_accuracy": val["accuracy"]}


class RegressionMetrics:
    """Absolute errors summed on the device; MAE, RMSE and R² in original target units."""

    task = "regression"

    def __init__(self, device: str, mean: float, std: float) -> None:
        import torch

        self.device, self.mean, self.std = device, mean, std
        self.abs_error = torch.zeros((), device=device, dtype=torch.float32)

    def start_epoch(self) -> None:
        self.abs_error.zero_()

    def add_batch(self, outputs: Any, targets: Any) -> Any:
        batch_error = (outputs.float().reshape(targets.shape[0], -1)
                       - targets.reshape(targets.shape[0], -1)).abs().mean(dim=1).sum()
        self.abs_error += batch_error
        return batch_error

    def batch_value(self, stat: Any, size: int) -> None:
        return None  # no accuracy for a regression batch

    def train_metrics(self, seen: int) -> dict[str, Any]:
        return {"train_accuracy": None,
                "train_mae": float(self.abs_error.item()) * self.std / max(seen, 1)}

    def val_metrics(self, module: Any, x: Any, y: Any, loss_fn: Any) -> dict[str, Any]:
        from workbench.train.evaluate import evaluate_regression

        val = evaluate_regression(module, x, y, (self.mean, self.std), batch_size=1024,
                                  device=self.device, loss_fn=loss_fn)
        return {"val_loss": val["loss"], "val_accuracy": None, "val_mae": val["mae"],
                "val_rmse": val["rmse"], "val_r2": val["r2"]}


def metrics_for(dataset: Any, device: str) -> ClassificationMetrics | RegressionMetrics:
    """The metric keeper for the dataset's task."""
    if task_of(dataset) == "regression":
        return RegressionMetrics(device, *target_scaling(dataset))
    return ClassificationMetrics(device)


def regression_scores(predictions: Any, targets: Any) -> dict[str, float]:
    """MAE, RMSE and R² of two float arrays in the same (original) units; NaN when empty.

    R² is 1 - SS_res / SS_tot with SS_tot around the targets' own mean: 0 for a model that
    always predicts that mean, negative for one that does worse.
    """
    import numpy as np

    if len(targets) == 0:
        return {"mae": math.nan, "rmse": math.nan, "r2": math.nan}
    p = np.asarray(predictions, dtype=np.float64).reshape(len(predictions), -1)
    t = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)
    err = p - t
    ss_res = float((err ** 2).sum())
    ss_tot = float(((t - t.mean(axis=0)) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan  # constant targets: undefined
    return {"mae": float(np.abs(err).mean()), "rmse": float(np.sqrt((err ** 2).mean())),
            "r2": float(r2)}
