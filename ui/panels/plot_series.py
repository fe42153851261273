"""Growable numpy buffers for live curves: amortised O(1) appends, no per-point allocation.

A ``Series`` holds x/y points in preallocated arrays whose capacity doubles when full, so a
long run costs a handful of reallocations instead of one per point. ``SmoothedSeries`` also
keeps a bias-corrected exponential moving average (as TensorBoard draws noisy batch losses).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


class Series:
    """x/y float64 points in buffers that grow by doubling."""

    def __init__(self, capacity: int = 256) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        return int(self._x.shape[0])

    def _reserve(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = self.capacity
        while capacity < needed:
            capacity *= 2
        for name in ("_x", "_y"):
            grown = np.empty(capacity, dtype=np.float64)
            grown[: self._n] = getattr(self, name)[: self._n]
            setattr(self, name, grown)

    def append(self, x: float, y: float) -> None:
        self._reserve(self._n + 1)
        self._x[self._n] = x
        self._y[self._n] = _as_float(y)
        self._n += 1

    def extend(self, xs: Iterable[float], ys: Iterable[float]) -> None:
        x = np.asarray(list(xs), dtype=np.float64)
        y = np.asarray([_as_float(v) for v in ys], dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"x and y lengths differ: {x.shape[0]} vs {y.shape[0]}")
        self._reserve(self._n + x.shape[0])
        self._x[self._n: self._n + x.shape[0]] = x
        self._y[self._n: self._n + y.shape[0]] = y
        self._n += x.shape[0]

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Views of the filled part (do not keep them across appends)."""
        return self._x[: self._n], self._y[: self._n]

    def last(self) -> tuple[float, float] | None:
        if self._n == 0:
            return None
        return float(self._x[self._n - 1]), float(self._y[self._n - 1])

    def clear(self) -> None:
        self._n = 0


class SmoothedSeries(Series):
    """A Series of the bias-corrected EMA of the values appended to it."""

    def __init__(self, weight: float = 0.9, capacity: int = 256) -> None:
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
        super().__init__(capacity)
        self.weight = weight
        self._ema = 0.0
        self._count = 0

    def append(self, x: float, y: float) -> None:
        value = _as_float(y)
        if not math.isfinite(value):  # a NaN must show, but not poison every later point
            super().append(x, value)
            return
        self._count += 1
        self._ema = self.weight * self._ema + (1.0 - self.weight) * value
        super().append(x, self._ema / (1.0 - self.weight ** self._count))

    def extend(self, xs: Iterable[float], ys: Iterable[float]) -> None:
        for x, y in zip(list(xs), list(ys)):
            self.append(x, y)

    def clear(self) -> None:
        super().clear()
        self._ema = 0.0
        self._count = 0


def _as_float(value: object) -> float:
    """Numbers as floats; the strings a metric log writes for NaN/Inf back to floats."""
    if value is None:
        return float("nan")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
