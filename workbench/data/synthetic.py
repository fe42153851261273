"""Synthetic 2-D (and n-D) classification and regression sets with noise and size options."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.data.raw import RawData, float_option, int_option


def _common(options: dict[str, Any], noise: float = 0.1) -> tuple[int, float, np.random.Generator]:
    n = int_option(options, "n_samples", 600, 20, 1_000_000)
    sigma = float_option(options, "noise", noise, 0.0, 10.0)
    seed = int_option(options, "seed", 0, 0, 2**31 - 1)
    return n, sigma, np.random.default_rng(seed)


def _raw(x: np.ndarray, y: np.ndarray, k: int) -> RawData:
    return RawData(x=x.astype(np.float32), y=y.astype(np.int64),
                   class_names=[f"class {i}" for i in range(k)])


def load_moons(options: dict[str, Any]) -> RawData:
    """Two interleaving half circles."""
    n, sigma, rng = _common(options)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    x = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)],
                 np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return _raw(x + rng.normal(0, sigma, x.shape), y, 2)


def load_circles(options: dict[str, Any]) -> RawData:
    """A small circle inside a large one."""
    n, sigma, rng = _common(options, 0.05)
    factor = float_option(options, "factor", 0.5, 0.05, 0.95)
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 0, 1.0, factor)
    x = np.c_[r * np.cos(t), r * np.sin(t)]
    return _raw(x + rng.normal(0, sigma, x.shape), y, 2)


def load_spirals(options: dict[str, Any]) -> RawData:
    """Interleaved spiral arms, one class per arm."""
    n, sigma, rng = _common(options, 0.2)
    k = int_option(options, "n_classes", 3, 2, 10)
    turns = float_option(options, "turns", 1.5, 0.25, 5.0)
    y = np.arange(n) % k
    s = rng.uniform(0.05, 1.0, n)
    angle = s * turns * 2 * np.pi + y * 2 * np.pi / k
    x = np.c_[s * np.cos(angle), s * np.sin(angle)] * 4
    return _raw(x + rng.normal(0, sigma, x.shape), y, k)


def load_xor(options: dict[str, Any]) -> RawData:
    """Points in four quadrants; the class is the XOR of the signs."""
    n, sigma, rng = _common(options, 0.1)
    x = rng.uniform(-1, 1, (n, 2))
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    return _raw(x + rng.normal(0, sigma, x.shape), y, 2)


def load_blobs(options: dict[str, Any]) -> RawData:
    """Gaussian blobs around random centres."""
    n, sigma, rng = _common(options, 1.0)
    k = int_option(options, "n_classes", 3, 2, 50)
    d = int_option(options, "n_features", 2, 1, 1000)
    centres = rng.uniform(-5, 5, (k, d))
    y = np.arange(n) % k
    return _raw(centres[y] + rng.normal(0, sigma, (n, d)), y, k)


def _regression_raw(x: np.ndarray, y: np.ndarray) -> RawData:
    return RawData(x=x.astype(np.float32), y=y.astype(np.float64), class_names=[],
                   task="regression", target="y")


def load_noisy_linear(options: dict[str, Any]) -> RawData:
    """Regression: y = 3 + x . w + Gaussian noise, x ~ N(0, 1) in ``n_features`` dimensions.

    With the default noise 0.5 the best possible R² is about 0.95 (the rest is the noise).
    """
    n, sigma, rng = _common(options, 0.5)
    d = int_option(options, "n_features", 5, 1, 1000)
    w = rng.uniform(-2, 2, d)
    x = rng.normal(0, 1, (n, d))
    return _regression_raw(x, 3.0 + x @ w + rng.normal(0, sigma, n))


def load_noisy_sine(options: dict[str, Any]) -> RawData:
    """Regression: y = sin(2x) + x/2 + Gaussian noise, x uniform in [-3, 3]; not linear."""
    n, sigma, rng = _common(options, 0.1)
    x = rng.uniform(-3, 3, (n, 1))
    return _regression_raw(x, np.sin(2 * x[:, 0]) + 0.5 * x[:, 0] + rng.normal(0, sigma, n))
