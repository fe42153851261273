"""A trainer callback that reports each epoch's validation value to the trial and stops the
run when the pruner says so (within one epoch: the trainer checks the stop flag before the
next batch).

The step of a report is the number of epochs trained so far (1 after the first epoch), the
resource Optuna's successive halving and Hyperband count: a rung at ``min_resource * eta**k``
judges a trial after exactly that many epochs (with 0-based steps each rung cost one epoch
more: 2, 4, 10 instead of 1, 3, 9 epochs for Hyperband's first bracket at 27 epochs).
"""

from __future__ import annotations

import math
from typing import Any

from workbench.train.callbacks import Callback
from workbench.train.events import EpochEnd


class TrialPruningCallback(Callback):
    """``trial.report(metrics[key], epochs trained)`` after every epoch; ``should_prune`` ->
    stop.

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
        self.trial.report(float(value), event.epoch + 1)
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


# --- the pruner a study keeps (its user attribute "pruner") -------------------------------

PRUNER_ATTR = "pruner"
_PARAMS = {  # kind -> the constructor's parameters, read back from Optuna's attributes
    "median": ("n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"),
    "successive_halving": ("min_resource", "reduction_factor", "min_early_stopping_rate",
                           "bootstrap_count"),
    "hyperband": ("min_resource", "max_resource", "reduction_factor", "bootstrap_count"),
    "none": (),
}


def pruner_config(pruner: Any) -> dict[str, Any] | None:
    """``{"kind": ..., parameters...}`` of one of the Optuna pruners ``make_pruner`` builds
    (JSON, stored with a study); None for another pruner (a test's or a plugin's own)."""
    import optuna

    from workbench.search.optuna_internals import pruner_parameter

    kinds = ((optuna.pruners.NopPruner, "none"), (optuna.pruners.MedianPruner, "median"),
             (optuna.pruners.SuccessiveHalvingPruner, "successive_halving"),
             (optuna.pruners.HyperbandPruner, "hyperband"))
    kind = next((name for cls, name in kinds if type(pruner) is cls), None)
    if kind is None:
        return None
    config: dict[str, Any] = {"kind": kind}
    for name in _PARAMS[kind]:
        value = pruner_parameter(pruner, name)
        config[name] = "auto" if value is None and name == "min_resource" else value
    return config


def pruner_from_config(config: dict[str, Any]) -> Any:
    """The Optuna pruner ``config`` (``pruner_config``) describes."""
    import optuna

    classes = {"none": optuna.pruners.NopPruner, "median": optuna.pruners.MedianPruner,
               "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
               "hyperband": optuna.pruners.HyperbandPruner}
    kind = config.get("kind")
    if kind not in classes:
        raise ValueError(f"unknown pruner kind {kind!r}; expected one of {', '.join(classes)}")
    return classes[kind](**{k: config[k] for k in _PARAMS[kind] if k in config})


def describe_pruner(config: dict[str, Any] | None) -> str:
    """``hyperband (min_resource 1, max_resource 27, ...)`` for messages."""
    if config is None:
        return "a custom pruner"
    params = ", ".join(f"{k} {v}" for k, v in config.items() if k != "kind")
    return f"{config['kind']} ({params})" if params else str(config["kind"])
