"""`workbench explain RUN`: the JSON keys, the human summary, and bad input refused with exit
code 2 before anything is written."""

from __future__ import annotations

import json

import pytest

from tests.workbench.explain.explain_runs import shared_regression_run, shared_signal_run
from workbench.cli import main
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def signal_run(tmp_path_factory):
    return shared_signal_run(tmp_path_factory)


def explain_json(capsys, *argv):
    code = main(["explain", *map(str, argv), "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out.strip().splitlines()[-1]), captured.err


def files_of(run_dir):
    return sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file())


def test_json_has_every_part(signal_run, capsys):
    code, result, _ = explain_json(capsys, signal_run, "--group", "f3", "--samples", "2",
                                   "--repeats", "2")
    assert code == 0
    assert {"run_dir", "weights", "task", "importance", "importance_info", "attributions",
            "mistakes", "calibration", "groups"} <= set(result)
    assert [row["feature"] for row in result["importance"][:2]] in (["f0", "f3"],
                                                                      ["f3", "f0"])
    assert all({"feature", "mean", "std", "inputs"} <= set(r) for r in result["importance"])
    assert result["attributions"]["method"] == "ig" and len(
        result["attributions"]["samples"]) == 2
    assert result["mistakes"]["task"] == "classification" and "ece" in result["calibration"]
    assert result["groups"]["group"] == "f3" and \
        {g["value"] for g in result["groups"]["groups"]} == {"lo", "mid", "hi"}
    assert "demographic_parity_difference" in result["groups"]


def test_method_choice_and_text_summary(signal_run, capsys):
    assert main(["explain", str(signal_run), "--method", "ablation", "--samples", "1",
                 "--repeats", "1", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "permutation importance" in out and "attributions (ablation" in out
    assert "mistakes:" in out and "calibration: expected calibration error" in out
    assert " 1. f" in out and "±" in out


def test_regression_lists_residuals_and_no_calibration(tmp_path_factory, capsys):
    run = shared_regression_run(tmp_path_factory)
    code, result, _ = explain_json(capsys, run, "--repeats", "1", "--samples", "1")
    assert code == 0 and result["task"] == "regression"
    assert result["importance_info"]["metric"] == "r2"
    assert result["importance"][0]["feature"] == "a"
    assert "calibration" not in result and result["mistakes"]["residuals"]


@pytest.mark.parametrize("argv, message", [
    (["--samples", "0"], "--samples must be a whole number >= 1"),
    (["--repeats", "-2"], "--repeats must be a whole number >= 1"),
    (["--method", "gradcam"], "Grad-CAM needs a Conv2d layer"),
    (["--group", "nope"], "no column 'nope'"),
    (["--weights", "epoch:99"], "expected one of the saved epochs"),
])
def test_bad_input_exits_2_and_writes_nothing(signal_run, capsys, argv, message):
    before = files_of(signal_run)
    code, result, err = explain_json(capsys, signal_run, *argv)
    assert code == 2 and message in result["error"] and message in err
    assert files_of(signal_run) == before


def test_unknown_run_and_run_without_weights_exit_2(tmp_path, capsys):
    code, result, _ = explain_json(capsys, tmp_path / "nowhere")
    assert code == 2 and "run folder" in result["error"]
    store = RunStore.create(tmp_path, "untrained")
    store.save_config({"graph": {}, "dataset": {"name": "moons", "options": {}}})
    before = files_of(store.path)
    code, result, _ = explain_json(capsys, store.path)
    assert code == 2 and "no saved weights" in result["error"]
    assert files_of(store.path) == before
