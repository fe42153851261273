"""Evaluate a module on arrays: loss, accuracy and predictions, in batches, without grad."""

from __future__ import annotations

from typing import Any

import numpy as np


def predict_logits(module: Any, x: Any, batch_size: int = 512, device: str = "cpu") -> Any:
    """Logits for every row of ``x`` (numpy or tensor) as a tensor on ``device``."""
    import torch

    xs = torch.as_tensor(x).to(device)
    was_training = module.training
    module.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(xs), batch_size):
            outs.append(module(xs[i:i + batch_size]).float())
    module.train(was_training)
    if not outs:
        return torch.zeros((0, 0))
    return torch.cat(outs)


def evaluate(module: Any, x: Any, y: Any, batch_size: int = 512, device: str = "cpu",
             loss_fn: Any = None) -> dict[str, Any]:
    """{'loss', 'accuracy', 'predictions'} with cross-entropy loss unless ``loss_fn`` is given."""
    import torch

    if len(x) == 0:
        return {"loss": float("nan"), "accuracy": float("nan"),
                "predictions": np.zeros(0, dtype=np.int64)}
    logits = predict_logits(module, x, batch_size, device)
    target = torch.as_tensor(y).to(logits.device)
    fn = loss_fn or torch.nn.functional.cross_entropy
    loss = float(fn(logits, target).item())
    predictions = logits.argmax(dim=1)
    accuracy = float((predictions == target).float().mean().item())
    return {"loss": loss, "accuracy": accuracy,
            "predictions": predictions.cpu().numpy().astype(np.int64)}
