"""Which int8 format to recommend: measured on this machine, never assumed faster than float.

Static QDQ and QOperator with U8S8 and S8S8, each with every layer int8 and with the first
layer kept in float, and dynamic quantization, are all tried; the
recommendation is the fastest at batch 64 among those whose accuracy drop is within the
threshold, and float32 itself when float32 is faster than every one of them. Formats within
``TIE`` (5%) of the fastest are a tie on a timing this noisy (QDQ and QOperator run the same
kernels once ORT has fused the QDQ pairs): the smallest file among them is recommended.
"""

from __future__ import annotations

from typing import Any

from workbench.compress.onnx_quantize import TYPES, QuantSettings

FLOAT = "float32"
TIE = 0.05  # latencies within 5% of the fastest count as equally fast


def candidate_settings(per_channel: bool = True,
                       calibration: str = "minmax") -> list[QuantSettings]:
    """Every static format x type pair, then the same with the first layer in float, then
    dynamic (int8 weights)."""
    static = [QuantSettings("static", fmt, types, per_channel, calibration, first)
              for first in (False, True) for fmt in ("qdq", "qoperator") for types in TYPES]
    return [*static, QuantSettings("dynamic", "qoperator", "U8S8", per_channel, calibration)]


def recommend(rows: list[dict[str, Any]], max_drop: float, batch: str = "64") -> dict[str, Any]:
    """``rows``: one per model with ``label``, ``drop`` (None for float), ``latency_ms`` and
    ``file_bytes``; the first is float32. Returns ``{"choice": label of the best int8 row or None,
    "recommend": label (may be float32), "reason": text}``."""
    reference = rows[0]
    eligible = [r for r in rows[1:] if r["drop"] is not None and r["drop"] <= max_drop]
    if not eligible:
        return {"choice": None, "recommend": FLOAT,
                "reason": f"no int8 format kept the accuracy within {max_drop} of float32"}
    fastest = min(r["latency_ms"][batch] for r in eligible)
    tied = [r for r in eligible if r["latency_ms"][batch] <= fastest * (1 + TIE)]
    best = min(tied, key=lambda r: (r.get("file_bytes", 0), r["latency_ms"][batch]))
    float_ms, best_ms = reference["latency_ms"][batch], best["latency_ms"][batch]
    if float_ms <= best_ms:
        return {"choice": best["label"], "recommend": FLOAT,
                "reason": f"float32 is the fastest at batch {batch} on this machine "
                          f"({float_ms:.3g} ms vs {best_ms:.3g} ms for {best['label']}, the "
                          f"fastest int8 format that keeps accuracy): export the float run"}
    return {"choice": best["label"], "recommend": best["label"],
            "reason": f"{best['label']} is the fastest format that keeps accuracy: "
                      f"{float_ms / best_ms:.2f}x float32's speed at batch {batch}"}
