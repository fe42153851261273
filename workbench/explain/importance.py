"""Permutation importance on the validation split: how much the model's score drops when one
feature's values are shuffled across samples (Breiman 2001; scikit-learn's
``permutation_importance`` computes the same for estimators).

What one "feature" is depends on the input:

- tabular (CSV): one CSV column; the one-hot columns of a categorical column, and a numeric
  column with its "<name>_missing" indicator, are shuffled together (one permutation of rows);
- features (other float vectors): each input;
- image: a patch of a grid of at most 4 x 4 ("patch r,c"), all channels together;
- tokens: each position.

The score is accuracy (classification) or R² (regression; the same in standardized and
original units). Each feature is shuffled ``repeats`` times with a seeded generator; the
importance is the mean drop from the unshuffled score, with its standard deviation. Results
are cached in the run folder (``workbench.explain.cache``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from workbench.explain.errors import ExplainCancelled, ExplainError

GRID = 4  # image patches per side (fewer for smaller images)
BATCH = 512

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


def permutation_importance(run_dir: str | Path, repeats: int = 5, seed: int = 0, *,
                           weights: str = "best", progress: Progress | None = None,
                           cancel: Cancel | None = None, use_cache: bool = True
                           ) -> dict[str, Any]:
    """{"metric": "accuracy" | "r2", "baseline", "repeats", "seed", "weights", "input_kind",
    "samples", "importance": [{"feature", "mean", "std", "inputs"}] (ranked by mean, highest
    first), "seconds", "cached"}; ExplainError for bad arguments or a run that cannot be
    explained, ExplainCancelled when ``cancel()`` turns True (nothing is cached then)."""
    from workbench.explain.cache import cached_artifact, open_run, store_artifact, weights_path

    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= 1000:
        raise ExplainError(f"repeats must be a whole number from 1 to 1000, found {repeats!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ExplainError(f"seed must be a whole number >= 0, found {seed!r}")
    run = open_run(run_dir)
    weights_path(run, weights)
    key = {"repeats": repeats, "seed": seed, "weights": str(weights)}
    if use_cache:
        stored = cached_artifact(run, "importance", key, weights)
        if stored is not None:
            return {**stored, "cached": True}
    result = _compute(run.path, repeats, seed, weights, progress, cancel)
    store_artifact(run, "importance", key, weights, result)
    return {**result, "cached": False}


def feature_groups(dataset: Any) -> list[dict[str, Any]]:
    """What gets shuffled together: [{"feature": name, "inputs": [what it covers],
    "select": an index into one sample's array}] in input order."""
    from workbench.explain.inputs import (
        feature_names_of,
        input_kind_of,
        tabular_column_groups,
    )

    kind = input_kind_of(dataset)
    if kind == "tabular":
        names = feature_names_of(dataset)
        return [{"feature": column, "inputs": [names[i] for i in idx], "select": (idx,)}
                for column, idx in tabular_column_groups(dataset.preprocessing)]
    if kind == "image":
        _, height, width = dataset.input_shape
        groups = []
        rows = np.array_split(np.arange(height), min(GRID, height))
        cols = np.array_split(np.arange(width), min(GRID, width))
        for r, band in enumerate(rows):
            for c, strip in enumerate(cols):
                box = [int(band[0]), int(band[-1]) + 1, int(strip[0]), int(strip[-1]) + 1]
                groups.append({"feature": f"patch {r},{c}",
                               "inputs": [f"rows {box[0]}-{box[1] - 1}, "
                                          f"columns {box[2]}-{box[3] - 1}"],
                               "box": box,
                               "select": (slice(None), slice(box[0], box[1]),
                                          slice(box[2], box[3]))})
        return groups
    if kind == "tokens" and len(dataset.input_shape) == 1:
        return [{"feature": f"position {i}", "inputs": [f"position {i}"], "select": (i,)}
                for i in range(int(dataset.input_shape[0]))]
    names = feature_names_of(dataset)
    return [{"feature": name, "inputs": [name],
             "select": np.unravel_index(i, tuple(dataset.input_shape))}
            for i, name in enumerate(names)]


def _compute(run_dir: Path, repeats: int, seed: int, weights: str, progress: Progress | None,
             cancel: Cancel | None) -> dict[str, Any]:
    from workbench.explain.inputs import input_kind_of, rebuild_for_explain

    started = time.perf_counter()
    rebuilt = rebuild_for_explain(run_dir, weights)
    dataset, module = rebuilt.dataset, rebuilt.module
    x, y = np.asarray(dataset.x_val), np.asarray(dataset.y_val)
    regression = rebuilt.task == "regression"
    score = _r2 if regression else _accuracy
    baseline = score(_predict(module, x), y)
    if not np.isfinite(baseline):
        raise ExplainError("permutation importance needs validation targets that vary (R² is "
                           "undefined when they are all equal); found one value only")
    groups = feature_groups(dataset)
    rng = np.random.default_rng(seed)
    work = x.copy()
    total, rows = len(groups) * repeats, []
    for g, group in enumerate(groups):
        where = (slice(None), *group["select"])
        drops = []
        for r in range(repeats):
            if cancel is not None and cancel():
                raise ExplainCancelled("permutation importance cancelled")
            work[where] = x[where][rng.permutation(len(x))]
            drops.append(baseline - score(_predict(module, work), y))
            work[where] = x[where]
            if progress is not None:
                progress(g * repeats + r + 1, total)
        row = {"feature": group["feature"], "mean": float(np.mean(drops)),
               "std": float(np.std(drops)), "inputs": group["inputs"]}
        if "box" in group:
            row["box"] = group["box"]
        rows.append(row)
    rows.sort(key=lambda row: -row["mean"])  # stable: ties keep input order
    return {"metric": "r2" if regression else "accuracy", "baseline": float(baseline),
            "repeats": repeats, "seed": seed, "weights": str(rebuilt.weights),
            "input_kind": input_kind_of(dataset), "samples": int(len(x)),
            "importance": rows, "seconds": round(time.perf_counter() - started, 3)}


def _predict(module: Any, x: np.ndarray) -> np.ndarray:
    from workbench.train.evaluate import predict_logits

    return predict_logits(module, x, batch_size=BATCH).cpu().numpy()


def _accuracy(outputs: np.ndarray, y: np.ndarray) -> float:
    return float((outputs.argmax(axis=1) == y).mean())


def _r2(outputs: np.ndarray, y: np.ndarray) -> float:
    from workbench.train.task_metrics import regression_scores

    return regression_scores(outputs.reshape(len(y), -1), y.reshape(len(y), -1))["r2"]
