"""The workbench command end to end, in-process, on tiny runs."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.runs.run_store import list_runs


def run_json(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else None


def test_train_json_runs_and_eval_test(tmp_path, capsys):
    project = tmp_path / "proj"
    code, summary = run_json(capsys, "train", "mlp_digits", "--epochs", "2", "--project",
                             str(project), "--json")
    assert code == 0
    for key in ("run_dir", "epochs_run", "best_epoch", "val_loss", "val_accuracy",
                "train_accuracy", "samples_per_second", "device", "stopped_reason"):
        assert key in summary
    assert summary["epochs_run"] == 2 and summary["val_accuracy"] > 0.5
    run_dir = summary["run_dir"]
    saved = json.loads((tmp_path / run_dir / "config.json").read_text())
    assert saved["training"]["epochs"] == 2 and saved["dataset"]["name"] == "digits"

    code, rows = run_json(capsys, "runs", str(project), "--json")
    assert code == 0 and rows[0]["test_accuracy"] is None

    code, result = run_json(capsys, "eval", run_dir, "--split", "test", "--json")
    assert code == 0 and 0.5 < result["accuracy"] <= 1.0
    assert len(result["report"]["confusion"]) == 10
    code, rows = run_json(capsys, "runs", str(project), "--json")
    assert rows[0]["test_accuracy"] == result["accuracy"]

    assert main(["runs", str(project)]) == 0
    table = capsys.readouterr().out
    assert "completed" in table and "test_accuracy" in table


def test_flags_config_file_and_dataset_override(tmp_path, capsys):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"optimizer": "sgd", "momentum": 0.9, "lr": 0.05}))
    code, summary = run_json(capsys, "train", "mlp_digits", "--config", str(config),
                             "--nesterov", "--schedule", "cosine", "--epochs", "1",
                             "--dataset", "iris", "--project", str(tmp_path), "--json")
    assert code == 0, summary
    saved = list_runs(tmp_path)[0].config
    assert saved["training"]["optimizer"] == "sgd" and saved["training"]["nesterov"] is True
    assert saved["graph"]["nodes"][0]["params"]["shape"] == [4]  # Input fitted to iris


def test_human_output_has_progress_and_summary(tmp_path, capsys):
    assert main(["train", "tabular_csv", "--epochs", "2", "--project", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "epoch 2/2" in captured.err and "validation accuracy" in captured.out


@pytest.mark.parametrize("argv, message", [
    (["train", "nope"], "no such project file"),
    (["train", "mlp_digits", "--lr", "-1"], "'lr' must be between"),
    (["train", "cnn_digits", "--dataset", "moons"], "does not fit dataset 'moons'"),
    (["train", "mlp_digits", "--dataset", "csv", "--data-path", "missing.csv"],
     "no such CSV file"),
])
def test_bad_input_is_a_clear_message(tmp_path, capsys, argv, message):
    code = main(argv + ["--project", str(tmp_path), "--json"])
    out = capsys.readouterr()
    assert code == 2 and message in out.err and "Traceback" not in out.err
    assert list_runs(tmp_path) == []


def test_resume_continues_a_killed_run(tmp_path, capsys):
    code, first = run_json(capsys, "train", "mlp_digits", "--epochs", "2", "--project",
                           str(tmp_path), "--json")
    run_dir = first["run_dir"]
    config = json.loads((tmp_path / run_dir / "config.json").read_text())
    config["training"]["epochs"] = 3  # as if the run had been killed after epoch 2 of 3
    (tmp_path / run_dir / "config.json").write_text(json.dumps(config))
    code, resumed = run_json(capsys, "train", "--resume", run_dir, "--json")
    assert code == 0 and resumed["epochs_run"] == 3 and resumed["run_dir"] == run_dir


def test_config_file_dataset_without_validation_split(tmp_path, capsys):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"dataset": {"name": "iris", "val_fraction": 0.0},
                                  "epochs": 2}))
    code, summary = run_json(capsys, "train", "mlp_digits", "--config", str(config),
                             "--project", str(tmp_path / "p"), "--json")
    assert code == 0  # the head was fitted to iris's 3 classes, as with --dataset
    assert summary["val_loss"] is None and summary["val_accuracy"] is None
    assert summary["train_accuracy"] is not None
    saved = json.loads((tmp_path / summary["run_dir"] / "summary.json").read_text())
    assert saved["val_loss"] is None
