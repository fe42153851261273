"""Per-node sensitivity: which quantized nodes cost the most accuracy, kept in float.

Each quantizable node (Conv, MatMul, Gemm) is kept in float alone while every other one is
quantized; the accuracy recovered by keeping it in float is its sensitivity. Then the most
sensitive nodes are kept in float, one more at a time, until the accuracy drop is within the
threshold (or every node is in float: then quantization cannot keep the accuracy). Calibration
ranges are computed once and reused through the calibration cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.compress.measure import accuracy_drop, predict, score
from workbench.compress.onnx_quantize import QuantSettings, quantizable_nodes, quantize_bytes

MAX_NODES = 48  # per-node trials beyond this many quantizable nodes are not run


def keep_sensitive_in_float(pre_bytes: bytes, settings: QuantSettings,
                            calibration_x: np.ndarray | None, x_val: np.ndarray,
                            y_val: np.ndarray, scaling: dict[str, Any] | None,
                            reference: dict[str, float], max_drop: float,
                            cache_dir: str | None = None, threads: int = 1,
                            progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Keep the most sensitive nodes in float until the drop is at most ``max_drop``.

    Returns ``{"model": bytes, "score", "drop", "excluded": [names], "within": bool,
    "sensitivity": [{"node", "drop_when_kept_float"}, ...] most sensitive first}``.
    """
    def measure(excluded: tuple[str, ...]) -> tuple[bytes, dict[str, float], float]:
        model = quantize_bytes(pre_bytes, settings, calibration_x, excluded, cache_dir)
        result = score(predict(model, x_val, threads), y_val, scaling)
        return model, result, accuracy_drop(reference, result)

    nodes = quantizable_nodes(pre_bytes)[:MAX_NODES]
    trials = []
    for i, node in enumerate(nodes):
        if progress is not None:
            progress(f"sensitivity: node {i + 1}/{len(nodes)} ({node}) kept in float")
        trials.append({"node": node, "drop_when_kept_float": measure((node,))[2]})
    trials.sort(key=lambda t: t["drop_when_kept_float"])
    excluded: list[str] = []
    model, result, drop = b"", dict(reference), float("inf")
    for trial in trials:
        excluded.append(trial["node"])
        model, result, drop = measure(tuple(excluded))
        if drop <= max_drop:
            break
    return {"model": model, "score": result, "drop": drop, "excluded": excluded,
            "within": drop <= max_drop, "sensitivity": trials}
