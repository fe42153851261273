"""TrialPruningCallback reports epochs trained as the step (the resource successive halving
and Hyperband count), and the pruner a study keeps is described and rebuilt from JSON."""

from __future__ import annotations

import json

import optuna
import pytest

from workbench.search.pruning import (
    TrialPruningCallback,
    describe_pruner,
    pruner_config,
    pruner_from_config,
)
from workbench.search.strategies import PRUNERS, make_pruner
from workbench.train.callbacks import RunControl
from workbench.train.events import EpochEnd


def train(study, values):
    """One trial through the callback, one value per epoch; the callback and its control."""
    trial = study.ask()
    control = RunControl()
    callback = TrialPruningCallback(trial, "val_accuracy", control)
    for epoch, value in enumerate(values):
        callback.on_event(EpochEnd(epoch=epoch, metrics={"val_accuracy": value}))
        if callback.pruned_at is not None:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            return callback, control
    study.tell(trial, values[-1])
    return callback, control


def test_a_rung_at_one_epoch_judges_the_trial_after_its_first_epoch():
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    first, _ = train(study, [0.9, 0.9, 0.9])
    assert first.pruned_at is None
    worse, control = train(study, [0.1, 0.2, 0.3])
    assert worse.pruned_at == 0 and worse.epochs == 1  # not after epoch 2 (0-based steps)
    assert control.stop_requested and control.stop_reason == "pruned"
    assert study.trials[1].intermediate_values == {1: 0.1}


@pytest.mark.parametrize("name", PRUNERS)
def test_every_named_pruner_round_trips_through_json(name):
    config = pruner_config(make_pruner(name, 27))
    assert config is not None and config["kind"] == name
    again = pruner_from_config(json.loads(json.dumps(config)))
    assert type(again) is type(make_pruner(name, 27)) and pruner_config(again) == config


def test_hyperband_config_and_description():
    config = pruner_config(optuna.pruners.HyperbandPruner(1, 27, 3))
    assert config == {"kind": "hyperband", "min_resource": 1, "max_resource": 27,
                      "reduction_factor": 3, "bootstrap_count": 0}
    assert describe_pruner(config) == ("hyperband (min_resource 1, max_resource 27, "
                                       "reduction_factor 3, bootstrap_count 0)")
    auto = pruner_config(optuna.pruners.SuccessiveHalvingPruner(min_resource="auto"))
    assert auto["min_resource"] == "auto"
    assert pruner_config(pruner_from_config(auto)) == auto


def test_other_pruners_have_no_config_and_unknown_kinds_are_refused():
    class Own(optuna.pruners.BasePruner):
        def prune(self, study, trial):
            return False

    assert pruner_config(Own()) is None and describe_pruner(None) == "a custom pruner"
    with pytest.raises(ValueError, match="unknown pruner kind 'asha'"):
        pruner_from_config({"kind": "asha"})
