"""Shared lines every benchmark prints: its machine context and its ratios with their direction.

Use::

    from bench_common import print_context, ratio_line

    print_context(ort_threads=1)          # once at the start (and again at the end if long)
    ratio_line("b64 latency, float ms / int8 ms", 1.24, better="higher")
    ratio_line("accuracy change", -0.4, better="higher", key="delta_points")

``print_context`` prints the load average (1, 5, 15 min), the CPU count, torch's intra- and
inter-op thread counts and, when given, the ONNX Runtime intra-op threads the benchmark pins
(ORT's own default is one thread per physical core). ``ratio_line`` prints
``<key>=<value>  [<name>] (<direction> is better[; note])``: every ``ratio=`` says which way is
good. ``mean_ratio`` is the mean of per-seed ratios (principle 14), never the ratio of means.
Benchmarks import this module by putting their folder on ``sys.path`` (running a script from
``benchmarks/`` does that already).
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterable

BETTER = ("higher", "lower", "closer to 1")


def context_line(ort_threads: int | None = None, label: str = "context") -> str:
    """Load average, CPUs, torch threads and (when given) ORT intra-op threads, one line."""
    one, five, fifteen = os.getloadavg()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [f"load {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) on {cpus} CPUs"]
    try:
        import torch

        parts.append(f"torch {torch.get_num_threads()} intra-op / "
                     f"{torch.get_num_interop_threads()} inter-op thread(s)")
    except ImportError:
        parts.append("torch not installed")
    parts.append(f"ORT {ort_threads} intra-op thread(s)" if ort_threads is not None
                 else "ORT not used")
    return f"{label}: " + "; ".join(parts)


def print_context(ort_threads: int | None = None, label: str = "context") -> None:
    """Print :func:`context_line` (flushed, so it lands before a long measurement)."""
    print(context_line(ort_threads, label), flush=True)


def ratio_text(name: str, value: float, better: str = "higher", note: str = "",
               key: str = "ratio", digits: int = 3) -> str:
    """``<key>=<value>  [<name>] (<better> is better[; note])``."""
    if better not in BETTER:
        raise ValueError(f"better: expected one of {', '.join(BETTER)}, found {better!r}")
    shown = "nan" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"
    return f"{key}={shown}  [{name}] ({better} is better{'; ' + note if note else ''})"


def ratio_line(name: str, value: float, better: str = "higher", note: str = "",
               key: str = "ratio", digits: int = 3) -> None:
    """Print :func:`ratio_text`."""
    print(ratio_text(name, value, better, note, key, digits), flush=True)


def mean_ratio(pairs: Iterable[tuple[float, float]]) -> float:
    """Mean over seeds of numerator / denominator (pairs with a zero denominator skipped);
    nan when none is left."""
    ratios = [a / b for a, b in pairs if b]
    return statistics.mean(ratios) if ratios else float("nan")
