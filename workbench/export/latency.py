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
                  batches: tuple[int, ...] = (1, 64), repeats: int = 50,
                  verbose: bool = False) -> list[dict[str, Any]]:
    """One row per batch size: eager ms, onnxruntime ms and the speed-up (eager / onnxruntime).

    Both are measured side by side in this process on the CPU, each the median of ``repeats``
    runs after a warm-up; ``x`` is repeated to fill a batch. ``verbose`` prints the table.
    """
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
    if verbose:
        print(format_latency_table(rows))
    return rows


def format_latency_table(rows: list[dict[str, Any]]) -> str:
    """The latency rows as an aligned text table."""
    lines = ["  latency (median)   PyTorch eager   onnxruntime   speed-up"]
    for row in rows:
        speedup = f"{row['speedup']:>10.2f}x" if row.get("speedup") is not None else "         –"
        lines.append(f"  batch {row['batch']:<12}{row['torch_eager_ms']:>10.3f} ms"
                     f"{row['onnxruntime_ms']:>11.3f} ms{speedup}")
    return "\n".join(lines)
