"""Per-layer weight and gradient histograms of a run's checkpoints, read from disk.

``RunProbe`` rebuilds a run once (``workbench.run_model.rebuild_run``: its graph, its dataset
with the saved preprocessing, its training objective) and, for each checkpoint it is given,
loads the saved weights and measures the gradient of the objective's loss on one fixed batch of
training samples. It looks at the
checkpoint, never at a live module, so it cannot disturb a training in progress; the app runs
it on a thread of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HISTOGRAM_BINS = 30
PROBE_BATCH = 128


def histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict[str, list[float]]:
    """{"edges": bins+1 floats, "counts": bins ints} of the finite values."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return {"edges": [], "counts": []}
    lo, hi = float(flat.min()), float(flat.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(flat, bins=bins, range=(lo, hi))
    return {"edges": edges.tolist(), "counts": counts.astype(int).tolist()}


class RunProbe:
    """Per-layer weight and gradient histograms from a run's checkpoints."""

    def __init__(self, run_dir: str | Path) -> None:
        import torch

        from workbench.run_model import rebuild_run

        self.rebuilt = rebuild_run(run_dir, weights=None, purpose="analysis")
        dataset, config = self.rebuilt.dataset, self.rebuilt.config
        generator = np.random.default_rng(config.seed)
        take = min(PROBE_BATCH, len(dataset.x_train))
        rows = generator.choice(len(dataset.x_train), size=take, replace=False)
        self.x = torch.as_tensor(dataset.x_train[rows])
        self.y = torch.as_tensor(dataset.y_train[rows])
        self.objective = self.rebuilt.objective()

    @property
    def module(self) -> Any:
        return self.rebuilt.module

    def histograms(self, checkpoint: str | Path) -> dict[str, dict[str, Any]]:
        """{layer: {"weights": histogram, "gradients": histogram}} for one checkpoint file
        (or any ``weights`` choice of ``rebuild_run``: "best", "last", "epoch:N")."""
        import torch

        from workbench.train.monitors import layer_parameters

        self.rebuilt.load_weights(checkpoint)
        state = self.rebuilt.objective_state()
        if state:
            self.objective.load_state_tensors(state)
        module = self.rebuilt.module
        module.train()
        self.objective.train(True)
        module.zero_grad(set_to_none=True)
        loss = self.objective.step(module, self.x, self.y)[0]
        if torch.isfinite(loss):
            loss.backward()
        result: dict[str, dict[str, Any]] = {}
        for layer, params in layer_parameters(module).items():
            weights = np.concatenate([p.detach().numpy().ravel() for p in params])
            grads = [p.grad.numpy().ravel() for p in params if p.grad is not None]
            result[layer] = {"weights": histogram(weights),
                             "gradients": histogram(np.concatenate(grads)) if grads
                             else {"edges": [], "counts": []}}
        return result
