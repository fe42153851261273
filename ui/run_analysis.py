"""Qt-free analysis the training worker does on its own thread, from what is on disk.

* ``RunProbe`` rebuilds a run's network from its config folder and, at every checkpoint, reads
  the saved weights and measures the gradient on one fixed training batch, giving per-layer
  histograms of weights and gradients (what the dashboard's histogram shows). This looks at the
  checkpoint, not at the live module, so it cannot disturb training.
* ``evaluate_validation`` loads a finished run's best (or last) weights and scores the
  validation split: confusion matrix and per-class precision, recall and F1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HISTOGRAM_BINS = 30
PROBE_BATCH = 128


def histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict[str, list[float]]:
    """{"edges": bins+1 floats, "counts": bins ints} of the finite values."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return {"edges": [], "counts": []}
    lo, hi = float(flat.min()), float(flat.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(flat, bins=bins, range=(lo, hi))
    return {"edges": edges.tolist(), "counts": counts.astype(int).tolist()}


def load_run_data(run_dir: str | Path) -> tuple[dict[str, Any], Any, Any]:
    """(config, compiled module, dataset) of a run folder, as the run was trained: through
    the core's one rebuild (``workbench.run_model.rebuild_run``: saved preprocessing, data
    checked against the run's fingerprint). The module's weights are not loaded here."""
    from workbench.run_model import rebuild_run

    rebuilt = rebuild_run(run_dir, weights=False, purpose="analysis")
    return rebuilt.run.config, rebuilt.module, rebuilt.dataset


class RunProbe:
    """Per-layer weight and gradient histograms from a run's checkpoints."""

    def __init__(self, run_dir: str | Path) -> None:
        import torch

        from workbench.train.config import TrainConfig
        from workbench.train.losses import make_loss

        config, self.module, dataset = load_run_data(run_dir)
        train_config = TrainConfig.from_dict(config["training"])
        generator = np.random.default_rng(train_config.seed)
        take = min(PROBE_BATCH, len(dataset.x_train))
        rows = generator.choice(len(dataset.x_train), size=take, replace=False)
        self.x = torch.as_tensor(dataset.x_train[rows])
        self.y = torch.as_tensor(dataset.y_train[rows])
        self.loss_fn = make_loss(train_config, dataset.num_classes, dataset.task)

    def histograms(self, checkpoint: str | Path) -> dict[str, dict[str, Any]]:
        """{layer: {"weights": histogram, "gradients": histogram}} for one checkpoint file."""
        import torch

        from workbench.runs.weights_file import load_into_module, load_weights_file
        from workbench.train.monitors import layer_parameters

        load_into_module(self.module, load_weights_file(checkpoint), checkpoint)
        self.module.train()
        self.module.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.module(self.x), self.y)
        if torch.isfinite(loss):
            loss.backward()
        result: dict[str, dict[str, Any]] = {}
        for layer, params in layer_parameters(self.module).items():
            weights = np.concatenate([p.detach().numpy().ravel() for p in params])
            grads = [p.grad.numpy().ravel() for p in params if p.grad is not None]
            result[layer] = {"weights": histogram(weights),
                             "gradients": histogram(np.concatenate(grads)) if grads
                             else {"edges": [], "counts": []}}
        return result


def evaluate_validation(run_dir: str | Path) -> dict[str, Any]:
    """Confusion matrix and per-class P/R/F1 of the run's saved weights on the val split."""
    from workbench.explain.metrics import classification_report
    from workbench.run_model import rebuild_run
    from workbench.train.evaluate import predict_logits

    # weights checked on load: a damaged file is a message naming it
    rebuilt = rebuild_run(run_dir, purpose="analysis")
    config, module, dataset, which = (rebuilt.run.config, rebuilt.module, rebuilt.dataset,
                                      rebuilt.weights)
    if len(dataset.x_val) == 0:
        raise ValueError("the validation split is empty, so there is nothing to evaluate")
    if dataset.task == "regression":  # no confusion matrix: errors in the target's units
        from workbench.train.evaluate import evaluate_regression
        from workbench.train.task_metrics import target_scaling

        scores = evaluate_regression(module, dataset.x_val, dataset.y_val,
                                     target_scaling(dataset))
        return {"weights": which, "task": "regression", "target": dataset.class_names[0],
                **{k: scores[k] for k in ("loss", "mae", "rmse", "r2")}}
    predictions = predict_logits(module, dataset.x_val).argmax(dim=1).numpy()
    labels = list(config.get("class_names") or dataset.class_names)
    return {"weights": which, **classification_report(dataset.y_val, predictions, labels)}
