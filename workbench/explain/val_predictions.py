"""A run's saved weights applied to its validation split: the logits, the labels, the run.

Shared by calibration and subgroup metrics; every problem with the run (no such folder, no
weights, its data gone or changed, an empty validation split) is an ExplainError naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.explain.errors import ExplainError


def validation_logits(run_dir: str | Path, weights: str = "best"
                      ) -> tuple[Any, np.ndarray, np.ndarray]:
    """(the rebuilt run, float64 logits N x K, labels N) on the validation split."""
    from workbench.explain.inputs import rebuild_for_explain
    from workbench.train.evaluate import predict_logits

    rebuilt = rebuild_for_explain(run_dir, weights)
    run, dataset = rebuilt.run, rebuilt.dataset
    logits = predict_logits(rebuilt.module, dataset.x_val).double().numpy()
    if not np.all(np.isfinite(logits)):
        raise ExplainError(f"run '{run.path.name}': the model's outputs on the validation "
                           f"split are not all finite numbers (NaN or inf); retrain it")
    return rebuilt, logits, np.asarray(dataset.y_val)


def require_classification(rebuilt: Any, what: str) -> None:
    """ExplainError unless the run is a classifier."""
    if rebuilt.task != "classification":
        raise ExplainError(f"{what} is for classification runs; run '{rebuilt.run.path.name}' "
                           f"is a {rebuilt.task} run (its target "
                           f"'{(rebuilt.class_names or ['?'])[0]}' is a number)")
