"""A finished run folder without training: config.json, summary and a best.safetensors whose
tensors have the shapes the network's layers have (zeros), for the fine-tune tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from workbench.graph.templates import mlp
from workbench.runs.run_store import RunStore


def make_parent_run(project_dir: Path, weights: bool = True, classes: int = 2) -> Path:
    spec = mlp(input_size=2, hidden=(16,), num_classes=classes)
    run = RunStore.create(project_dir, "pretrain")
    run.save_config({"graph": spec.to_dict(), "dataset": {"name": "moons", "options": {}},
                     "training": {"epochs": 2}})
    run.write_summary({"val_accuracy": 0.875, "stopped_reason": "completed"})
    if weights:
        save_file({"fc1.weight": np.zeros((16, 2), np.float32),
                   "fc1.bias": np.zeros(16, np.float32),
                   "fc2.weight": np.zeros((classes, 16), np.float32),
                   "fc2.bias": np.zeros(classes, np.float32)},
                  str(run.path / "best.safetensors"))
    return run.path
