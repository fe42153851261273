"""A regression run's bundle: parity compares MAE, predict.py prints values in target units."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes

from tests.workbench.export.conftest import train_example
from workbench.data.preprocessing import apply_preprocessing
from workbench.export.bundle import export_run
from workbench.run_model import load_run_module


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    run = train_example(tmp_path_factory.mktemp("project"), "regression_diabetes", epochs=3)
    out = tmp_path_factory.mktemp("export") / "bundle"
    report = export_run(run.path, out, measure_latency=False)
    return run, out, report


def predict(bundle_dir, *args):
    out = subprocess.run([sys.executable, str(bundle_dir / "predict.py"), *map(str, args)],
                         capture_output=True, text=True, timeout=120, cwd=bundle_dir.parent)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_parity_compares_mae_not_accuracy(bundle):
    _, _, report = bundle
    parity = report["checks"]["parity"]
    assert parity["passed"] and "torch_accuracy" not in parity
    assert "argmax_agreement" not in parity
    assert parity["onnx_mae"] == pytest.approx(parity["torch_mae"], rel=1e-3)
    assert parity["torch_mae"] > 1.0  # original units (progression 25..346), not standardized
    assert report["task"] == "regression"


def test_predict_prints_values_in_original_units(bundle, tmp_path):
    run, out, _ = bundle
    raw = load_diabetes().data[:20].astype(np.float32)
    np.save(tmp_path / "x.npy", raw)
    module, _ = load_run_module(run)
    scaling = run.config["preprocessing"]["target_scaling"]
    x = apply_preprocessing(run.config["preprocessing"], raw).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.as_tensor(x)).numpy()[:, 0] * scaling["std"] + scaling["mean"]
    lines = predict(out, "--npy", tmp_path / "x.npy").split()
    assert np.allclose([float(v) for v in lines], expected, rtol=1e-4)
    rows = json.loads(predict(out, "--npy", tmp_path / "x.npy", "--json"))
    assert [r["target"] for r in rows] == ["progression"] * 20
    assert np.allclose([r["value"] for r in rows], expected, rtol=1e-5)


def test_readme_says_values_are_printed(bundle):
    _, out, _ = bundle
    readme = (out / "README.txt").read_text()
    assert "the predicted 'progression' in its original" in readme
    assert "label<TAB>probability" not in readme
    assert json.loads((out / "model.json").read_text())["task"] == "regression"
