"""quantize_run on a real (tiny) run: the int8 variant, its lineage, artifacts and figures."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from workbench.compress.errors import CompressError
from workbench.compress.measure import predict, score
from workbench.compress.quantize import quantize_run
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.run_model import rebuild_run
from workbench.runs.lineage import lineage_of, parent_of
from workbench.runs.run_store import RunStore


def run_folders(run: RunStore) -> set[str]:
    return {p.name for p in run.path.parent.iterdir()}


@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_variant_run_with_lineage_artifacts_and_summary(digits_run, mode):
    report = quantize_run(digits_run.path, mode=mode, samples=64, repeats=2)
    variant = RunStore.open(report["run_dir"])
    assert lineage_of(variant).relation == "quantized-from"
    assert parent_of(variant).path.resolve() == digits_run.path.resolve()
    assert variant.config["graph"] == digits_run.config["graph"]
    assert variant.config["quantization"]["mode"] == mode
    model = (variant.path / "artifacts" / "model.int8.onnx").read_bytes()
    ops = {n.op_type for n in onnx.load_from_string(model).graph.node}
    assert ops & ({"QuantizeLinear", "QLinearMatMul", "QGemm"} if mode == "static"
                  else {"DynamicQuantizeLinear", "MatMulInteger"})
    saved = json.loads((variant.path / "artifacts" / "quantize_report.json").read_text())
    assert saved["run_dir"] == str(variant.path) and saved["chosen"] == report["chosen"]
    summary = variant.read_summary()
    assert set(summary["latency_ms"]) == {"1", "64"}
    assert summary["file_bytes"] == len(model) < report["float_file_bytes"] / 2
    assert summary["params"] == 17226 and summary["macs"] > 0
    # accuracy measured with ORT on the validation split, close to float32's
    dataset = rebuild_run(digits_run.path).dataset
    again = score(predict(model, dataset.x_val), dataset.y_val, None)["accuracy"]
    assert summary["val_accuracy"] == pytest.approx(again)
    assert abs(report["float_val_accuracy"] - summary["val_accuracy"]) < 0.05


def test_calibration_uses_training_samples_with_saved_preprocessing(digits_run, monkeypatch):
    import workbench.compress.calibration as calibration

    seen = {}
    original = calibration.calibration_samples

    def spy(x_train, samples, seed=0):
        seen["x"] = x_train
        return original(x_train, samples, seed)

    monkeypatch.setattr(calibration, "calibration_samples", spy)
    quantize_run(digits_run.path, samples=32, repeats=1, write=False)
    np.testing.assert_array_equal(seen["x"], rebuild_run(digits_run.path).dataset.x_train)


def test_sensitive_nodes_kept_in_float_until_within_threshold(digits_run, monkeypatch):
    import workbench.compress.calibration as calibration

    # calibrating on all-zero inputs gives activation ranges that clip real inputs: a big drop
    monkeypatch.setattr(calibration, "calibration_samples",
                        lambda x, samples, seed=0: np.zeros_like(x[:samples]))
    report = quantize_run(digits_run.path, samples=16, repeats=1, write=False)
    assert report["sensitivity"] and len(report["sensitivity"]) == 3  # fc1, fc2, fc3
    assert report["nodes_in_float"] and report["within_threshold"]
    assert report["accuracy_drop"] <= 0.5
    assert report["settings"]["nodes_in_float"] == report["nodes_in_float"]


def test_auto_measures_every_format_and_recommends(digits_run):
    report = quantize_run(digits_run.path, fmt="auto", samples=32, repeats=2, write=False)
    labels = [row["label"] for row in report["formats"]]
    assert labels[0] == "float32" and len(labels) == 10  # float, 4 static x 2, dynamic
    assert "static QOperator U8S8 first-float" in labels
    assert any(label.startswith("dynamic") for label in labels)
    fastest_float = report["formats"][0]["latency_ms"]["64"] <= report["latency_ms"]["64"]
    assert (report["recommend"] == "float32") == fastest_float or not report["within_threshold"]


def test_refusals_leave_no_folder(digits_run, tmp_path):
    before = run_folders(digits_run)
    with pytest.raises(CompressError, match="at least 1 sample"):
        quantize_run(digits_run.path, samples=0)
    with pytest.raises(CompressError, match="format must be one of"):
        quantize_run(digits_run.path, fmt="int4")
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        quantize_run(tmp_path)
    assert run_folders(digits_run) == before


def test_failed_write_removes_the_variant_folder(digits_run, monkeypatch):
    import workbench.compress.variant as variant

    before = run_folders(digits_run)

    def broken(run, name, data):
        raise OSError("disk full")

    monkeypatch.setattr(variant, "_write_artifact", broken)
    with pytest.raises(OSError, match="disk full"):
        quantize_run(digits_run.path, samples=16, repeats=1)
    assert run_folders(digits_run) == before


def test_regression_run_measured_by_mae(tmp_path):
    project = load_project(find_example("regression_diabetes"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"}, tmp_path,
                                name="diabetes")
    run = RunStore.open(execute_run(request)["run_dir"])
    report = quantize_run(run.path, mode="dynamic", repeats=1)
    assert report["task"] == "regression" and report["drop_unit"] == "% of the float MAE"
    assert report["val_mae"] > 0 and report["val_accuracy"] is None
    summary = RunStore.open(report["run_dir"]).read_summary()
    assert summary["val_mae"] == report["val_mae"]
    expected = (report["val_mae"] - report["float_val_mae"]) / report["float_val_mae"] * 100
    assert report["accuracy_drop"] == pytest.approx(expected, abs=1e-3)
