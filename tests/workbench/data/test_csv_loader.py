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
    (good_rows(10) + "30,rome,1,maybe\n", "class 'maybe' of column 'label' has only 1 row"),
])
def test_bad_csv_messages(tmp_path, body, message):
    with pytest.raises(DataError) as info:
        load_dataset(write(tmp_path, HEADER + body))
    assert message in str(info.value) and "d.csv" in str(info.value)


def test_missing_target_lists_columns(tmp_path):
    spec = write(tmp_path, HEADER + good_rows())
    spec["options"]["target"] = "kind"
    with pytest.raises(DataError, match="no target column 'kind'; columns found with delimiter ',' "
                                         r"\(comma\) \(detected\): age, city"):
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


def penguins_like(path, n=120):
    """palmerpenguins' shape: NA in numeric and categorical columns, 2 rows without species."""
    species = ["Adelie", "Chinstrap", "Gentoo"]
    lines = ["species_id,island,bill_length_mm,body_mass_g,sex,species"]
    for i in range(n):
        bill = "NA" if i in (3, 50) else f"{35 + (i % 3) * 5 + (i % 7) * 0.3:.1f}"
        mass = "NA" if i in (3, 50) else str(3500 + (i % 3) * 800 + i)
        sex = "NA" if i % 12 == 0 else ("male" if i % 2 else "female")
        target = "NA" if i in (10, 11) else species[i % 3]
        lines.append(f"{i},{['Biscoe', 'Dream', 'Torgersen'][i % 3]},{bill},{mass},{sex},"
                     f"{target}")
    path.write_text("\n".join(lines) + "\n")
    return {"name": "csv", "options": {"path": str(path), "target": "species"}}


def test_penguins_like_missing_cells_imputed_and_missing_targets_dropped(tmp_path):
    ds = load_dataset(penguins_like(tmp_path / "penguins.csv"))
    report = ds.load_report
    assert report["rows"] == 118 and report["rows_dropped"] == 2
    assert report["imputed"] == {"bill_length_mm": 2, "body_mass_g": 2, "sex": 10}
    assert "bill_length_mm" in report["numeric_columns"] and "sex" in report["categorical_columns"]
    names = ds.preprocessing["feature_names"]
    assert "bill_length_mm" in names and "sex=missing" in names
    assert not any(n.startswith("bill_length_mm=") for n in names)
    for x in (ds.x_train, ds.x_val, ds.x_test):
        assert np.isfinite(x).all()
    assert ds.class_names == ["Adelie", "Chinstrap", "Gentoo"]


def test_numeric_column_with_15_percent_na_stays_one_numeric_column(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["reading,label"]
    for i in range(200):
        value = "NA" if i % 7 == 0 else f"{rng.normal(10, 2):.3f}"  # ~15% missing
        lines.append(f"{value},{'ab'[i % 2]}")
    path = tmp_path / "na.csv"
    path.write_text("\n".join(lines) + "\n")
    ds = load_dataset({"name": "csv", "options": {"path": str(path)}})
    assert ds.input_shape == (1,) and ds.preprocessing["feature_names"] == ["reading"]
    spec = ds.preprocessing["columns"][0]
    assert spec["type"] == "numeric" and 9 < spec["median"] < 11
    assert ds.load_report["imputed"] == {"reading": 29}
    with_indicator = load_dataset({"name": "csv", "options": {
        "path": str(path), "missing_indicator": True}})
    assert with_indicator.preprocessing["feature_names"] == ["reading", "reading_missing"]
    column = with_indicator.x_train[:, 1]
    assert set(np.unique(column)) == {0.0, 1.0}


def test_question_mark_is_missing_and_imputed_with_the_training_median(tmp_path):
    lines = ["a,b,label"] + [f"{'?' if i % 5 == 0 else i},{i % 3},{'xy'[i % 2]}"
                             for i in range(60)]
    path = tmp_path / "uci.csv"
    path.write_text("\n".join(lines) + "\n")
    ds = load_dataset({"name": "csv", "options": {"path": str(path)}})
    spec = ds.preprocessing["columns"][0]
    assert spec["type"] == "numeric" and ds.load_report["imputed"] == {"a": 12}
    imputed = apply_preprocessing(ds.preprocessing, {"a": np.array(["?"]),
                                                     "b": np.array(["1"])})
    median = apply_preprocessing(ds.preprocessing, {"a": np.array([str(spec["median"])]),
                                                    "b": np.array(["1"])})
    assert np.array_equal(imputed, median)


def test_a_real_word_in_a_numeric_column_names_row_and_missing_tokens(tmp_path):
    lines = ["a,label"] + [f"{i},{'xy'[i % 2]}" for i in range(40)] + ["unknown,x"]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="column 'a' is numeric but row 42 has 'unknown'; "
                                        "if that means 'no value', write one of 'NA'"):
        load_dataset({"name": "csv", "options": {"path": str(path)}})


