"""Calibration samples: seeded, from the given split, refused when empty."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.compress.calibration import calibration_reader, calibration_samples
from workbench.compress.errors import CompressError


def test_samples_are_a_seeded_subset():
    x = np.arange(100, dtype=np.float32).reshape(50, 2)
    picked = calibration_samples(x, 10)
    assert picked.shape == (10, 2)
    assert np.array_equal(picked, calibration_samples(x, 10))
    assert {tuple(r) for r in picked} <= {tuple(r) for r in x}
    assert len(calibration_samples(x, 500)) == 50


def test_empty_calibration_set_is_refused():
    with pytest.raises(CompressError, match="calibration set is empty"):
        calibration_samples(np.zeros((0, 4), dtype=np.float32), 10)
    with pytest.raises(CompressError, match="at least 1 sample"):
        calibration_samples(np.zeros((5, 4), dtype=np.float32), 0)


def test_reader_feeds_batches_and_rewinds():
    reader = calibration_reader(np.ones((70, 3), dtype=np.float32), batch=32)
    sizes = [len(reader.get_next()["input"]) for _ in range(3)]
    assert sizes == [32, 32, 6] and reader.get_next() is None
    reader.rewind()
    assert reader.get_next() is not None
