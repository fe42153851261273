"""CSV option 'exclude': columns kept out of the inputs but kept as raw strings per split."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import DataError, load_dataset
from workbench.data.dataset import DatasetSpec

HEADER = "age,city,score,label\n"


def spec(tmp_path, n=60, **options):
    cities = ["oslo", "rome", "lima"]
    rows = "".join(f"{20 + i},{cities[i % 3]},{i * 0.5},{'yes' if i % 2 else 'no'}\n"
                   for i in range(n))
    path = tmp_path / "d.csv"
    path.write_text(HEADER + rows)
    return {"name": "csv", "options": {"path": str(path), "target": "label", **options}}


@pytest.mark.parametrize("exclude", [["city"], "city", " city , "])
def test_excluded_column_is_no_input_but_a_row_column(tmp_path, exclude):
    ds = load_dataset(spec(tmp_path, exclude=exclude))
    assert ds.preprocessing["feature_names"] == ["age", "score"]
    assert ds.input_shape == (2,)
    assert ds.load_report["excluded_columns"] == ["city"]
    for which in ("train", "val", "test"):
        columns = ds.row_columns[which]
        assert set(columns) == {"age", "city", "score"}
        x, y = ds.split(which)
        assert all(len(v) == len(y) for v in columns.values())
        # aligned row for row: the raw age string standardizes to the model's input
        age = np.array([float(a) for a in columns["age"]])
        pre = ds.preprocessing["columns"][0]
        assert np.allclose((age - pre["mean"]) / pre["std"], x[:, 0], atol=1e-5)
        # in this file, the city is a function of the age: 20 + i with city i % 3
        cities = ["oslo", "rome", "lima"]
        assert list(columns["city"]) == [cities[(int(a) - 20) % 3] for a in columns["age"]]


def test_without_exclude_every_feature_is_a_row_column(tmp_path):
    ds = load_dataset(spec(tmp_path))
    assert set(ds.row_columns["val"]) == {"age", "city", "score"}
    assert "excluded_columns" not in ds.load_report
    assert load_dataset({"name": "iris"}).row_columns == {}


def test_exclude_with_classes_subset_stays_aligned(tmp_path):
    ds = load_dataset(spec(tmp_path, exclude="city", classes=["yes", "no"]))
    for which in ("train", "val"):
        ages = ds.row_columns[which]["age"].astype(float).astype(int)
        cities = ["oslo", "rome", "lima"]
        assert list(ds.row_columns[which]["city"]) == [cities[(a - 20) % 3] for a in ages]


@pytest.mark.parametrize("exclude, message", [
    (["town"], "option 'exclude' names no such column 'town'; columns: age, city, score, "
               "label"),
    ("label", "names the target column 'label'"),
    (["age", "city", "score"], "keeps out every feature column"),
    (3, "must be a list of column names"),
])
def test_bad_exclude_is_a_data_error(tmp_path, exclude, message):
    with pytest.raises(DataError) as info:
        load_dataset(spec(tmp_path, exclude=exclude))
    assert message in str(info.value)


def test_old_specs_load_unchanged(tmp_path):
    old = spec(tmp_path)
    assert DatasetSpec.from_dict(old).options == old["options"]
    ds = load_dataset(old)
    assert ds.preprocessing["feature_names"] == ["age", "city=lima", "city=oslo", "city=rome",
                                                 "score"]


def test_cli_flag_sets_the_option():
    from workbench.cli import build_parser
    from workbench.commands.train import apply_data_flags

    args = build_parser().parse_args(["train", "tabular_csv", "--exclude", "city,age"])
    assert args.exclude == "city,age"
    changed = apply_data_flags({"name": "csv", "options": {"path": "d.csv"}}, args)
    assert changed["options"]["exclude"] == "city,age"
    with pytest.raises(Exception, match="--exclude: only for csv datasets"):
        apply_data_flags({"name": "iris", "options": {}}, args)