@pytest.mark.parametrize("values, task, reason", [
    ([f"{v * 1.37:.2f}" for v in range(100)], "regression", "100 distinct numeric values, not "
                                                             "all whole numbers"),
    ([str(100 + 7 * v) for v in range(50)], "regression", "50 distinct numeric values"),
    ([str(v % 4) for v in range(100)], "classification", "4 distinct whole numbers"),
    ([str(v % 26) for v in range(100)], "classification", "26 distinct whole numbers"),
    (["cat", "dog"] * 30, "classification", "2 distinct values that are categories"),
])
def test_task_inferred_from_the_target(tmp_path, values, task, reason):
    path = tmp_path / "t.csv"
    path.write_text("f,y\n" + "".join(f"{i % 9},{v}\n" for i, v in enumerate(values)))
    ds = load_dataset({"name": "csv", "options": {"path": str(path), "target": "y"}})
    assert ds.task == task and reason in ds.load_report["task_reason"]
    assert ds.load_report["task_reason"].startswith("inferred: ")
    if task == "regression":
        assert ds.y_train.dtype == np.float32 and ds.num_classes == 1
        low, high = ds.load_report["target_range"]
        assert low == min(map(float, values)) and high == max(map(float, values))


def test_task_option_overrides_inference(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("f,y\n" + "".join(f"{i},{i % 3}\n" for i in range(60)))
    ds = load_dataset({"name": "csv", "options": {"path": str(path), "task": "regression"}})
    assert ds.task == "regression" and ds.load_report["task_reason"] == "given"
    assert "target_scaling" in ds.preprocessing
    with pytest.raises(DataError, match="option 'task' must be one of auto, classification"):
        load_dataset({"name": "csv", "options": {"path": str(path), "task": "guess"}})
    with pytest.raises(DataError, match="unknown csv option"):
        load_dataset({"name": "csv", "options": {"path": str(path), "delimeter": ";"}})


def test_saved_preprocessing_reproduces_imputation(tmp_path):
    spec = penguins_like(tmp_path / "p.csv")
    fitted = load_dataset(spec)
    again = load_dataset(spec, preprocessing=fitted.preprocessing)
    assert np.array_equal(fitted.x_test, again.x_test)
    assert again.load_report == fitted.load_report


@pytest.mark.parametrize("odd, task, message", [
    ("inf", "auto", "regression target 'y' must be a finite number, but row 42 has 'inf'"),
    ("abc", "auto", "regression target 'y' must be a finite number, but row 42 has 'abc'"),
    ("abc", "classification", "has only 1 row; expected at least 2 per class; if 'y' is a "
                              "quantity, not a category, use --task regression"),
])
def test_a_mostly_numeric_target_reports_the_odd_cell(tmp_path, odd, task, message):
    path = tmp_path / "r.csv"
    path.write_text("a,y\n" + "".join(f"{i},{i * 1.5}\n" for i in range(40)) + f"3,{odd}\n")
    with pytest.raises(DataError, match=message.replace("?", "\\?")):
        load_dataset({"name": "csv", "options": {"path": str(path), "task": task}})
