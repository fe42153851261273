"""Growable plot buffers: doubling growth, views, smoothing, NaN strings from metric logs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ui.panels.plot_series import Series, SmoothedSeries


def test_series_grows_by_doubling_and_keeps_points():
    series = Series(capacity=2)
    for i in range(9):
        series.append(i, i * i)
    assert len(series) == 9 and series.capacity == 16
    x, y = series.data()
    assert list(x) == list(range(9)) and y[-1] == 64
    series.extend([9, 10], [81, 100])
    assert series.last() == (10.0, 100.0)
    series.clear()
    assert len(series) == 0 and series.last() is None


def test_series_rejects_bad_input():
    with pytest.raises(ValueError, match="capacity"):
        Series(0)
    with pytest.raises(ValueError, match="lengths differ"):
        Series().extend([1, 2], [1])


def test_metric_log_strings_become_floats():
    series = Series()
    series.extend([0, 1, 2], ["nan", None, "inf"])
    y = series.data()[1]
    assert math.isnan(y[0]) and math.isnan(y[1]) and math.isinf(y[2])


def test_smoothed_series_is_bias_corrected_ema_and_skips_nan():
    series = SmoothedSeries(weight=0.5)
    series.extend([0, 1, 2], [4.0, float("nan"), 2.0])
    y = series.data()[1]
    assert y[0] == pytest.approx(4.0)  # bias correction: first point is the value itself
    assert math.isnan(y[1])
    ema = (0.5 * (0.5 * 4.0) + 0.5 * 2.0) / (1 - 0.25)
    assert y[2] == pytest.approx(ema)
    assert np.isfinite(y[2])
