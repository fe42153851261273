"""Latency of PyTorch eager vs onnxruntime, median of repeated runs, measured side by side."""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def _median_ms(fn, repeats: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def latency_table(module: Any, model_bytes: bytes, x: np.ndarray,
                  batches: tuple[int, ...] = (1, 64), repeats: int = 50) -> list[dict[str, Any]]:
    """One row per batch size: eager ms, onnxruntime ms and the speed-up."""
    import torch

    from workbench.export.verify import ort_session

    session = ort_session(model_bytes)
    module.eval()
    rows = []
    for batch in batches:
        xb = np.ascontiguousarray(np.resize(x, (batch, *x.shape[1:])).astype(x.dtype))
        tb = torch.as_tensor(xb)

        def eager(tb=tb):
            with torch.inference_mode():
                module(tb)

        def onnx(xb=xb):
            session.run(["logits"], {"input": xb})

        eager_ms = _median_ms(eager, repeats)
        ort_ms = _median_ms(onnx, repeats)
        rows.append({"batch": batch, "torch_eager_ms": round(eager_ms, 4),
                     "onnxruntime_ms": round(ort_ms, 4),
                     "speedup": round(eager_ms / ort_ms, 3) if ort_ms > 0 else None})
    return rows
