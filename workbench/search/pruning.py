"""A trainer callback that reports each epoch's validation value to the trial and stops the
run when the pruner says so (within one epoch: the trainer checks the stop flag before the
next batch)."""

from __future__ import annotations

import math
from typing import Any

from workbench.train.callbacks import Callback
from workbench.train.events import EpochEnd


class TrialPruningCallback(Callback):
    """``trial.report(metrics[key], epoch)`` after every epoch; ``should_prune`` -> stop.

    ``report=False`` (several objectives: Optuna cannot prune those) only counts epochs.
    """

    def __init__(self, trial: Any, key: str, control: Any, report: bool = True) -> None:
        self.trial, self.key, self.control, self.report = trial, key, control, report
        self.pruned_at: int | None = None  # 0-based epoch after which the pruner stopped it
        self.epochs = 0

    def on_event(self, event: object) -> None:
        if not isinstance(event, EpochEnd) or self.pruned_at is not None:
            return
        self.epochs += 1
        value = event.metrics.get(self.key)
        if not self.report or not isinstance(value, (int, float)) or not math.isfinite(value):
            return
        self.trial.report(float(value), event.epoch)
        if self.trial.should_prune():
            self.pruned_at = event.epoch
            request_stop(self.control, "pruned")


def request_stop(control: Any, reason: str) -> None:
    """Stop with a reason where the trainer's RunControl takes one, else a plain stop (the
    runner then records the reason in the run's summary itself)."""
    try:
        control.request_stop(reason=reason)
    except TypeError:
        control.request_stop()
