"""Evaluate a module on arrays, in batches, without grad: loss and accuracy for classification,
loss, MAE, RMSE and R² in original units for regression."""

from __future__ import annotations

from typing import Any

import numpy as np


def predict_logits(module: Any, x: Any, batch_size: int = 512, device: str = "cpu") -> Any:
    """Logits for every row of ``x`` (numpy, tensor or ImageArray) as a tensor on ``device``."""
    import torch

    # arrays and tensors go to the device whole; a lazy ImageArray (an image cache) is read
    # and converted one batch at a time, never materialized
    xs = torch.as_tensor(x).to(device) if isinstance(x, (np.ndarray, torch.Tensor)) else x
    if xs is x:
        from workbench.data import image_array

        batch_size = min(batch_size, image_array.CHUNK_ROWS)
    was_training = module.training
    module.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(xs), batch_size):
            outs.append(module(torch.as_tensor(xs[i:i + batch_size]).to(device)).float())
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


def evaluate_regression(module: Any, x: Any, y: Any, scaling: tuple[float, float],
                        batch_size: int = 512, device: str = "cpu",
                        loss_fn: Any = None) -> dict[str, Any]:
    """{'loss', 'mae', 'rmse', 'r2', 'predictions'} for standardized targets ``y``.

    ``scaling`` is the target's (mean, std) on the training split; the loss is in the trained
    (standardized) units, the errors and ``predictions`` (float64, N or N x k) in original units.
    """
    import torch

    from workbench.train.task_metrics import regression_scores

    mean, std = scaling
    if len(x) == 0:
        nan = float("nan")
        return {"loss": nan, "mae": nan, "rmse": nan, "r2": nan,
                "predictions": np.zeros(0, dtype=np.float64)}
    outputs = predict_logits(module, x, batch_size, device)
    target = torch.as_tensor(y).to(outputs.device).float()
    fn = loss_fn or torch.nn.functional.mse_loss
    loss = float(fn(outputs, target.reshape(outputs.shape)).item())
    predictions = outputs.cpu().numpy().astype(np.float64) * std + mean
    truth = target.cpu().numpy().astype(np.float64).reshape(predictions.shape) * std + mean
    if predictions.ndim == 2 and predictions.shape[1] == 1:
        predictions = predictions[:, 0]
        truth = truth[:, 0]
    return {"loss": loss, **regression_scores(predictions, truth), "predictions": predictions}
