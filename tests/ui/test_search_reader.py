"""ui/panels/search_reader.py: objective directions by the core's rule."""

from __future__ import annotations

import pytest

from ui.panels.search_reader import direction
from workbench.search.settings import OBJECTIVES
from workbench.train.metric_direction import metric_direction


@pytest.mark.parametrize("objective", [*OBJECTIVES, "val_r2", "latency_ms", "size_bytes"])
def test_direction_is_the_cores(objective):
    """The panel's copy said "maximize" for every objective not in the search's table (a
    latency read as higher-is-better)."""
    assert direction(objective) == metric_direction(objective)


def test_an_unknown_objective_reads_as_maximize():
    assert direction("objective0") == "maximize"
