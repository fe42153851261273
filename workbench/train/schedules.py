"""Learning-rate schedules as pure functions of the epoch (plus plateau state), with warm-up.

The rate is set once per epoch, so the whole schedule state is a few JSON numbers and a resumed
run continues exactly where it left off.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from workbench.train.config import TrainConfig

WARMUP_START = 0.1  # warm-up starts at lr * WARMUP_START


@dataclass
class PlateauState:
    """Reduce-on-plateau bookkeeping (JSON-able for checkpoints)."""

    scale: float = 1.0
    best: float | None = None
    bad_epochs: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# factor(config, epoch after warm-up, epochs after warm-up) -> multiplier of config.lr
ScheduleFactor = Callable[[TrainConfig, int, int], float]
_SCHEDULES: dict[str, ScheduleFactor] = {}


def register_schedule(name: str, factor: ScheduleFactor) -> None:
    """Add schedule ``name``: ``factor(config, e, total)`` with ``e`` the epoch counted after
    warm-up and ``total`` the epochs after warm-up (at least 1)."""
    _SCHEDULES[name] = factor


def schedule_names() -> list[str]:
    """Registered schedule names in registration order."""
    return list(_SCHEDULES)


for _name, _factor in (
        ("constant", lambda c, e, total: 1.0),
        ("step", lambda c, e, total: c.gamma ** (e // c.step_size)),
        ("exponential", lambda c, e, total: c.gamma ** e),
        ("polynomial", lambda c, e, total: max(0.0, 1.0 - e / total) ** c.power),
        ("cosine", lambda c, e, total: 0.5 * (1.0 + math.cos(math.pi * min(e, total) / total))),
        ("plateau", lambda c, e, total: 1.0)):  # the plateau cut is PlateauState.scale
    register_schedule(_name, _factor)


def base_factor(config: TrainConfig, epoch: int) -> float:
    """Multiplier of ``config.lr`` for ``epoch`` (0-based) ignoring warm-up and plateau."""
    e = max(0, epoch - config.warmup_epochs)
    total = max(1, config.epochs - config.warmup_epochs)
    factor = _SCHEDULES.get(config.schedule)
    if factor is None:
        raise ValueError(f"unknown schedule {config.schedule!r}; known: "
                         f"{', '.join(_SCHEDULES)}")
    return factor(config, e, total)


def learning_rate(config: TrainConfig, epoch: int, plateau: PlateauState | None = None) -> float:
    """The rate used during ``epoch``."""
    factor = base_factor(config, epoch)
    if config.warmup_epochs and epoch < config.warmup_epochs:
        factor *= WARMUP_START + (1.0 - WARMUP_START) * epoch / config.warmup_epochs
    if plateau is not None and config.schedule == "plateau":
        factor *= plateau.scale
    return config.lr * factor


def update_plateau(config: TrainConfig, plateau: PlateauState, val_loss: float) -> None:
    """After an epoch: count epochs without improvement and cut the rate when patience runs out."""
    if plateau.best is None or val_loss < plateau.best - 1e-8:
        plateau.best, plateau.bad_epochs = val_loss, 0
        return
    plateau.bad_epochs += 1
    if plateau.bad_epochs > config.plateau_patience:
        plateau.scale *= config.gamma
        plateau.bad_epochs = 0


# schedules whose rates depend on the planned number of epochs (they decay toward 0 at its end)
SPAN_DEPENDENT = ("polynomial", "cosine")


def check_resume_epochs(config: TrainConfig, epochs: int) -> None:
    """ValueError when resuming with ``epochs`` in total would change the schedule's shape.

    Cosine and polynomial decay are planned over ``config.epochs``: recomputed over another
    total, the rate of every epoch from here on changes and jumps back up from near zero. The
    choice made here is to refuse that (a resumed run is the run it was), and to say how to
    get more epochs instead. Every other schedule is a function of the epoch alone, so a
    resumed run keeps its shape whatever the total.
    """
    if config.schedule not in SPAN_DEPENDENT or epochs == config.epochs:
        return
    raise ValueError(
        f"--epochs {epochs}: the run's {config.schedule} schedule decays the learning rate over "
        f"its {config.epochs} epochs, and spread over {epochs} it would change the rate of "
        f"every epoch from here on (jumping back up); a resumed run keeps its schedule. To "
        f"train longer, start a new run from this one's weights (--init-from RUN_DIR), or use "
        f"a schedule that does not depend on the total (constant, step, exponential, plateau)")

