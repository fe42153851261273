"""mnist1d: the MNIST-1D package's make_dataset with the paper's arguments, seeded, offline."""

from __future__ import annotations

import random

import numpy as np
import pytest

from workbench.data import DataError, DatasetSpec, dataset_info, load_dataset, mnist1d


def test_package_defaults_are_the_papers_4000_train_1000_test():
    args = mnist1d.paper_arguments()
    assert args["num_samples"] == 5000 and args["train_split"] == 0.8
    assert args["final_seq_length"] == 40 and args["seed"] == 42


def test_signals_are_the_packages_and_deterministic_by_seed():
    from mnist1d.data import get_dataset_args, make_dataset

    x, y = mnist1d.make_signals()
    made = make_dataset(get_dataset_args())
    assert np.allclose(x[:4000], made["x"]) and np.allclose(x[4000:], made["x_test"])
    assert np.array_equal(y, np.concatenate([made["y"], made["y_test"]]))
    again, _ = mnist1d.make_signals()
    other, _ = mnist1d.make_signals(seed=7)
    assert np.array_equal(x, again) and not np.allclose(x, other)


def test_global_random_state_is_left_as_found():
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    mnist1d.make_signals(samples=100)
    assert (np.random.random(), random.random()) == expected


def test_loads_as_a_dataset_with_its_own_split():
    ds = load_dataset(DatasetSpec(name="mnist1d", options={"samples": 1000}))
    assert ds.input_shape == (40,) and ds.num_classes == 10 and ds.x_train.dtype == np.float32
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 1000
    assert ds.preprocessing == {"kind": "none"}
    assert dataset_info(DatasetSpec(name="mnist1d")) == ((40,), "float32", 10)


def test_bad_options_are_one_line():
    with pytest.raises(DataError, match="multiple of 10"):
        mnist1d.load_mnist1d({"samples": 1005})
    with pytest.raises(DataError, match="unknown option.*size; expected seed, samples"):
        mnist1d.load_mnist1d({"size": 3})
