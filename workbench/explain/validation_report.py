"""A finished run's saved weights scored on its validation split (what the app shows after
training): confusion matrix and per-class precision, recall and F1, or for a regression run
MAE, RMSE and R² in the target's units."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def evaluate_validation(run_dir: str | Path, weights: str = "best") -> dict[str, Any]:
    """The report of the run's ``weights`` (a choice of ``rebuild_run``) on the val split.

    Raises ValueError when the validation split is empty, and whatever ``rebuild_run`` raises
    (a damaged weights file is a message naming it)."""
    from workbench.explain.metrics import classification_report
    from workbench.run_model import rebuild_run
    from workbench.train.evaluate import predict_logits

    rebuilt = rebuild_run(run_dir, weights=weights, purpose="analysis")
    module, dataset, which = rebuilt.module, rebuilt.dataset, rebuilt.weights
    if len(dataset.x_val) == 0:
        raise ValueError("the validation split is empty, so there is nothing to evaluate")
    if rebuilt.task == "regression":  # no confusion matrix: errors in the target's units
        from workbench.train.evaluate import evaluate_regression
        from workbench.train.task_metrics import target_scaling

        scores = evaluate_regression(module, dataset.x_val, dataset.y_val,
                                     target_scaling(dataset))
        return {"weights": which, "task": "regression", "target": rebuilt.class_names[0],
                **{k: scores[k] for k in ("loss", "mae", "rmse", "r2")}}
    predictions = predict_logits(module, dataset.x_val).argmax(dim=1).numpy()
    return {"weights": which,
            **classification_report(dataset.y_val, predictions, rebuilt.class_names)}
