"""Typed events the Trainer emits to its callbacks (the CLI and the GUI are both callbacks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunStarted:
    run_dir: str | None
    config: dict[str, Any]
    device: str
    num_train: int
    num_val: int
    layer_names: list[str] = field(default_factory=list)
    batches_per_epoch: int = 0
    start_epoch: int = 0
    task: str = "classification"  # or "regression"
    target: str = ""  # a regression target's name
    init_report: dict[str, Any] | None = None  # transfer learning: what was loaded/frozen


@dataclass(frozen=True)
class BatchEnd:
    epoch: int  # 0-based
    batch: int  # 0-based within the epoch
    step: int  # global step, 0-based
    loss: float
    accuracy: float | None  # None for a regression batch
    lr: float
    samples_per_second: float


@dataclass(frozen=True)
class EpochEnd:
    epoch: int  # 0-based
    metrics: dict[str, Any]


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str  # "info" | "warning" | "error"
    title: str
    message: str
    epoch: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: str = ""


@dataclass(frozen=True)
class CheckpointSaved:
    epoch: int
    path: str


@dataclass(frozen=True)
class RunFinished:
    summary: dict[str, Any]


@dataclass(frozen=True)
class RunFailed:
    error: str
    message: str


@dataclass(frozen=True)
class DataProgress:
    """A dataset being decoded or generated before training (image folders, big image sets):
    ``done`` of ``total`` rows, the rate, and the seconds left (None until known)."""

    done: int
    total: int
    per_second: float
    seconds_left: float | None
    stage: str
