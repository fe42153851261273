"""Export of an int8 variant: the int8 artifact as model.onnx, verified against the float
parent by predicted-class agreement and accuracy drop; the bundle's predict.py unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from workbench.cli import main
from workbench.compress.measure import predict
from workbench.compress.quantize import quantize_run
from workbench.export import int8_bundle
from workbench.export.bundle import export_run
from workbench.export.onnx_export import ExportError, ExportInputError
from workbench.run_model import rebuild_run
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def int8_run(digits_run) -> RunStore:
    return RunStore.open(quantize_run(digits_run.path, samples=64, repeats=1)["run_dir"])


def test_bundle_from_the_int8_artifact_and_predict_py_works(int8_run, digits_run, tmp_path):
    report = export_run(int8_run.path, tmp_path / "b", measure_latency=False)
    bundle = tmp_path / "b"
    artifact = (int8_run.path / "artifacts" / "model.int8.onnx").read_bytes()
    assert (bundle / "model.onnx").read_bytes() == artifact
    check = report["checks"]["int8_vs_float"]
    assert check["passed"] and check["argmax_agreement"] >= 0.98
    assert check["accuracy_drop"] <= check["max_accuracy_drop"] == 0.5
    assert "parity" not in report["checks"]  # not float parity
    meta = json.loads((bundle / "model.json").read_text())
    assert meta["model_format"] == "onnx-int8" and meta["source_run"] == str(
        int8_run.path.resolve())
    assert meta["float_parent"] == str(digits_run.path.resolve())
    assert meta["input"]["shape"] == ["batch", 64] and meta["class_labels"]
    x = rebuild_run(int8_run.path, weights=None).dataset.x_val[:20]
    np.save(tmp_path / "x.npy", x)
    out = subprocess.run([sys.executable, str(bundle / "predict.py"), "--npy",
                          str(tmp_path / "x.npy"), "--preprocessed", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    labels = [r["label"] for r in json.loads(out.stdout)]
    names = int8_run.config["class_names"]
    assert labels == [names[i] for i in predict(artifact, x).argmax(1)]
    events = [e for e in int8_run.read_events() if e.get("kind") == "export"]
    assert events and events[-1]["split"] == "val"


def test_drop_over_the_variant_limit_fails_and_writes_nothing(int8_run, tmp_path,
                                                              monkeypatch):
    monkeypatch.setattr(int8_bundle, "max_accuracy_drop", lambda run: -1.0)
    with pytest.raises(ExportError, match=r"drop .*\(allowed -1\.0\)") as info:
        export_run(int8_run.path, tmp_path / "b", measure_latency=False)
    assert info.value.report["checks"]["int8_vs_float"]["passed"] is False
    assert not (tmp_path / "b").exists() and list(tmp_path.iterdir()) == []


def test_missing_parent_or_artifact_is_a_clear_input_error(int8_run, tmp_path):
    copy = tmp_path / "project" / "runs" / int8_run.path.name
    shutil.copytree(int8_run.path, copy)
    config = json.loads((copy / "config.json").read_text())
    config["lineage"] = {"relation": "quantized-from", "parent": "gone"}
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ExportInputError, match="float parent run is missing"):
        export_run(copy, tmp_path / "b", measure_latency=False)
    (copy / "artifacts" / "model.int8.onnx").unlink()
    with pytest.raises(ExportInputError, match="model.int8.onnx is missing"):
        export_run(copy, tmp_path / "b", measure_latency=False)
    assert not (tmp_path / "b").exists()


def test_cli_json(int8_run, tmp_path, capsys):
    assert main(["export", str(int8_run.path), "--out", str(tmp_path / "b"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] and report["checks"]["int8_vs_float"]["passed"]
    assert {row["batch"] for row in report["latency"]} == {1, 64}
    text = int8_bundle.format_int8_report(report)
    assert "int8 (onnxruntime) vs float parent" in text and "agreement" in text
    assert "the float parent" in text  # what the latency table compares


def test_regression_variant_verified_by_mae(tmp_path, monkeypatch):
    from workbench.experiment import RunRequest, execute_run
    from workbench.paths import find_example
    from workbench.project import load_project

    project = load_project(find_example("regression_diabetes"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"},
                                tmp_path / "p", name="diabetes")
    run = execute_run(request)["run_dir"]
    variant = quantize_run(run, mode="dynamic", repeats=1)["run_dir"]
    monkeypatch.setattr(int8_bundle, "max_accuracy_drop", lambda run: 100.0)
    check = export_run(variant, tmp_path / "b", measure_latency=False)["checks"][
        "int8_vs_float"]
    assert check["passed"] and check["drop_unit"] == "% of the float MAE"
    assert check["float_mae"] > 0 and check["int8_mae"] > 0 and "argmax_agreement" not in check
    monkeypatch.setattr(int8_bundle, "max_accuracy_drop", lambda run: -100.0)
    with pytest.raises(ExportError, match="mae float"):
        export_run(variant, tmp_path / "c", measure_latency=False)


def test_cli_text_report(int8_run, tmp_path, capsys):
    assert main(["export", str(int8_run.path), "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "int8 (onnxruntime) vs float parent" in out and "predicted-class agreement" in out
