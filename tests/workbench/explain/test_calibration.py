"""Calibration: reliability bins and ECE, temperature scaling fitted on validation, stored with
the weights' hash (stale after retraining), used by the exported predict.py."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from workbench.experiment import RunRequest, execute_run
from workbench.explain.calibration import (
    T_MIN,
    calibration_record,
    calibration_report,
    fit_temperature,
    fit_temperature_to,
    nll,
    reliability,
    softmax,
    stored_temperature,
)
from workbench.explain.errors import ExplainError
from workbench.graph.templates import mlp


def test_reliability_bins_and_ece_by_hand():
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.35, 0.65], [0.3, 0.7]])
    y = np.array([0, 1, 1, 1])  # bins (0.9, 1]: 0.95 right; (0.8, 0.9]: 0.9 wrong; (0.6, 0.7]
    ece, bins = reliability(probs, y, 10)
    assert len(bins) == 10 and [b["count"] for b in bins] == [0] * 6 + [2, 0, 1, 1]
    assert bins[0]["confidence"] is None and bins[0]["lo"] == 0.0 and bins[9]["hi"] == 1.0
    assert bins[6]["confidence"] == pytest.approx(0.675) and bins[6]["accuracy"] == 1.0
    assert bins[8]["accuracy"] == 0.0 and bins[9]["accuracy"] == 1.0  # 0.9 is in (0.8, 0.9]
    expected = (2 * abs(1 - 0.675) + abs(0 - 0.9) + abs(1 - 0.95)) / 4
    assert ece == pytest.approx(expected)


def calibrated_logits(n=3000, k=3, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.5, size=(n, k))
    probs = softmax(logits)
    y = np.array([rng.choice(k, p=p) for p in probs])
    return logits, y


def test_temperature_recovers_an_overconfidence_factor():
    logits, y = calibrated_logits()
    t = fit_temperature_to(logits * 5, y)
    assert 4.0 < t < 6.0
    assert nll(logits * 5, y, t) < nll(logits * 5, y)
    before, _ = reliability(softmax(logits * 5), y)
    after, _ = reliability(softmax(logits * 5, t), y)
    assert after < before / 3
    # deterministic, and a calibrated model keeps T near 1
    assert fit_temperature_to(logits * 5, y) == t
    assert 0.85 < fit_temperature_to(logits, y) < 1.15


def test_separable_logits_stop_at_the_lower_bound():
    logits = np.array([[4.0, -4.0], [-4.0, 4.0]] * 10)
    assert fit_temperature_to(logits, np.array([0, 1] * 10)) == T_MIN


@pytest.fixture(scope="module")
def overconfident(tmp_path_factory):
    """A briefly trained moons MLP whose output layer is scaled so that its logits are 5 times
    those a calibrated model would give: overconfident, same labels."""
    from workbench.explain.val_predictions import validation_logits

    request = RunRequest.freeze(mlp(2, hidden=(16,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 600, "noise": 0.35}},
                                {"epochs": 3, "device": "cpu", "batch_size": 32},
                                tmp_path_factory.mktemp("project"), name="moons")
    run_dir = execute_run(request)["run_dir"]
    _, logits, y = validation_logits(run_dir)
    factor = 5 / fit_temperature_to(logits, y)  # calibrated logits are logits / T
    best = f"{run_dir}/best.safetensors"
    state = load_file(best)
    last = sorted(k for k in state if k.endswith(".weight"))[-1].rsplit(".", 1)[0]
    state[f"{last}.weight"] = state[f"{last}.weight"] * factor
    state[f"{last}.bias"] = state[f"{last}.bias"] * factor
    save_file(state, best)
    return run_dir


def test_fit_stores_a_temperature_that_lowers_ece(overconfident):
    assert stored_temperature(overconfident) is None
    plain = calibration_report(overconfident, bins=10)
    assert plain["temperature"] is None and plain["ece_calibrated"] is None
    assert sum(b["count"] for b in plain["bins"]) == plain["samples"] > 0
    record = fit_temperature(overconfident)
    assert record["temperature"] == pytest.approx(5.0, rel=1e-3)
    assert record["ece_after"] < record["ece_before"]
    assert record["nll_after"] < record["nll_before"]
    assert len(record["weights_sha256"]) == 64
    assert stored_temperature(overconfident) == record["temperature"]
    report = calibration_report(overconfident, bins=15)
    assert report["temperature"] == record["temperature"] and len(report["bins"]) == 15
    assert report["nll_calibrated"] < report["nll"]
    assert calibration_report(overconfident)["ece_calibrated"] == pytest.approx(
        record["ece_after"])
    assert report["accuracy"] == plain["accuracy"]


def test_export_divides_logits_by_the_temperature(overconfident, tmp_path):
    from workbench.export.bundle import export_run
    from workbench.export.verify import ort_session

    t = fit_temperature(overconfident)["temperature"]
    bundle = tmp_path / "bundle"
    report = export_run(overconfident, bundle, measure_latency=False)
    assert report["checks"]["parity"]["passed"]
    meta = json.loads((bundle / "model.json").read_text())
    assert meta["calibration"]["temperature"] == t and meta["calibration"]["applied"]
    assert f"temperature {t:.4g}" in (bundle / "README.txt").read_text()
    x = np.random.default_rng(1).normal(size=(20, 2)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = subprocess.run([sys.executable, str(bundle / "predict.py"), "--npy",
                          str(tmp_path / "x.npy"), "--preprocessed", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    logits = ort_session((bundle / "model.onnx").read_bytes()).run(["logits"], {"input": x})[0]
    expected = softmax(logits.astype(np.float64), t)
    assert [r["index"] for r in results] == logits.argmax(1).tolist()  # labels unchanged
    assert np.allclose([r["probability"] for r in results], expected.max(1), atol=1e-6)
    assert not np.allclose(expected.max(1), softmax(logits.astype(np.float64)).max(1))


def test_retrained_weights_make_the_temperature_stale(overconfident, tmp_path):
    import shutil

    from workbench.explain.calibration import export_calibration

    run = tmp_path / "copy"
    shutil.copytree(overconfident, run)
    fit_temperature(run)
    state = load_file(str(run / "best.safetensors"))
    save_file({k: v * 1.01 for k, v in state.items()}, str(run / "best.safetensors"))
    assert stored_temperature(run) is None and calibration_record(run)["stale"]
    report = calibration_report(run)
    assert report["temperature"] is None and "fit it again" in report["note"]
    assert export_calibration(run) == {"temperature": None, "applied": False,
                                       "reason": export_calibration(run)["reason"]}


def test_bad_input_is_an_explain_error(overconfident, tmp_path):
    with pytest.raises(ExplainError, match="bins must be a whole number from 2 to 100, "
                                           "found 1"):
        calibration_report(overconfident, bins=1)
    with pytest.raises(ExplainError, match="expected a run folder"):
        calibration_report(tmp_path / "nothing")
    request = RunRequest.freeze(mlp(1, hidden=(4,), num_classes=1),
                                {"name": "noisy_sine", "options": {"n_samples": 80}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32}, tmp_path, "r")
    regression = execute_run(request)["run_dir"]
    with pytest.raises(ExplainError, match="calibration is for classification runs; run '.*-r' is a regression run"):
        fit_temperature(regression)
    assert not list(tmp_path.rglob("calibration.json"))


@pytest.mark.parametrize("calibration, expected", [
    ({"temperature": 2.5, "applied": True}, "divides the logits by the temperature 2.5"),
    ({"temperature": None, "applied": False, "reason": "stale"}, "not calibrated"),
    (None, "label<TAB>probability."),
])
def test_readme_says_the_temperature(calibration, expected):
    from workbench.export.bundle import readme_text

    description = {"preprocessing": {"kind": "standardize"}, "task": "classification",
                   "input": {"name": "input", "shape": ["batch", 2], "dtype": "float32"},
                   "class_labels": ["a", "b"],
                   **({"calibration": calibration} if calibration else {})}
    text = " ".join(readme_text(description).split())
    assert expected in text
    assert ("temperature" in text) == bool(calibration)
