"""ui/panels/run_compare.py: the best value of a compared metric, by the core's direction."""

from __future__ import annotations

import pytest

from ui.panels.run_compare import METRICS, _best_index
from workbench.train.metric_direction import find_metric_direction


@pytest.mark.parametrize("key", [m.key for m in METRICS])
def test_the_best_run_is_at_the_end_the_core_calls_better(key):
    values = [0.3, 0.9, 0.5]
    direction = find_metric_direction(key)
    expected = None if direction is None else (1 if direction == "maximize" else 0)
    assert _best_index(key, values) == expected


def test_a_size_or_latency_column_is_best_lowest_and_epochs_are_not_ranked():
    assert _best_index("params", [300, 100, 200]) == 1
    assert _best_index("latency_ms", [3.0, 1.0, 2.0]) == 1
    assert _best_index("epochs_run", [3, 1, 2]) is None


def test_a_run_older_than_a_setting_counts_as_its_default():
    from ui.panels.run_compare import differing, run_settings

    old = run_settings({"training": {"epochs": 5}})
    new = run_settings({"training": {"epochs": 5, "augment": "",
                                     "checkpoint_every_seconds": 120.0}})
    assert differing([old, new]) == []
    assert differing([old, run_settings({"training": {"epochs": 5, "augment": "hflip"}})]) \
        == ["augment"]
