"""predict.py in a subprocess: token and feature inputs from .npy and CSV, clear input errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from workbench.data import load_dataset
from workbench.data.preprocessing import apply_preprocessing
from workbench.experiment import RunRequest, execute_run
from workbench.export.bundle import export_run
from workbench.graph.templates import embedding_lstm
from workbench.run_model import load_run_module
from workbench.runs.run_store import RunStore


def run_predict(bundle, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(bundle / "predict.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def predicted(bundle, *args) -> list[str]:
    out = run_predict(bundle, *args, "--json")
    assert out.returncode == 0, out.stderr
    return [r["label"] for r in json.loads(out.stdout)]


def workbench_labels(run: RunStore, x: np.ndarray) -> list[str]:
    module, _ = load_run_module(run)
    with torch.no_grad():
        index = module(torch.as_tensor(x)).argmax(1).numpy()
    return [run.config["class_names"][i] for i in index]


@pytest.fixture(scope="module")
def digits_bundle(digits_run, tmp_path_factory):
    bundle = tmp_path_factory.mktemp("digits") / "bundle"
    export_run(digits_run.path, bundle, measure_latency=False)
    return bundle


def test_token_sequences_from_npy_and_csv(tmp_path):
    dataset = {"name": "sequence", "options": {"n_samples": 200, "seq_len": 8,
                                               "vocab_size": 12}}
    request = RunRequest.freeze(embedding_lstm(seq_len=8, vocab=12, num_classes=2), dataset,
                                {"epochs": 1, "device": "cpu", "batch_size": 32}, tmp_path)
    run = RunStore.open(execute_run(request)["run_dir"])
    bundle = tmp_path / "bundle"
    report = export_run(run.path, bundle, measure_latency=False)
    assert report["input"]["dtype"] == "int64" and report["checks"]["parity"]["passed"]
    tokens = load_dataset(dataset).x_test[:30]
    np.save(tmp_path / "tokens.npy", tokens)
    expected = workbench_labels(run, tokens)
    assert predicted(bundle, "--npy", tmp_path / "tokens.npy") == expected
    csv_file = tmp_path / "tokens.csv"
    csv_file.write_text("\n".join(",".join(map(str, row)) for row in tokens) + "\n")
    assert predicted(bundle, csv_file) == expected


def test_feature_csv_without_header_matches_npy(digits_run, digits_bundle, tmp_path):
    from sklearn.datasets import load_digits

    raw = load_digits().data[100:130]
    csv_file = tmp_path / "pixels.csv"
    csv_file.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in raw) + "\n")
    x = apply_preprocessing(digits_run.config["preprocessing"], raw)
    assert predicted(digits_bundle, csv_file) == workbench_labels(digits_run, x)
    plain = run_predict(digits_bundle, csv_file)
    label, probability = plain.stdout.splitlines()[0].split("\t")
    assert label in digits_run.config["class_names"] and 0 < float(probability) <= 1


def test_bad_inputs_get_clear_messages(digits_bundle, tmp_path):
    bad_value = tmp_path / "bad.csv"
    bad_value.write_text(",".join(["1"] * 63 + ["x"]) + "\n")
    out = run_predict(digits_bundle, bad_value)
    assert out.returncode != 0 and "expected a number, found 'x'" in out.stderr
    short_row = tmp_path / "short.csv"
    short_row.write_text("1,2,3\n")
    out = run_predict(digits_bundle, short_row)
    assert out.returncode != 0 and "row 1 has 3 values; expected 64" in out.stderr
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(["1"] * 64) + "\n" + "1,2\n")
    out = run_predict(digits_bundle, ragged)
    assert out.returncode != 0 and "row 2 has 2 fields, expected 64" in out.stderr
    np.save(tmp_path / "wrong.npy", np.zeros((2, 10)))
    out = run_predict(digits_bundle, "--npy", tmp_path / "wrong.npy")
    assert out.returncode != 0 and "found (2, 10)" in out.stderr


def test_csv_with_missing_cells_predicts_as_training_did(tmp_path):
    """A semicolon file with decimal commas and NA/?/empty cells: predict.py reads it with the
    training delimiter and decimal comma, imputes like training (median, indicator, 'missing' category) and agrees with
    the Workbench's own preprocessing + model on every row."""
    from workbench.graph.templates import mlp

    rng = np.random.default_rng(0)
    header = "'bill';mass;island;species"
    lines = []
    for i in range(150):
        bill = "NA" if i % 6 == 0 else f"{38 + (i % 3) * 6 + rng.normal():.2f}".replace(".", ",")
        mass = "?" if i % 10 == 0 else f"{3500 + (i % 3) * 700 + rng.normal(0, 90):.0f}"
        island = "" if i % 8 == 0 else ["Biscoe", "Dream", "Torgersen"][(i + i // 3) % 3]
        lines.append(f"{bill};{mass};{island};{['Adelie', 'Chinstrap', 'Gentoo'][i % 3]}")
    data = tmp_path / "penguins.csv"
    data.write_text(header + "\n" + "\n".join(lines) + "\n")
    dataset = {"name": "csv", "options": {"path": str(data), "target": "species",
                                          "missing_indicator": True}}
    request = RunRequest.freeze(mlp(input_size=8, hidden=(16,), num_classes=3), dataset,
                                {"epochs": 2, "device": "cpu", "batch_size": 32}, tmp_path)
    run = RunStore.open(execute_run(request)["run_dir"])
    bundle = tmp_path / "bundle"
    export_run(run.path, bundle, measure_latency=False)
    pre = run.config["preprocessing"]
    assert pre["csv"]["delimiter"] == ";" and "bill_missing" in pre["feature_names"]
    assert pre["columns"][0]["decimal"] == ","  # "38,5" is 38.5, as Excel writes it next to ';'
    readme = (bundle / "README.txt").read_text()
    assert "separated by ';' like the training file" in readme and "Missing cells" in readme
    samples = tmp_path / "new.csv"
    rows = [line.split(";")[:3] for line in lines[:40]]
    samples.write_text("bill;mass;island\n" + "\n".join(";".join(r) for r in rows) + "\n")
    assert sum(c in ("NA", "?", "") for r in rows for c in r) >= 10
    columns = {name: np.array([r[i] for r in rows], dtype=object)
               for i, name in enumerate(["bill", "mass", "island"])}
    x = apply_preprocessing(pre, columns)
    expected = workbench_labels(run, x)
    assert predicted(bundle, samples) == expected
    module, _ = load_run_module(run)
    with torch.no_grad():
        probabilities = torch.softmax(module(torch.as_tensor(x)), 1).max(1).values.numpy()
    out = run_predict(bundle, samples, "--json")
    assert np.allclose([r["probability"] for r in json.loads(out.stdout)], probabilities,
                       atol=1e-5)
    # --delimiter overrides the training file's delimiter
    as_tab = tmp_path / "new_tab.csv"
    as_tab.write_text("bill\tmass\tisland\n" + "\n".join("\t".join(r) for r in rows) + "\n")
    assert predicted(bundle, as_tab, "--delimiter", "tab") == expected
