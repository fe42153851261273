"""`workbench eval` on a regression run: MAE, RMSE and R² in the target's original units."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from workbench.cli import main
from workbench.data import load_dataset
from workbench.run_model import load_run_module
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def diabetes_run(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    assert main(["train", "regression_diabetes", "--epochs", "3", "--project", str(project),
                 "--json"]) == 0
    return RunStore.open(next((project / "runs").iterdir()))


def eval_json(capsys, run, *argv):
    code = main(["eval", str(run.path), "--json", *argv])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_eval_json_has_errors_in_original_units(diabetes_run, capsys):
    code, result = eval_json(capsys, diabetes_run, "--split", "test")
    assert code == 0 and result["task"] == "regression" and result["target"] == "progression"
    module, _ = load_run_module(diabetes_run)
    data = load_dataset(diabetes_run.config["dataset"])
    scaling = diabetes_run.config["preprocessing"]["target_scaling"]
    with torch.no_grad():
        pred = module(torch.as_tensor(data.x_test)).numpy()[:, 0] * scaling["std"] \
            + scaling["mean"]
    truth = data.y_test.astype(np.float64) * scaling["std"] + scaling["mean"]
    assert result["mae"] == pytest.approx(np.abs(pred - truth).mean(), rel=1e-4)
    assert result["rmse"] == pytest.approx(np.sqrt(((pred - truth) ** 2).mean()), rel=1e-4)
    r2 = 1 - ((pred - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum()
    assert result["r2"] == pytest.approx(r2, rel=1e-4, abs=1e-6)
    assert "accuracy" not in result and result["samples"] == len(truth)


def test_eval_on_validation_matches_the_training_summary(diabetes_run, capsys):
    summary = diabetes_run.read_summary()
    code, result = eval_json(capsys, diabetes_run)
    assert code == 0
    assert result["mae"] == pytest.approx(summary["val_mae"], rel=1e-4)
    assert result["r2"] == pytest.approx(summary["val_r2"], rel=1e-4, abs=1e-6)


def test_eval_text_report(diabetes_run, capsys):
    assert main(["eval", str(diabetes_run.path)]) == 0
    out = capsys.readouterr().out
    assert "regression target 'progression'" in out
    assert "MAE" in out and "RMSE" in out and "R²" in out and "confusion" not in out
