from __future__ import annotations

import numpy as np
import pytest

from workbench.data import DataError, load_dataset
from workbench.data.preprocessing import apply_preprocessing

HEADER = "age,city,score,label\n"


def write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return {"name": "csv", "options": {"path": str(path), "target": "label"}}


def good_rows(n=40):
    cities = ["oslo", "rome", "lima"]
    return "".join(f"{20 + i},{cities[i % 3]},{i * 0.5},{'yes' if i % 2 else 'no'}\n"
                   for i in range(n))


def test_good_csv_encodes_and_standardizes(tmp_path):
    ds = load_dataset(write(tmp_path, HEADER + good_rows()))
    pre = ds.preprocessing
    assert pre["kind"] == "tabular" and ds.class_names == ["no", "yes"]
    assert pre["feature_names"] == ["age", "city=lima", "city=oslo", "city=rome", "score"]
    assert ds.input_shape == (5,)
    assert abs(float(ds.x_train[:, 0].mean())) < 1e-5  # standardized on train
    one_hot = ds.x_train[:, 1:4]
    assert np.array_equal(one_hot.sum(1), np.ones(len(one_hot)))
    again = apply_preprocessing(pre, [{"age": "20", "city": "oslo", "score": "0"}])
    assert again.shape == (1, 5) and again[0, 2] == 1.0


@pytest.mark.parametrize("body, message", [
    ("20,oslo,1.0\n", "row 2 has 3 fields, expected 4"),
    (good_rows(20) + "abc,oslo,1,no\n", "column 'age' is numeric but row 22 has 'abc'"),
    (good_rows(5) + "30,rome,1,\n", "row 7 has no value in target column 'label'"),
    (good_rows(10) + "30,rome,1,maybe\n", "class 'maybe' of column 'label' has only 1 row"),
])
def test_bad_csv_messages(tmp_path, body, message):
    with pytest.raises(DataError) as info:
        load_dataset(write(tmp_path, HEADER + body))
    assert message in str(info.value) and "d.csv" in str(info.value)


def test_missing_target_lists_columns(tmp_path):
    spec = write(tmp_path, HEADER + good_rows())
    spec["options"]["target"] = "kind"
    with pytest.raises(DataError, match="no target column 'kind'; columns found: age, city"):
        load_dataset(spec)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(DataError, match="no such CSV file"):
        load_dataset({"name": "csv", "options": {"path": str(tmp_path / "none.csv")}})
    with pytest.raises(DataError, match="empty"):
        load_dataset(write(tmp_path, ""))


def test_too_few_rows_for_a_validation_split(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("a,b,label\n1,2,x\n3,4,y\n5,6,y\n1,2,x\n")
    with pytest.raises(DataError, match="validation split is empty"):
        load_dataset({"name": "csv", "options": {"path": str(path), "target": "label"}})
