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

    ``report=False`` (several objectives: Optuna cannot prune those) only counts epochs, and
    so does a study without a pruner (NopPruner): each report is a storage commit and
    ``should_prune`` a read, per epoch, that nothing would use (the run folder keeps the
    per-epoch metrics).
    """

    def __init__(self, trial: Any, key: str, control: Any, report: bool = True) -> None:
        self.trial, self.key, self.control = trial, key, control
        self.report = report and pruner_can_prune(trial)
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


def pruner_can_prune(trial: Any) -> bool:
    """False when ``trial``'s study has Optuna's NopPruner (``--pruner none``)."""
    import optuna

    study = getattr(trial, "study", None)
    return not isinstance(getattr(study, "pruner", None), optuna.pruners.NopPruner)


def request_stop(control: Any, reason: str) -> None:
    """Stop with a reason where the trainer's RunControl takes one, else a plain stop (the
    runner then records the reason in the run's summary itself)."""
    try:
        control.request_stop(reason=reason)
    except TypeError:
        control.request_stop()
