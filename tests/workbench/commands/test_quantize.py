"""``workbench quantize``: the summary, --json's keys, and bad input as exit code 2."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> RunStore:
    project = load_project(find_example("mlp_digits"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"},
                                tmp_path_factory.mktemp("project"), name="mlp_digits")
    return RunStore.open(execute_run(request)["run_dir"])


def folders(run: RunStore) -> set[str]:
    return {p.name for p in run.path.parent.iterdir()}


def test_json_has_the_compare_keys(digits_run, capsys):
    assert main(["quantize", str(digits_run.path), "--samples", "32", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("run_dir", "val_accuracy", "params", "macs", "file_bytes", "latency_ms"):
        assert key in out, key
    assert set(out["latency_ms"]) == {"1", "64"} and out["macs"] > 0
    assert RunStore.open(out["run_dir"]).config["lineage"]["relation"] == "quantized-from"


def test_summary_lines(digits_run, capsys):
    assert main(["quantize", str(digits_run.path), "--mode", "dynamic", "--samples", "8"]) == 0
    out = capsys.readouterr().out
    assert "float32" in out and "dynamic (S8 weights)" in out
    assert "intra-op thread" in out and "recommendation:" in out and "written to" in out


@pytest.mark.parametrize("argv,message", [
    (["--samples", "0"], "at least 1 sample"),
    (["--threads", "0"], "threads must be at least 1"),
])
def test_bad_settings_exit_2_without_a_folder(digits_run, capsys, argv, message):
    before = folders(digits_run)
    assert main(["quantize", str(digits_run.path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert folders(digits_run) == before


def test_not_a_run_exits_2(tmp_path, capsys):
    assert main(["quantize", str(tmp_path), "--json"]) == 2
    captured = capsys.readouterr()
    assert "not a run folder" in json.loads(captured.out)["error"]
    assert list(tmp_path.iterdir()) == []


def test_model_ort_cannot_quantize_exits_2_without_a_folder(digits_run, capsys, monkeypatch):
    import onnxruntime.quantization as ortq

    def refuse(*args, **kwargs):
        raise RuntimeError("Unsupported operator: FancyOp\nmore detail")

    monkeypatch.setattr(ortq, "quantize_static", refuse)
    before = folders(digits_run)
    assert main(["quantize", str(digits_run.path), "--samples", "8"]) == 2
    err = capsys.readouterr().err
    assert "onnxruntime cannot quantize this model (static QDQ U8S8): RuntimeError: " \
           "Unsupported operator: FancyOp" in err and len(err.strip().splitlines()) == 1
    assert folders(digits_run) == before


def test_first_float_keeps_the_first_layer_in_float(digits_run, capsys):
    assert main(["quantize", str(digits_run.path), "--format", "qoperator", "--first-float",
                 "--samples", "16"]) == 0
    out = capsys.readouterr().out
    assert "static QOperator U8S8 first-float" in out  # the label fits its column
