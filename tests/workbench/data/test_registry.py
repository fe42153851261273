from __future__ import annotations

import numpy as np
import pytest

from workbench.data import DataError, DatasetSpec, dataset_info, list_datasets, load_dataset

BUILTIN = ["digits", "digits_images", "iris", "wine", "breast_cancer", "moons", "circles",
           "spirals", "xor", "blobs", "sequence"]


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_loads_with_consistent_shapes(name):
    ds = load_dataset(DatasetSpec(name=name))
    assert ds.x_train.shape[1:] == ds.input_shape == ds.x_val.shape[1:] == ds.x_test.shape[1:]
    assert ds.y_train.dtype == np.int64 and ds.num_classes == len(ds.class_names)
    assert set(np.unique(ds.y_train)) == set(range(ds.num_classes))
    assert dataset_info(DatasetSpec(name=name)) == (ds.input_shape, ds.input_dtype,
                                                    ds.num_classes)
    total = len(ds.y_train) + len(ds.y_val) + len(ds.y_test)
    assert abs(len(ds.y_test) / total - 0.15) < 0.03


def test_listing_and_unknown_name():
    assert set(BUILTIN) <= set(list_datasets())
    with pytest.raises(DataError, match="unknown dataset 'nope'"):
        load_dataset({"name": "nope"})


def test_deterministic_and_seed_changes_split():
    a = load_dataset({"name": "iris"})
    b = load_dataset({"name": "iris"})
    c = load_dataset({"name": "iris", "split_seed": 5})
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.y_val, c.y_val) or not np.array_equal(a.x_val, c.x_val)


def test_stratified_split_keeps_class_shares():
    ds = load_dataset({"name": "digits"})
    shares = np.bincount(ds.y_val) / len(ds.y_val)
    assert shares.min() > 0.08 and shares.max() < 0.12


def test_statistics_fitted_on_train_only():
    ds = load_dataset({"name": "wine"})
    assert np.allclose(ds.x_train.mean(0), 0, atol=1e-5)
    assert np.allclose(ds.x_train.std(0), 1, atol=1e-3)
    # Fitting on everything would centre the full data instead; the held-out part is not.
    held_out = np.concatenate([ds.x_val, ds.x_test])
    assert np.abs(held_out.mean(0)).max() > 0.05


def test_option_errors_name_the_option():
    with pytest.raises(DataError, match="'n_samples' must be between"):
        load_dataset({"name": "moons", "options": {"n_samples": 5}})
    with pytest.raises(DataError, match="'noise' must be a number"):
        load_dataset({"name": "blobs", "options": {"noise": "lots"}})
    with pytest.raises(DataError, match="unknown dataset setting"):
        DatasetSpec.from_dict({"name": "iris", "colour": "red"})


def test_sequence_label_depends_on_order():
    ds = load_dataset({"name": "sequence", "options": {"n_samples": 2000}})
    assert ds.input_dtype == "int64"
    # A bag-of-words view (token counts) carries no information about the label.
    vocab = int(ds.preprocessing["vocab_size"])
    counts = np.stack([np.bincount(row, minlength=vocab) for row in ds.x_train])
    assert np.allclose(counts[:, 1:3], 1)
    mean_by_class = [counts[ds.y_train == k, 3:].mean(0) for k in (0, 1)]
    assert np.abs(mean_by_class[0] - mean_by_class[1]).max() < 0.15
    # The order does: A (token 1) before B (token 2) exactly when the label is 1.
    a_first = (np.argmax(ds.x_train == 1, axis=1) < np.argmax(ds.x_train == 2, axis=1))
    assert np.array_equal(a_first.astype(np.int64), ds.y_train)


def test_saved_preprocessing_is_applied_not_refitted():
    fitted = load_dataset({"name": "wine"})
    saved = {**fitted.preprocessing, "mean": [0.0] * 13, "std": [1.0] * 13}
    again = load_dataset({"name": "wine"}, preprocessing=saved)
    assert again.preprocessing == saved
    # Same split, raw values (mean 0 / std 1 leaves them unscaled), not re-fitted statistics.
    assert np.array_equal(again.y_train, fitted.y_train)
    assert not np.allclose(again.x_train.mean(0), 0, atol=1e-3)
    raw_mean = np.asarray(fitted.preprocessing["mean"])
    raw_std = np.asarray(fitted.preprocessing["std"])
    assert np.allclose(again.x_train, fitted.x_train * raw_std + raw_mean, atol=1e-3)
    with pytest.raises(DataError, match="saved preprocessing is of kind 'image'"):
        load_dataset({"name": "wine"}, preprocessing={"kind": "image"})


def _regression_loader(options):
    from workbench.data.raw import RawData

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = 50.0 + 10.0 * x[:, 0] + rng.normal(size=200)
    return RawData(x=x, y=y, class_names=[], target="price", task="regression")


def test_regression_target_standardized_on_train_and_saved():
    from workbench.data import register_dataset

    register_dataset("_test_regression", _regression_loader)
    ds = load_dataset({"name": "_test_regression"})
    assert ds.task == "regression" and ds.num_classes == 1 and ds.class_names == ["price"]
    assert ds.y_train.dtype == np.float32 and ds.y_train.shape == (len(ds.x_train),)
    assert abs(float(ds.y_train.mean())) < 1e-4 and abs(float(ds.y_train.std()) - 1) < 1e-3
    scaling = ds.preprocessing["target_scaling"]
    assert 40 < scaling["mean"] < 60 and 5 < scaling["std"] < 15
    assert ds.class_counts() == {}
    # The saved scaling is reused as it is: shifting its mean shifts every y.
    shifted = {**ds.preprocessing, "target_scaling": {"mean": scaling["mean"] + scaling["std"],
                                                      "std": scaling["std"]}}
    again = load_dataset({"name": "_test_regression"}, preprocessing=shifted)
    assert np.allclose(again.y_train, ds.y_train - 1.0, atol=1e-5)
    with pytest.raises(DataError, match="no 'target_scaling'"):
        load_dataset({"name": "_test_regression"},
                     preprocessing={k: v for k, v in ds.preprocessing.items()
                                    if k != "target_scaling"})
