"""Two real (tiny) trainings with a planted danger; benchmarks/health_scenarios.py runs the rest."""

from __future__ import annotations

import numpy as np

from workbench.data.dataset import Dataset
from workbench.graph.templates import mlp
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer


def blobs(n: int = 300, d: int = 8, k: int = 4) -> Dataset:
    rng = np.random.default_rng(0)
    y = (np.arange(n) % k).astype(np.int64)
    x = (rng.normal(0, 2, (k, d))[y] + rng.normal(0, 1, (n, d))).astype(np.float32)
    a, b = int(n * 0.7), int(n * 0.85)
    return Dataset(x[:a], y[:a], x[a:b], y[a:b], x[b:], y[b:], (d,), "float32", k,
                   [f"c{i}" for i in range(k)])


def test_deep_sigmoid_stack_reports_vanishing_only():
    spec = mlp(8, (16,) * 7, 4, activation="Sigmoid")
    summary = Trainer(spec, blobs(), TrainConfig(epochs=4, device="cpu")).fit()
    (found,) = summary["findings"]
    assert found["code"] == "vanishing_gradients"
    assert found["layers"][0] == "fc1" and len(found["layers"]) >= 3
    assert "Sigmoid" in found["explanation"]


def test_relus_killed_by_a_huge_learning_rate_are_one_finding():
    summary = Trainer(mlp(8, (64, 64, 64), 4), blobs(),
                      TrainConfig(epochs=6, lr=1.0, device="cpu")).fit()
    found = {f["code"]: f for f in summary["findings"]}
    dead = found["dead_relu"]
    assert dead["severity"] == "error"
    assert "vanishing_gradients" not in found and "underfitting" not in found
    assert any(layer.startswith("act") for layer in dead["layers"])
    assert any(layer.startswith("fc") for layer in dead["layers"])  # starved layers told here
    assert "vanishing_gradients" in dead["evidence"]["folded"]
