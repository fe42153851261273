"""Losses by name. All take raw network outputs (logits) and integer class labels.

- ``cross_entropy``: softmax cross-entropy, with optional label smoothing.
- ``bce``: binary cross-entropy with logits on one-hot targets, one sigmoid per class output
  (works for 2 or more classes; each output says "is it this class?").
- ``mse``: mean squared error between softmax probabilities and one-hot targets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.train.config import TrainConfig

LossFactory = Callable[[TrainConfig, int], Callable[[Any, Any], Any]]
_LOSSES: dict[str, LossFactory] = {}


def register_loss(name: str, factory: LossFactory) -> None:
    _LOSSES[name] = factory


def _cross_entropy(config: TrainConfig, num_classes: int):
    import torch

    return torch.nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)


def _bce(config: TrainConfig, num_classes: int):
    import torch
    import torch.nn.functional as F

    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        target = F.one_hot(y, num_classes).to(logits.dtype)
        return F.binary_cross_entropy_with_logits(logits, target)

    return loss


def _mse(config: TrainConfig, num_classes: int):
    import torch
    import torch.nn.functional as F

    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        target = F.one_hot(y, num_classes).to(logits.dtype)
        return F.mse_loss(torch.softmax(logits, dim=-1), target)

    return loss


for _name, _factory in (("cross_entropy", _cross_entropy), ("bce", _bce), ("mse", _mse)):
    register_loss(_name, _factory)


def make_loss(config: TrainConfig, num_classes: int):
    if config.loss not in _LOSSES:
        raise ValueError(f"unknown loss {config.loss!r}; known: {', '.join(sorted(_LOSSES))}")
    return _LOSSES[config.loss](config, num_classes)
