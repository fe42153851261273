"""RunProbe: per-layer histograms of a checkpoint's weights and gradients, read from disk."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.experiment import RunRequest, execute_run
from workbench.explain.run_probe import RunProbe, histogram
from workbench.graph.templates import mlp
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    request = RunRequest.freeze(mlp(2, hidden=(16,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 200}},
                                {"epochs": 2, "device": "cpu", "batch_size": 32, "lr": 0.05,
                                 "checkpoint_every_seconds": 0},
                                tmp_path_factory.mktemp("project"), name="probe")
    return execute_run(request)["run_dir"]


def test_histogram_of_finite_values():
    result = histogram(np.array([0.0, 1.0, np.nan, np.inf, 1.0]), bins=2)
    assert result["counts"] == [1, 2] and result["edges"] == [0.0, 0.5, 1.0]
    assert histogram(np.array([np.nan])) == {"edges": [], "counts": []}
    assert histogram(np.array([3.0]), bins=1)["edges"] == [2.5, 3.5]


def test_histograms_follow_the_checkpoint_given(run_dir):
    run = RunStore.open(run_dir)
    probe = RunProbe(run_dir)
    first = probe.histograms(run.checkpoint_dir / "epoch_0000.safetensors")
    layer = first["fc1"]
    assert sum(layer["weights"]["counts"]) == 2 * 16 + 16
    assert len(layer["gradients"]["edges"]) == len(layer["gradients"]["counts"]) + 1
    assert sum(layer["gradients"]["counts"]) == 2 * 16 + 16
    second = probe.histograms("epoch:1")
    assert second["fc1"]["weights"] != layer["weights"]  # another epoch, other weights
    assert probe.rebuilt.weights == "checkpoints/epoch_0001.safetensors"
    assert len(probe.x) == 128 and probe.rebuilt.dataset.preprocessing == run.config[
        "preprocessing"]


def test_gradients_are_those_of_the_run_objective(run_dir, monkeypatch):
    probe = RunProbe(run_dir)
    calls = []
    step = probe.objective.step
    monkeypatch.setattr(probe.objective, "step",
                        lambda model, x, y: calls.append(len(x)) or step(model, x, y))
    probe.histograms("last")
    assert calls == [128]
