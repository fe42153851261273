"""Losses by name, per task. All take the raw network outputs and the batch's targets.

Classification (targets are int64 class indices, outputs are one logit per class; with mixup
or cutmix augmentation the training targets are (B, K) float class probabilities instead, which
every classification loss here takes as well):

- ``cross_entropy``: softmax cross-entropy, with optional label smoothing.
- ``bce``: binary cross-entropy with logits on one-hot targets, one sigmoid per class output
  (works for 2 or more classes; each output says "is it this class?").
- ``mse``: mean squared error between softmax probabilities and one-hot targets.

Regression (targets are float32, standardized with the training split's mean and std, outputs
are the predicted values in the same standardized units):

- ``mse``: mean squared error.
- ``mae``: mean absolute error (L1); less pulled by outliers.
- ``huber``: squared below 1 standard deviation of the target, absolute above it.

``auto`` is cross_entropy for classification and mse for regression.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # config validation imports this module: no cycle at run time
    from workbench.train.config import TrainConfig

LossFactory = Callable[["TrainConfig", int], Callable[[Any, Any], Any]]
TASKS = ("classification", "regression")
_LOSSES: dict[str, dict[str, LossFactory]] = {task: {} for task in TASKS}
DEFAULT_LOSS = {"classification": "cross_entropy", "regression": "mse"}


def register_loss(name: str, factory: LossFactory, task: str = "classification") -> None:
    """Add a loss for ``task`` ("classification" or "regression")."""
    if task not in _LOSSES:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, found {task!r}")
    _LOSSES[task][name] = factory


def loss_names() -> list[str]:
    """Every registered loss name, any task, in registration order (without ``auto``)."""
    names: list[str] = []
    for task in TASKS:
        names += [n for n in _LOSSES[task] if n not in names]
    return names


def losses_for(task: str) -> list[str]:
    """Names of the losses that fit ``task``."""
    return sorted(_LOSSES.get(task, {}))


def resolve_loss(name: str, task: str) -> str:
    """The concrete loss name: ``auto`` becomes the task's default."""
    return DEFAULT_LOSS.get(task, "cross_entropy") if name == "auto" else name


def loss_task_error(name: str, task: str) -> str | None:
    """Why loss ``name`` cannot train a ``task`` dataset, or None when it can."""
    name = resolve_loss(name, task)
    if task not in _LOSSES:
        return f"task must be one of {', '.join(TASKS)}, found {task!r}"
    if name in _LOSSES[task]:
        return None
    other = next((t for t in TASKS if t != task and name in _LOSSES[t]), None)
    if other is not None:
        return (f"loss '{name}' is for {other}, not {task}; expected "
                f"{', '.join(losses_for(task))} (or auto)")
    return f"unknown loss {name!r}; known for {task}: {', '.join(losses_for(task))}"


def _cross_entropy(config: TrainConfig, num_classes: int):
    import torch

    return torch.nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)


def class_probabilities(y: Any, num_classes: int, dtype: Any) -> Any:
    """Targets as (B, K) probabilities: one-hot class indices, or soft targets as they are."""
    import torch.nn.functional as F

    if y.is_floating_point():
        return y.to(dtype)
    return F.one_hot(y, num_classes).to(dtype)


def _bce(config: TrainConfig, num_classes: int):
    import torch
    import torch.nn.functional as F

    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        target = class_probabilities(y, num_classes, logits.dtype)
        return F.binary_cross_entropy_with_logits(logits, target)

    return loss


def _mse_onehot(config: TrainConfig, num_classes: int):
    import torch
    import torch.nn.functional as F

    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        target = class_probabilities(y, num_classes, logits.dtype)
        return F.mse_loss(torch.softmax(logits, dim=-1), target)

    return loss


def _regression(kind: str) -> LossFactory:
    def factory(config: TrainConfig, num_outputs: int):
        import torch
        import torch.nn.functional as F

        fn = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss}[kind]

        def loss(outputs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return fn(outputs.float(), y.reshape(outputs.shape).to(torch.float32))

        return loss

    return factory


for _name, _factory in (("cross_entropy", _cross_entropy), ("bce", _bce), ("mse", _mse_onehot)):
    register_loss(_name, _factory, "classification")
for _name in ("mse", "mae", "huber"):
    register_loss(_name, _regression(_name), "regression")


def make_loss(config: TrainConfig, num_classes: int, task: str = "classification"):
    """The loss function ``(outputs, targets) -> scalar`` for ``config.loss`` on ``task``."""
    error = loss_task_error(config.loss, task)
    if error:
        raise ValueError(error)
    return _LOSSES[task][resolve_loss(config.loss, task)](config, num_classes)
