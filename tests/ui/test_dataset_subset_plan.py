"""The Qt-free figures behind the Classes and Training Share dialog."""

from __future__ import annotations

import subprocess
import sys

from ui.dialogs.dataset_subset_plan import (
    availability,
    carry_message,
    carry_subset,
    class_indices,
    classes_option,
    preview_text,
    short_text,
    subset_options,
    with_subset,
)
from workbench.data import load_dataset
from workbench.data.subsets import class_index
from workbench.paths import REPO_ROOT

DIGITS = [str(i) for i in range(10)]
IRIS = ["setosa", "versicolor", "virginica"]


def test_the_plan_imports_no_qt():
    code = ("import sys, ui.dialogs.dataset_subset_plan as p; "
            "p.availability({'name': 'diabetes'}); assert 'PySide6' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_options_leave_out_defaults_and_write_digits_as_numbers():
    assert subset_options(list(range(10)), DIGITS, 100) == {}
    assert subset_options([5, 6, 7, 8, 9], DIGITS, 10) == {"classes": [5, 6, 7, 8, 9],
                                                           "train_fraction": 0.1}
    assert subset_options([2, 0], IRIS, 100) == {"classes": ["virginica", "setosa"]}
    assert subset_options([1, 0, 2], IRIS, 100) == {"classes": ["versicolor", "setosa",
                                                                "virginica"]}  # reordered
    assert subset_options([0, 1, 2], IRIS, 3.3, {"train_fraction": 0.0333}) == {
        "train_fraction": 0.0333}  # unchanged in the spin box's digits: kept as written
    assert classes_option([3], ["a", "3", "x", "y"]) == ["y"]


def test_class_indices_by_name_or_index_in_the_given_order():
    assert class_indices([9, "5", 7], DIGITS) == [9, 5, 7]
    assert class_indices(["virginica", 0, "nope", 7], IRIS) == [2, 0]
    assert class_indices("virginica", IRIS) == []


def test_class_indices_follow_the_core_rule_where_the_copies_used_to_differ():
    """The dialog used its own copy, which dropped ``20`` for the class named "20" (the
    loader keeps it) and read "²" as a digit; now both call the core's ``class_index``."""
    labels = ["10", "20", "30"]
    wanted = [20, "30", " 0 ", "²", "--1", 7, 20]
    assert class_indices(wanted, labels) == [1, 2, 0]
    assert class_indices(wanted, labels) == [i for i in dict.fromkeys(
        class_index(w, labels) for w in wanted) if i is not None]


def test_preview_counts_are_the_loaders():
    dataset = {"name": "digits_images", "options": {}}
    subset = {"classes": [5, 6, 7, 8, 9], "train_fraction": 0.1}
    ok, text = preview_text(dataset, subset)
    only = load_dataset(with_subset(dataset, {"classes": [5, 6, 7, 8, 9]}))
    both = load_dataset(with_subset(dataset, subset))
    assert ok
    assert text.startswith("keeps 5 of 10 classes: 5, 6, 7, 8, 9")
    assert f"training split {len(only.y_train)} -> {len(both.y_train)} samples" in text
    assert len(both.y_train) < len(only.y_train) and len(both.y_val) == len(only.y_val)
    ok, text = preview_text(dataset, {"train_fraction": 0.5})
    assert ok and "keeps all 10 classes" in text and "validation and test unchanged" in text
    ok, text = preview_text(dataset, {"classes": [5, 42]})
    assert not ok and "42" in text  # the core's own message


def test_availability_refuses_regression_and_unloadable_data(tmp_path):
    assert availability({"name": "digits", "options": {}}) == (True, "")
    ok, why = availability({"name": "diabetes", "options": {}})
    assert not ok and "regression" in why
    ok, why = availability({"name": "csv", "options": {"path": str(tmp_path / "none.csv"),
                                                        "target": "y"}})
    assert not ok and "cannot be loaded" in why


def test_switching_datasets_carries_what_applies():
    old = {"name": "digits_images", "options": {"classes": [9, 5], "train_fraction": 0.2}}
    assert carry_subset(old, {"name": "digits", "options": {}}) == (
        {"classes": [9, 5], "train_fraction": 0.2}, [])
    kept, dropped = carry_subset(old, {"name": "iris", "options": {}})
    assert kept == {"train_fraction": 0.2} and "classes" in dropped[0]
    assert "kept training share 20%" in carry_message(kept, dropped)
    kept, dropped = carry_subset(old, {"name": "diabetes", "options": {}})
    assert kept == {} and "regression" in dropped[0]
    assert carry_subset({"name": "digits", "options": {}}, {"name": "iris"}) == ({}, [])


def test_short_text_for_the_toolbar_button():
    assert short_text({"name": "digits", "options": {}}) == ""
    assert short_text({"name": "digits", "options": {"classes": [0, 1],
                                                     "train_fraction": 0.25}}) == \
        "2 classes, 25% train"
