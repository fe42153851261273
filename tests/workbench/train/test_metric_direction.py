"""metric_direction: the one rule for which way a metric improves, and its users in the core
(best weights and early stopping, the search's study directions)."""

from __future__ import annotations

import pytest

from workbench.search.settings import OBJECTIVES
from workbench.train.metric_direction import find_metric_direction, is_better, metric_direction
from workbench.train.training_state import TrainingState

UP = ["val_accuracy", "train_accuracy", "accuracy", "val_r2", "test_f1", "samples_per_second",
      "val_precision", "recall"]
DOWN = ["val_loss", "loss", "train_loss", "val_mae", "val_rmse", "latency_ms", "latency",
        "params", "size_bytes", "model_size_bytes", "file_bytes", "macs", "float_mae"]


@pytest.mark.parametrize("name", UP)
def test_higher_is_better(name):
    assert metric_direction(name) == "maximize"


@pytest.mark.parametrize("name", DOWN)
def test_lower_is_better(name):
    assert metric_direction(name) == "minimize"


def test_an_unknown_name_is_refused_with_the_names_it_knows():
    assert find_metric_direction("epochs_run") is None and find_metric_direction("lr") is None
    with pytest.raises(ValueError, match=r"no direction known for the metric 'epochs_run'; "
                                         r"expected a name ending in one of .*accuracy"):
        metric_direction("epochs_run")


def test_is_better_follows_the_direction():
    assert is_better("val_r2", 0.5, None) and is_better("val_r2", 0.6, 0.5)
    assert not is_better("val_r2", 0.4, 0.5)
    assert is_better("val_mae", 0.4, 0.5) and not is_better("val_mae", 0.6, 0.5)


class _Model:
    def state_dict(self):
        return {}


@pytest.mark.parametrize("monitor", ["val_r2", "val_accuracy", "val_loss", "val_rmse"])
def test_best_weights_keep_the_better_end_of_the_monitor(monitor):
    """The trainer's own rule was ``endswith("accuracy")``: R² counted lower-is-better."""
    state = TrainingState()
    values = [0.5, 0.7, 0.6]
    improved = [state.observe({monitor: v, "epoch": i}, monitor, _Model())
                for i, v in enumerate(values)]
    best = max(values) if metric_direction(monitor) == "maximize" else min(values)
    assert state.best_value == best
    assert improved == [True, metric_direction(monitor) == "maximize", False]


def test_the_search_objectives_take_their_direction_from_the_rule():
    assert OBJECTIVES == {name: metric_direction(name) for name in OBJECTIVES}
    assert OBJECTIVES["params"] == "minimize" and OBJECTIVES["val_accuracy"] == "maximize"
