"""benchmarks/search_scale.py: the steady rate counts each trial's whole duration."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from search_scale import rates  # noqa: E402


def test_perfect_two_worker_scaling_reads_two():
    """12 trials of 6 s: one worker back to back, two workers in pairs. The old
    (n - 1) / (last end - first end) read 2.2 here."""
    one = [(6.0 * i, 6.0 * (i + 1)) for i in range(12)]
    two = [(6.0 * i, 6.0 * (i + 1)) for i in range(6) for _ in range(2)]
    a, b = rates(one, wall=80.0, workers=1), rates(two, wall=40.0, workers=2)
    assert b["steady_per_hour"] / a["steady_per_hour"] == pytest.approx(2.0)
    assert (a["utilization"], b["utilization"]) == (pytest.approx(1.0), pytest.approx(1.0))
    assert a["total_per_hour"] == pytest.approx(12 / 80 * 3600)
    assert a["trial_seconds"] == pytest.approx(6.0) and b["complete"] == 12


def test_idle_workers_show_in_utilization():
    times = [(0.0, 6.0), (6.0, 12.0)]  # 2 workers, one never got a trial
    assert rates(times, wall=20.0, workers=2)["utilization"] == pytest.approx(0.5)
    assert rates([], wall=1.0, workers=1)["complete"] == 0
