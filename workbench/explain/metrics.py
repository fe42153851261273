"""Confusion matrix and per-class precision, recall and F1 (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)),
              1)
    return matrix


def classification_report(y_true: np.ndarray, y_pred: np.ndarray,
                          labels: Sequence[str]) -> dict[str, Any]:
    """{'labels', 'confusion', 'per_class': [{label, precision, recall, f1, support}],
    'accuracy', 'macro_f1'}; a class never predicted has precision 0."""
    k = len(labels)
    matrix = confusion_matrix(y_true, y_pred, k)
    tp = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0)
    support = matrix.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros(k), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros(k), where=denom > 0)
    rows = [{"label": str(labels[i]), "precision": float(precision[i]),
             "recall": float(recall[i]), "f1": float(f1[i]), "support": int(support[i])}
            for i in range(k)]
    total = int(matrix.sum())
    return {"labels": [str(x) for x in labels], "confusion": matrix.tolist(), "per_class": rows,
            "accuracy": float(tp.sum() / total) if total else 0.0,
            "macro_f1": float(f1.mean()) if k else 0.0}
