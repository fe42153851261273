"""Dataset options 'classes' and 'train_fraction' (workbench/data/subsets.py via load_dataset)."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import load_dataset
from workbench.data.errors import DataError
from workbench.data.fingerprint import data_fingerprint
from workbench.data.raw import RawData
from workbench.data.subsets import class_index, select_classes


def _digits(**options):
    return load_dataset({"name": "digits", "options": options})


def _raw(data, which):
    """A split's samples before standardization."""
    pre = data.preprocessing
    return data.split(which)[0] * np.array(pre["std"]) + np.array(pre["mean"])


def test_classes_keeps_and_relabels_the_chosen_classes():
    full = _digits()
    part = _digits(classes=[5, 6, 7, 8, 9])
    assert part.num_classes == 5 and part.class_names == ["5", "6", "7", "8", "9"]
    assert set(np.unique(part.y_train)) == {0, 1, 2, 3, 4}
    total = sum(len(part.split(s)[1]) for s in ("train", "val", "test"))
    assert total == sum(int((full.split(s)[1] >= 5).sum()) for s in ("train", "val", "test"))
    # names as strings and indices mean the same classes
    assert _digits(classes=["5", "6", "7", "8", "9"]).class_names == part.class_names
    assert part.load_report["subset"]["classes"] == [5, 6, 7, 8, 9]
    assert any("classes kept: 5, 6, 7, 8, 9 of 10" in n for n in part.load_report["notes"])


def test_classes_by_name_in_the_order_given():
    iris = load_dataset({"name": "iris", "options": {"classes": ["virginica", "setosa"]}})
    assert iris.class_names == ["virginica", "setosa"]
    assert iris.num_classes == 2
    assert len(iris.y_train) + len(iris.y_val) + len(iris.y_test) == 100


def test_train_fraction_touches_only_the_training_split():
    full = _digits(classes=[5, 6, 7, 8, 9])
    tenth = _digits(classes=[5, 6, 7, 8, 9], train_fraction=0.1)
    for which in ("val", "test"):   # the same samples (scaled by the smaller train split)
        assert np.allclose(_raw(tenth, which), _raw(full, which), atol=1e-4)
        assert np.array_equal(tenth.split(which)[1], full.split(which)[1])
    assert len(tenth.y_train) == pytest.approx(0.1 * len(full.y_train), abs=5)
    counts = np.bincount(tenth.y_train, minlength=5)
    assert counts.min() >= counts.max() - 1   # stratified: about equal per class
    kept = {row.tobytes() for row in tenth.x_train}
    assert len(kept) == len(tenth.x_train)
    again = _digits(classes=[5, 6, 7, 8, 9], train_fraction=0.1)
    assert np.array_equal(again.x_train, tenth.x_train)   # seeded
    assert tenth.load_report["subset"]["train_rows"] == len(tenth.y_train)
    assert any("validation and test untouched" in n for n in tenth.load_report["notes"])


def test_fingerprint_follows_the_subset_options():
    plain = data_fingerprint({"name": "digits", "options": {}})
    subset = data_fingerprint({"name": "digits", "options": {"classes": [0, 1]}})
    assert plain.sha256 != subset.sha256


@pytest.mark.parametrize("options, message", [
    ({"classes": [5, 12]}, r"lists 12, which is neither a class name nor an index 0..9"),
    ({"classes": [5]}, r"at least 2 class names or indices, found \[5\]"),
    ({"classes": [5, "5"]}, r"names a class twice"),
    ({"classes": "5,6"}, r"must be a list"),
    ({"train_fraction": 0}, r"'train_fraction' must be a number in \(0, 1\], found 0"),
    ({"train_fraction": 1.5}, r"found 1.5"),
])
def test_bad_subset_options_are_named(options, message):
    with pytest.raises(DataError, match=message):
        _digits(**options)


def test_classes_on_a_regression_dataset_is_refused():
    with pytest.raises(DataError, match="'classes' is for classification datasets"):
        load_dataset({"name": "diabetes", "options": {"classes": [0, 1]}})


LABELS = ["10", "20", "30"]  # class names that are numbers, not their own indices


@pytest.mark.parametrize(("wanted", "index"), [
    ("20", 1), (1, 1), ("1", 1), (" 2 ", 2),  # a name first, then an index
    (20, 1),  # out of range as an index, but the name of a class
    ("--1", None), ("²", None), (-1, None), (3, None), (True, None), (1.0, None), ("x", None),
])
def test_class_index_is_a_name_then_an_index_then_a_number_that_names_a_class(wanted, index):
    assert class_index(wanted, LABELS) == index


def test_the_loader_keeps_the_class_a_number_names():
    raw = RawData(x=np.zeros((4, 1)), y=np.array([0, 1, 2, 1]), class_names=LABELS)
    kept, _ = select_classes(raw, {"classes": [20, "30"]}, "labels")
    assert kept.class_names == ["20", "30"] and kept.y.tolist() == [0, 1, 0]
    with pytest.raises(DataError, match=r"lists '--1'; expected a class name or index"):
        select_classes(raw, {"classes": ["--1", 1]}, "labels")
