"""A tiny trained run for the prune / quantize GUI tests: an MLP on moons whose hidden layer
has 2 units (so a ratio of 0.99 would remove the whole layer), trained for one epoch."""

from __future__ import annotations

from pathlib import Path

from workbench.experiment import RunRequest, execute_run
from workbench.graph.templates import mlp

MOONS = {"name": "moons", "options": {"n_samples": 160}}


def train_tiny_run(project_dir: Path, hidden: tuple[int, ...] = (2,)) -> Path:
    """The run folder of a one-epoch MLP (2 inputs, ``hidden`` units, 2 classes) on moons."""
    request = RunRequest.freeze(mlp(input_size=2, hidden=hidden, num_classes=2), dict(MOONS),
                                {"epochs": 1, "batch_size": 32, "device": "cpu"}, project_dir,
                                name="tiny")
    return Path(execute_run(request)["run_dir"])
