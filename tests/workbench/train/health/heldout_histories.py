"""Held-out histories: written before the fold rules of issue 22 changed, never tuned on.

Each family draws its shape from a seeded generator (lengths, rates, noise, spikes), and what it
plants is known by construction, not by asking the checks. ``test_heldout.py`` asserts that
every planted danger is shown, that a planted overfitting is its own finding (never folded into
another cause and explained away), and that nothing planted as absent is claimed. Do not change
these families to make the checks pass; change the checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Heldout:
    name: str
    history: list[dict[str, Any]]
    context: dict[str, Any]
    planted: set[str]                            # dangers the curves show on their own
    absent: set[str] = field(default_factory=set)  # codes that must not be shown


def _rows(train: np.ndarray, val: np.ndarray, train_acc: np.ndarray, val_acc: np.ndarray
          ) -> list[dict[str, Any]]:
    return [{"epoch": i, "train_loss": float(t), "val_loss": float(v),
             "train_accuracy": float(a), "val_accuracy": float(b)}
            for i, (t, v, a, b) in enumerate(zip(train, val, train_acc, val_acc))]


def overfit_long(seed: int, spikes: bool) -> Heldout:
    """A wide net trained long on small noisy data: training loss decays toward ~0.05 while the
    validation loss, after its minimum early on, climbs to 2-3x it; optionally with spikes."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 400))
    floor = rng.uniform(0.02, 0.1)
    epochs = np.arange(n)
    train = floor + (1.0 - floor) * np.exp(-epochs / (n * rng.uniform(0.08, 0.2)))
    train *= np.exp(rng.normal(0, 0.05, n))
    if spikes:
        for at in rng.choice(np.arange(10, n), size=int(rng.integers(2, 6)), replace=False):
            train[at] *= rng.uniform(4, 12)
    best = int(n * rng.uniform(0.05, 0.3))
    low = rng.uniform(0.6, 1.0)
    top = low * rng.uniform(2.0, 3.2)
    val = np.where(epochs <= best, 1.2 - (1.2 - low) * epochs / max(best, 1),
                   low + (top - low) * (epochs - best) / max(n - 1 - best, 1))
    val *= np.exp(rng.normal(0, 0.02, n))
    train_acc = np.clip(1 - train / 2, 0, 0.995)
    val_acc = np.full(n, rng.uniform(0.7, 0.85))
    planted = {"overfitting"} | ({"loss_spikes"} if spikes else set())
    return Heldout(f"overfit_long{'_spikes' if spikes else ''}_{seed}",
                   _rows(train, val, train_acc, val_acc), {"num_classes": 4}, planted)


def val_below_train(seed: int) -> Heldout:
    """A small regression set whose validation loss stays below the training loss throughout
    (easier validation rows, dropout noise on the training loss); late on the validation loss
    creeps up a little but never above the training loss."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 150))
    epochs = np.arange(n)
    train = 0.4 + 0.8 * np.exp(-epochs / (n * 0.2)) + rng.normal(0, 0.01, n)
    best = int(n * rng.uniform(0.4, 0.7))
    val = 0.6 * train
    val[best:] = val[best] * (1 + 0.25 * (epochs[best:] - best) / max(n - best, 1))
    val = np.minimum(val, train - 0.02)
    rows = [{"epoch": i, "train_loss": float(t), "val_loss": float(v), "val_r2": 0.6}
            for i, (t, v) in enumerate(zip(train, val))]
    return Heldout(f"val_below_train_{seed}", rows, {"task": "regression"}, set(),
                   {"overfitting"})


def healthy(seed: int) -> Heldout:
    """Both losses fall and level off, validation a little above training."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 120))
    epochs = np.arange(n)
    train = 0.1 + 0.9 * np.exp(-epochs / (n * rng.uniform(0.1, 0.3)))
    val = train * 1.1 + 0.05
    acc = np.clip(1 - train / 1.2, 0, 0.99)
    return Heldout(f"healthy_{seed}", _rows(train, val, acc, acc - 0.03), {"num_classes": 3},
                   set(), {"overfitting", "loss_spikes", "noisy_loss", "underfitting"})


def short_bounce(seed: int) -> Heldout:
    """A learning rate too high for a few epochs: the training loss jumps once and the
    validation loss follows it up for 3-4 epochs, then the run ends. No steady memorizing."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(0.9, 1.2)
    train = [start * f for f in (1.0, 0.8, 0.62, 0.5, 0.45)]
    train += [train[-1] * rng.uniform(4, 6), train[-1] * 0.95]
    val = [start * f for f in (1.0, 0.72, 0.55, 0.6, 0.68, 0.8, 0.9)]
    acc = [0.5, 0.7, 0.8, 0.85, 0.88, 0.6, 0.86]
    return Heldout(f"short_bounce_{seed}", _rows(np.array(train), np.array(val),
                                                 np.array(acc), np.array(acc) - 0.05),
                   {"num_classes": 2}, {"loss_spikes"})


def corpus() -> list[Heldout]:
    """Every held-out history (deterministic)."""
    cases = [overfit_long(s, spikes=s % 2 == 0) for s in range(10)]
    cases += [val_below_train(s) for s in range(5)]
    cases += [healthy(s) for s in range(5)]
    cases += [short_bounce(s) for s in range(3)]
    assert all(math.isfinite(row["train_loss"]) for case in cases for row in case.history)
    return cases
