from __future__ import annotations

import json

import numpy as np

from workbench.cli import main
from workbench.data.dataset import Dataset
from workbench.data.leakage import split_overlap


def make(x_train, y_train, x_val, y_val, x_test, y_test) -> Dataset:
    arrays = [np.asarray(a, dtype=np.float32) if i % 2 == 0 else np.asarray(a, dtype=np.int64)
              for i, a in enumerate((x_train, y_train, x_val, y_val, x_test, y_test))]
    return Dataset(*arrays, input_shape=(2,), input_dtype="float32", num_classes=2,
                   class_names=["a", "b"])


def test_counts_exact_copies_and_conflicting_labels():
    ds = make([[0, 1], [2, 3], [4, 5]], [0, 1, 0],
              [[0, 1], [2, 3], [9, 9]], [0, 0, 1],
              [[4, 5.0001], [7, 7]], [0, 1])
    assert split_overlap(ds) == {"val": {"shared": 2, "total": 3, "conflicting": 1},
                                 "test": {"shared": 0, "total": 2, "conflicting": 0}}


def test_duplicated_csv_rows_are_reported_after_training(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f},{b:.3f},{'x' if a + b > 0 else 'y'}" for a, b in rng.normal(size=(60, 2))]
    path = tmp_path / "dup.csv"
    path.write_text("a,b,label\n" + "\n".join(rows * 3) + "\n")  # every row three times
    code = main(["train", "mlp_digits", "--dataset", "csv", "--data-path", str(path),
                 "--target", "label", "--epochs", "1", "--project", str(tmp_path / "p"),
                 "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    found = {f["code"]: f for f in summary["findings"]}
    assert "leakage_val" in found and "leakage_test" in found
    assert found["leakage_val"]["evidence"]["shared"] > 0


def test_regression_targets_are_compared_as_values_not_truncated():
    from workbench.data import Dataset

    x = np.array([[1.0], [2.0]], dtype=np.float32)
    y = np.array([0.2, 1.5], dtype=np.float32)
    same = Dataset(x_train=x, y_train=y, x_val=x[:1], y_val=np.array([0.7], np.float32),
                   x_test=x[1:], y_test=np.array([1.5], np.float32), input_shape=(1,),
                   input_dtype="float32", num_classes=1, class_names=["t"], task="regression")
    overlap = split_overlap(same)
    assert overlap["val"] == {"shared": 1, "total": 1, "conflicting": 1}  # 0.2 vs 0.7
    assert overlap["test"] == {"shared": 1, "total": 1, "conflicting": 0}
