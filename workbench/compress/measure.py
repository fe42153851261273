"""Measure ONNX models on this machine: task score on the validation split, file size, latency.

Latency: onnxruntime on the CPU with the intra-op thread count pinned (and reported), every
model measured side by side in rounds (model A, B, C, A, B, C, ...) so that a noisy shared
machine slows them alike; the figure is the median of the per-call times.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

BATCHES = (1, 64)


def ort_session(model_bytes: bytes, threads: int) -> Any:
    """A CPU session with ``threads`` intra-op threads and one inter-op thread."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def predict(model_bytes: bytes, x: np.ndarray, threads: int = 1, batch: int = 256) -> np.ndarray:
    """The model's outputs for ``x`` (batches of ``batch``)."""
    session = ort_session(model_bytes, threads)
    return np.concatenate([session.run(["logits"], {"input": x[i:i + batch]})[0]
                           for i in range(0, len(x), batch)])


def score(outputs: np.ndarray, y: np.ndarray, scaling: dict[str, Any] | None) -> dict[str, float]:
    """Classification: ``{"accuracy"}``; regression (``scaling`` given): ``{"mae"}`` in the
    target's original units."""
    if scaling is None:
        return {"accuracy": float((outputs.argmax(1) == np.asarray(y)).mean())}
    mean, std = float(scaling["mean"]), float(scaling["std"])
    truth = np.asarray(y, dtype=np.float64).reshape(len(y), -1) * std + mean
    guess = outputs.astype(np.float64).reshape(len(y), -1) * std + mean
    return {"mae": float(np.abs(guess - truth).mean())}


def accuracy_drop(reference: dict[str, float], variant: dict[str, float]) -> float:
    """How much worse ``variant`` is: accuracy points lost (0.5 = half a point), or for
    regression the MAE increase in percent of the reference MAE."""
    if "accuracy" in reference:
        return round((reference["accuracy"] - variant["accuracy"]) * 100.0, 4)
    base = max(reference["mae"], 1e-12)
    return round((variant["mae"] - reference["mae"]) / base * 100.0, 4)


def latencies(models: dict[str, bytes], x: np.ndarray, threads: int,
              batches: tuple[int, ...] = BATCHES, repeats: int = 30,
              warmup: int = 3) -> dict[str, dict[str, float]]:
    """``{name: {"1": ms, "64": ms}}``: median ms per call, all models measured side by side.

    ``x`` is repeated to fill each batch. Each round runs every model once per batch size."""
    sessions = {name: ort_session(data, threads) for name, data in models.items()}
    inputs = {b: np.ascontiguousarray(np.resize(x, (b, *x.shape[1:])).astype(x.dtype))
              for b in batches}
    times: dict[str, dict[int, list[float]]] = {n: {b: [] for b in batches} for n in sessions}
    for round_ in range(warmup + repeats):
        for batch in batches:
            for name, session in sessions.items():
                start = time.perf_counter()
                session.run(["logits"], {"input": inputs[batch]})
                if round_ >= warmup:
                    times[name][batch].append((time.perf_counter() - start) * 1000.0)
    return {name: {str(b): round(float(np.median(t[b])), 4) for b in batches}
            for name, t in times.items()}
