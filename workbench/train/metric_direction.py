"""Whether a metric is better higher or lower: one rule for the trainer (best weights, early
stopping), the search (study directions) and the app (best-so-far curves, the best value in a
comparison).

A name is read without its split prefix (``val_``, ``train_``, ``test_``, ``best_``), then by
its last words: ``val_accuracy`` -> accuracy, ``model_size_bytes`` -> size_bytes. Accuracy,
R², F1, precision, recall and throughput go up; loss, MAE, RMSE, latency and size (bytes,
parameters, MACs) go down. No Qt, no torch.
"""

from __future__ import annotations

from typing import Literal

Direction = Literal["maximize", "minimize"]

MAXIMIZE = frozenset({"accuracy", "acc", "r2", "f1", "precision", "recall", "auc",
                      "samples_per_second", "throughput"})
MINIMIZE = frozenset({"loss", "mae", "mse", "rmse", "error", "latency", "latency_ms",
                      "size", "bytes", "size_bytes", "file_bytes", "params", "parameters",
                      "macs"})
_PREFIXES = ("val_", "train_", "test_", "best_")


def find_metric_direction(name: str) -> Direction | None:
    """``"maximize"``, ``"minimize"``, or None for a name that is not a known metric."""
    base = name.strip().lower()
    for prefix in _PREFIXES:
        if base.startswith(prefix):
            base = base[len(prefix):]
            break
    words = base.split("_")
    for start in range(len(words)):
        tail = "_".join(words[start:])
        if tail in MAXIMIZE:
            return "maximize"
        if tail in MINIMIZE:
            return "minimize"
    return None


def metric_direction(name: str) -> Direction:
    """Whether ``name`` is better higher (``"maximize"``) or lower (``"minimize"``);
    ValueError for a name that is not a known metric."""
    found = find_metric_direction(name)
    if found is None:
        raise ValueError(f"no direction known for the metric '{name}'; expected a name ending "
                         f"in one of {', '.join(sorted(MAXIMIZE))} (higher is better) or "
                         f"{', '.join(sorted(MINIMIZE))} (lower is better)")
    return found


def is_better(name: str, value: float, than: float | None) -> bool:
    """True when ``value`` of metric ``name`` improves on ``than`` (None: nothing yet)."""
    if than is None:
        return True
    return value > than if metric_direction(name) == "maximize" else value < than
