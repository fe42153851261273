"""TrainConfig: every option the trainer offers, JSON-able and validated.

Plain settings are fields with metadata ``help`` and limits (``low``/``high``, ``choices``);
choices that plugins extend are live :class:`RegistryChoices` (``metadata["choices_from"]()``
lists the current names). Nested sections (``objective``, ``init``) carry
``metadata["section"] = True`` and ``metadata["cls"]``; generators of flags and form rows that
handle plain values skip them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from workbench.data.augment import HELP as AUGMENT_HELP
from workbench.data.augment import normalize_augment
from workbench.train.config_sections import (
    InitConfig,
    ObjectiveConfig,
    RegistryChoices,
    build_section,
    check_fields,
    section,
)
from workbench.train.config_sections import opt as _opt

_AUGMENT_HELP = AUGMENT_HELP.replace("%", "%%")  # argparse formats help text

# Live views of the registries (plugins may register more).
OPTIMIZERS = RegistryChoices("workbench.train.optimizers", "optimizer_names")
SCHEDULES = RegistryChoices("workbench.train.schedules", "schedule_names")
# "auto": cross_entropy for a classification dataset, mse for a regression one.
LOSSES = RegistryChoices("workbench.train.losses", "loss_names", fixed=("auto",))
OBJECTIVES = RegistryChoices("workbench.train.objectives", "objective_names")
# val_accuracy is for classification only; val_mae / val_rmse for regression only.
MONITORS = ("val_loss", "val_accuracy", "val_mae", "val_rmse")
DEVICES = ("auto", "cpu", "cuda", "mps")
__all__ = ["TrainConfig", "InitConfig", "ObjectiveConfig", "RegistryChoices", "OPTIMIZERS",
           "SCHEDULES", "LOSSES", "OBJECTIVES", "MONITORS", "DEVICES", "section_fields"]


@dataclass
class TrainConfig:
    """Settings of one training run. Validated on construction from a dict."""

    epochs: int = _opt(20, "passes over the training data", low=1, high=100_000)
    batch_size: int = _opt(64, "samples per gradient step", low=1, high=1_000_000)
    optimizer: str = _opt("adam", "sgd, adagrad, rmsprop, adam, adamw or a plugin's",
                       choices=OPTIMIZERS)
    lr: float = _opt(1e-3, "learning rate", low=0.0, high=1e6)
    momentum: float = _opt(0.0, "SGD/RMSprop momentum", low=0.0, high=0.999999)
    nesterov: bool = _opt(False, "Nesterov momentum (SGD, needs momentum > 0)")
    weight_decay: float = _opt(0.0, "decoupled for adamw, L2-style for the others",
                               low=0.0, high=10.0)
    beta1: float = _opt(0.9, "Adam/AdamW first-moment decay", low=0.0, high=0.999999)
    beta2: float = _opt(0.999, "Adam/AdamW second-moment decay", low=0.0, high=0.999999)
    schedule: str = _opt("constant", "learning-rate schedule", choices=SCHEDULES)
    step_size: int = _opt(10, "epochs between drops (step schedule)", low=1, high=100_000)
    gamma: float = _opt(0.5, "decay factor (step, exponential, plateau)", low=0.0, high=1.0)
    power: float = _opt(1.0, "exponent of the polynomial schedule", low=0.0, high=10.0)
    plateau_patience: int = _opt(3, "epochs without improvement before a plateau drop",
                                 low=0, high=10_000)
    warmup_epochs: int = _opt(0, "linear warm-up from lr/10 over this many epochs",
                              low=0, high=10_000)
    loss: str = _opt("auto", "auto (cross_entropy for classes, mse for regression), "
                     "cross_entropy, bce, mse, mae or huber", choices=LOSSES)
    label_smoothing: float = _opt(0.0, "cross-entropy label smoothing", low=0.0, high=0.999)
    l1: float = _opt(0.0, "L1 penalty on weights", low=0.0, high=10.0)
    l2: float = _opt(0.0, "L2 penalty on weights (added to the loss)", low=0.0, high=10.0)
    grad_clip: float = _opt(0.0, "clip the gradient norm to this (0 = off)", low=0.0, high=1e6)
    early_stopping: int = _opt(0, "stop after this many epochs without improvement (0 = off)",
                               low=0, high=100_000)
    monitor: str = _opt("val_loss", "metric for early stopping and best weights",
                        choices=MONITORS)
    restore_best: bool = _opt(True, "end with the best weights, not the last")
    balanced_sampling: bool = _opt(False, "draw batches with equal class frequency")
    seed: int = _opt(0, "random seed (same seed + config on CPU = same run)", low=0,
                     high=2**31 - 1)
    device: str = _opt("auto", "auto, cpu, cuda or mps", choices=DEVICES)
    mixed_precision: bool = _opt(False, "float16 autocast on CUDA; pays off for large layers "
                                 "only (a 1.9M-parameter MLP ran 0.65x as fast on an H100)")
    monitors: bool = _opt(True, "gradient norms and dead units each epoch")
    checkpoint_every: int = _opt(1, "save a checkpoint every N epochs", low=1, high=100_000)
    checkpoint_every_seconds: float = _opt(
        120.0, "and at most one checkpoint per this many seconds (0 = every N epochs); the "
        "last epoch and every stop are always saved; written in the background",
        low=0.0, high=1e7)
    time_budget_seconds: float = _opt(0.0, "end the run (reason 'budget') after the epoch that "
                                      "passes this many seconds (0 = no limit)",
                                      low=0.0, high=1e9)
    augment: str = _opt("", _AUGMENT_HELP)
    objective: ObjectiveConfig = section(ObjectiveConfig, "what training minimizes")
    init: InitConfig = section(InitConfig, "first weights from a run, frozen layers")

    def __post_init__(self) -> None:
        for f in section_fields():
            setattr(self, f.name, build_section(f.metadata["cls"], getattr(self, f.name), f.name))
        # a list of items in a project file, or any spelling: the canonical text
        self.augment = normalize_augment(self.augment)
        check_fields(self)
        if self.nesterov and (self.optimizer != "sgd" or self.momentum <= 0):
            raise ValueError("'nesterov' needs optimizer sgd with momentum > 0, found "
                             f"optimizer {self.optimizer} with momentum {self.momentum}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown training setting(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(names))}")
        return cls(**data)


def section_fields() -> list[dataclasses.Field]:
    """The nested-section fields of TrainConfig (``objective``, ``init``)."""
    return [f for f in dataclasses.fields(TrainConfig) if f.metadata.get("section")]
