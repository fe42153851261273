"""Bundles from real runs: written whole, and predict.py agrees with the Workbench."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.cli import main
from workbench.data.preprocessing import apply_preprocessing
from workbench.export.bundle import export_run
from workbench.export.onnx_export import ExportError
from workbench.paths import EXAMPLES_DIR
from workbench.run_model import load_run_module
from workbench.runs.run_store import RunStore


def train(tmp_path, capsys, *argv) -> RunStore:
    assert main(["train", *argv, "--epochs", "2", "--project", str(tmp_path), "--json"]) == 0
    return RunStore.open(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_dir"])


def workbench_labels(run: RunStore, x: np.ndarray) -> list[str]:
    module, _ = load_run_module(run)
    with torch.no_grad():
        index = module(torch.as_tensor(x)).argmax(1).numpy()
    return [run.config["class_names"][i] for i in index]


def predict(bundle, *args) -> list[str]:
    out = subprocess.run([sys.executable, str(bundle / "predict.py"), *map(str, args), "--json"],
                         capture_output=True, text=True, timeout=120, cwd=bundle.parent)
    assert out.returncode == 0, out.stderr
    return [r["label"] for r in json.loads(out.stdout)]


def test_csv_bundle_predicts_like_the_workbench(tmp_path, capsys):
    run = train(tmp_path, capsys, "tabular_csv")
    bundle = tmp_path / "bundle"
    report = export_run(run.path, bundle, measure_latency=False)
    assert sorted(p.name for p in bundle.iterdir()) == ["README.txt", "model.json",
                                                       "model.onnx", "predict.py"]
    assert report["checks"]["parity"]["passed"]
    readme = (bundle / "README.txt").read_text()
    columns = [c["name"] for c in run.config["preprocessing"]["columns"]]
    assert f"the columns {', '.join(columns)}" in readme and "target column" in readme
    with open(EXAMPLES_DIR / "tabular.csv") as handle:
        rows = list(csv.DictReader(handle))[:40]
    sample = tmp_path / "rows.csv"
    with open(sample, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    x = apply_preprocessing(run.config["preprocessing"], rows)
    assert predict(bundle, sample) == workbench_labels(run, x)


def test_features_bundle_with_raw_npy(tmp_path, capsys):
    from sklearn.datasets import load_digits

    run = train(tmp_path, capsys, "mlp_digits")
    bundle = tmp_path / "b"
    report = export_run(run.path, bundle)
    assert [r["batch"] for r in report["latency"]] == [1, 64]
    raw = load_digits().data[:50]
    np.save(tmp_path / "raw.npy", raw)
    x = apply_preprocessing(run.config["preprocessing"], raw)
    assert predict(bundle, "--npy", tmp_path / "raw.npy") == workbench_labels(run, x)


def test_image_bundle(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for k, name in enumerate(["dark", "light"]):
        folder = tmp_path / "imgs" / name
        folder.mkdir(parents=True)
        for i in range(10):
            Image.fromarray((rng.random((8, 8)) * 90 + 150 * k).astype(np.uint8)).save(
                folder / f"{i}.png")
    project = tmp_path / "img.wbproj.json"
    graph = {"format_version": 2, "nodes": [
        {"id": "input", "type": "Input", "params": {"shape": [1, 8, 8]}},
        {"id": "conv", "type": "Conv2d", "params": {"out_channels": 4, "kernel_size": 3}},
        {"id": "relu", "type": "ReLU", "params": {}},
        {"id": "flat", "type": "Flatten", "params": {}},
        {"id": "fc", "type": "Linear", "params": {"out_features": 2}},
        {"id": "output", "type": "Output", "params": {"num_classes": 2}}], "edges": [
        {"src": a, "dst": b} for a, b in [("input", "conv"), ("conv", "relu"),
                                          ("relu", "flat"), ("flat", "fc"), ("fc", "output")]]}
    project.write_text(json.dumps({"format_version": 1, "name": "img", "graph": graph,
                                   "dataset": {"name": "image_folder", "options": {
                                       "path": str(tmp_path / "imgs"), "grayscale": True}}}))
    run = train(tmp_path, capsys, str(project))
    bundle = tmp_path / "bundle"
    export_run(run.path, bundle, measure_latency=False)
    assert "converted to grayscale and resized to 8 x 8" in (bundle / "README.txt").read_text()
    picture = tmp_path / "imgs" / "light" / "3.png"
    with Image.open(picture) as image:
        x = apply_preprocessing(run.config["preprocessing"], image)
    assert predict(bundle, picture) == workbench_labels(run, x)


def test_existing_folder_is_refused_and_left_alone(tmp_path, capsys):
    run = train(tmp_path, capsys, "mlp_digits")
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="already exists"):
        export_run(run.path, out, measure_latency=False)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert main(["export", str(run.path), "--out", str(out), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["passed"] is False
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".taken")]


def test_export_command_json(tmp_path, capsys):
    run = train(tmp_path, capsys, "mlp_digits")
    assert main(["export", str(run.path), "--out", str(tmp_path / "x"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["checks"]["onnx_checker"]["passed"] and report["latency"]


def test_progress_stages_and_cancel_leave_nothing(digits_run, tmp_path):
    from workbench.export.onnx_export import ExportCancelled

    stages: list[str] = []

    def cancel_before_writing(stage: str) -> None:
        stages.append(stage)
        if stage.startswith("writing"):
            raise ExportCancelled("cancelled")

    with pytest.raises(ExportCancelled):
        export_run(digits_run.path, tmp_path / "b", measure_latency=False,
                   progress=cancel_before_writing)
    assert stages[0] == "loading the run" and stages[-1] == "writing the bundle"
    assert any(s.startswith("onnxruntime vs PyTorch on") for s in stages)
    assert list(tmp_path.iterdir()) == []


def test_empty_folder_is_used_and_force_replaces(digits_run, tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    first = export_run(digits_run.path, out, measure_latency=False)
    assert first["passed"] and (out / "model.onnx").is_file()
    (out / "stale.txt").write_text("old")
    export_run(digits_run.path, out, opset=13, force=True, measure_latency=False)
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "model.json").read_text())["opset"] == 13
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]
    meta = json.loads((out / "model.json").read_text())
    assert meta["input"] == {"name": "input", "shape": ["batch", 64], "dtype": "float32"}
    assert meta["class_labels"] == [str(i) for i in range(10)]
    assert meta["preprocessing"]["kind"] == "standardize"
    assert meta["checks"]["parity"]["split"] == "validation"
    readme = (out / "README.txt").read_text()
    assert "rows hold 64 values each" in readme and "shape (batch, 64), dtype float32" in readme


def test_unwritable_destination_is_a_message_and_writes_nothing(digits_run, tmp_path,
                                                               monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="not a writable folder"):
        export_run(digits_run.path, blocker / "bundle", measure_latency=False)

    import workbench.export.bundle_files as bundle_files

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(bundle_files.tempfile, "mkdtemp", refuse)  # the disk refuses at the end
    with pytest.raises(ExportError, match="cannot write the bundle .*Permission denied"):
        export_run(digits_run.path, tmp_path / "late", measure_latency=False)
    assert not (tmp_path / "late").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_bundle_gets_the_users_normal_permissions(digits_run, tmp_path):
    """The bundle folder is not left 0700 (mkdtemp's mode), nor its files 0600."""
    old = os.umask(0o022)
    try:
        export_run(digits_run.path, tmp_path / "perm", measure_latency=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "perm").stat().st_mode) == 0o755
    for name in ("model.onnx", "model.json", "predict.py", "README.txt"):
        assert stat.S_IMODE((tmp_path / "perm" / name).stat().st_mode) == 0o644, name
