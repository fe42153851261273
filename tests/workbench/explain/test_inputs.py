"""explain.inputs: raw validation rows line up with x_val; images back in [0, 1]."""

from __future__ import annotations

import numpy as np

from workbench.data import load_dataset
from workbench.data.preprocessing import apply_preprocessing
from workbench.explain.inputs import (
    display_images,
    input_kind_of,
    tabular_column_groups,
    val_raw_rows,
)


def write_csv(path, rows=120):
    rng = np.random.default_rng(3)
    lines = ["size,colour,weight,label"]
    for i in range(rows):
        size = "NA" if i % 17 == 0 else f"{rng.normal():.4f}"
        colour = ["red", "green", "blue"][i % 3]
        lines.append(f"{size},{colour},{rng.normal():.4f},{['a', 'b', 'c'][i % 3]}")
    path.write_text("\n".join(lines) + "\n")


def test_raw_rows_encode_back_to_x_val(tmp_path):
    write_csv(tmp_path / "d.csv")
    config = {"name": "csv", "options": {"path": str(tmp_path / "d.csv"), "target": "label",
                                         "missing_indicator": True}, "split_seed": 4}
    data = load_dataset(config)
    rows = val_raw_rows(data)
    assert len(rows) == len(data.x_val)
    assert np.allclose(apply_preprocessing(data.preprocessing, rows), data.x_val)
    assert [r["label"] for r in rows] == [data.class_names[y] for y in data.y_val]


def test_raw_rows_follow_a_class_subset(tmp_path):
    write_csv(tmp_path / "d.csv")
    config = {"name": "csv", "options": {"path": str(tmp_path / "d.csv"), "target": "label",
                                         "classes": ["c", "a"]}}
    data = load_dataset(config)
    rows = val_raw_rows(data)
    assert np.allclose(apply_preprocessing(data.preprocessing, rows), data.x_val)
    assert {r["label"] for r in rows} <= {"a", "c"}
    assert [r["label"] for r in rows] == [data.class_names[y] for y in data.y_val]


def test_column_groups_keep_one_hot_and_indicator_together(tmp_path):
    write_csv(tmp_path / "d.csv")
    data = load_dataset({"name": "csv", "options": {"path": str(tmp_path / "d.csv"),
                                                    "missing_indicator": True}})
    groups = dict(tabular_column_groups(data.preprocessing))
    names = data.preprocessing["feature_names"]
    assert [names[i] for i in groups["size"]] == ["size", "size_missing"]
    assert [names[i] for i in groups["colour"]] == ["colour=blue", "colour=green", "colour=red"]
    assert input_kind_of(data) == "tabular"


def test_display_images_undo_the_saved_standardization():
    data = load_dataset({"name": "digits_images"})
    shown = display_images(data.preprocessing, data.x_val[:5])
    assert input_kind_of(data) == "image" and shown.shape == data.x_val[:5].shape
    assert shown.min() >= 0.0 and shown.max() <= 1.0
    from sklearn.datasets import load_digits

    raw = load_digits().images / 16.0
    assert any(np.allclose(shown[0, 0], image, atol=1e-5) for image in raw)


def test_raw_rows_hold_kept_out_columns_and_regression_targets_in_their_units(tmp_path):
    rng = np.random.default_rng(1)
    lines = ["a,group,price"] + [f"{v:.4f},{'xy'[i % 2]},{100 + 10 * v:.4f}"
                                 for i, v in enumerate(rng.normal(size=80))]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    config = {"name": "csv", "options": {"path": str(tmp_path / "r.csv"), "target": "price",
                                         "exclude": ["group"]}}
    data = load_dataset(config)
    rows = val_raw_rows(data)
    assert data.task == "regression" and data.preprocessing["feature_names"] == ["a"]
    assert {r["group"] for r in rows} <= {"x", "y"}
    assert all(abs(r["price"] - (100 + 10 * float(r["a"]))) < 1e-3 for r in rows)
