"""The model's mistakes on the validation split, worst first.

Classification: the misclassified samples, most confident first (a confident mistake says
more about the model than a coin flip), with every class's probability. Regression: the
largest residuals (true - predicted) in the target's own units. Each sample carries what a
person needs to look at it: the raw CSV row (input and kept-out columns, target), or the
image as [0, 1] values, or the token ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.explain.errors import ExplainError

MAX_LIMIT = 10_000


def find_mistakes(run_dir: str | Path, limit: int = 50, *, weights: str = "best"
                  ) -> dict[str, Any]:
    """Classification: {"task", "wrong", "total", "class_names", "weights", "mistakes":
    [{"index", "true", "predicted", "confidence", "probabilities": {class: p}, and "row" |
    "image" | "tokens"}]} most confident first; regression: {"task", "total", "target",
    "weights", "mae", "residuals": [{"index", "true", "predicted", "residual", ...}]} largest
    |residual| first. ``index`` is the sample's row in the validation split."""
    from workbench.explain.inputs import rebuild_for_explain

    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ExplainError(f"limit must be a whole number from 1 to {MAX_LIMIT}, found "
                           f"{limit!r}")
    rebuilt = rebuild_for_explain(run_dir, weights)
    dataset = rebuilt.dataset
    outputs = _outputs(rebuilt.module, dataset.x_val)
    if rebuilt.task == "regression":
        return _residuals(rebuilt, outputs, limit)
    names = rebuilt.class_names or [str(i) for i in range(outputs.shape[1])]
    probabilities = _softmax(outputs)
    predicted = probabilities.argmax(axis=1)
    y = np.asarray(dataset.y_val, dtype=np.int64)
    confidence = probabilities[np.arange(len(y)), predicted]
    wrong = np.flatnonzero(predicted != y)
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][:limit]
    display = _display(dataset, order)
    mistakes = [{"index": int(i), "true": names[int(y[i])], "predicted": names[int(predicted[i])],
                 "confidence": float(confidence[i]),
                 "probabilities": {name: float(p) for name, p in zip(names, probabilities[i])},
                 **display[n]} for n, i in enumerate(order)]
    return {"task": "classification", "wrong": int(len(wrong)), "total": int(len(y)),
            "class_names": list(names), "weights": str(rebuilt.weights), "mistakes": mistakes}


def _residuals(rebuilt: Any, outputs: np.ndarray, limit: int) -> dict[str, Any]:
    from workbench.train.task_metrics import target_scaling

    dataset = rebuilt.dataset
    mean, std = target_scaling(dataset)
    predicted = outputs.reshape(len(outputs), -1)[:, 0].astype(np.float64) * std + mean
    true = np.asarray(dataset.y_val, dtype=np.float64).reshape(len(predicted), -1)[:, 0] \
        * std + mean
    residual = true - predicted
    order = np.argsort(-np.abs(residual), kind="stable")[:limit]
    display = _display(dataset, order)
    rows = [{"index": int(i), "true": float(true[i]), "predicted": float(predicted[i]),
             "residual": float(residual[i]), **display[n]} for n, i in enumerate(order)]
    target = rebuilt.class_names[0] if rebuilt.class_names else "target"
    return {"task": "regression", "total": int(len(true)), "target": target,
            "weights": str(rebuilt.weights), "mae": float(np.abs(residual).mean()),
            "residuals": rows}


def _display(dataset: Any, indices: np.ndarray) -> list[dict[str, Any]]:
    """What shows sample ``i`` of the validation split: {"row"}, {"image"} or {"tokens"}."""
    from workbench.explain.inputs import display_images, input_kind_of, val_raw_rows

    kind = input_kind_of(dataset)
    if kind == "tabular":
        rows = val_raw_rows(dataset)
        if rows:
            return [{"row": rows[int(i)]} for i in indices]
    x = np.asarray(dataset.x_val)[indices]
    if kind == "image":
        images = display_images(dataset.preprocessing or {}, x)
        return [{"image": np.round(image, 4).tolist()} for image in images]
    if kind == "tokens":
        return [{"tokens": [int(t) for t in row.ravel()]} for row in x]
    return [{"inputs": [round(float(v), 6) for v in row.ravel()]} for row in x]


def _outputs(module: Any, x: np.ndarray) -> np.ndarray:
    from workbench.train.evaluate import predict_logits

    return predict_logits(module, x, batch_size=512).cpu().numpy().astype(np.float64)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
