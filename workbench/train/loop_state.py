"""What one call of the Trainer's loop sets up and its parts (epoch, step, checkpoint) share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class LoopState:
    """What one call of the loop sets up and its parts share."""

    train: Any
    val: Any
    objective: Any
    optimizer: Any
    scaler: Any
    use_amp: bool
    groups: dict[str, Any]
    clip_params: list[Any]
    task_metrics: Any
    sample_weights: Any
    batches: int
    started: float
    augmenter: Any
    writer: Any
    last_checkpoint: float
    lr: float = 0.0
    last_snapshot: float = -math.inf
    pending: tuple | None = None  # the last epoch's state when no checkpoint covers it yet
