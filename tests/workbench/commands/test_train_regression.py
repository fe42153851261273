"""`workbench train` on regression data, end to end: built-in diabetes and a noisy linear CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from workbench.cli import main


def run_json(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    out = captured.out.strip().splitlines()
    return code, (json.loads(out[-1]) if out else None), captured.err


def write_linear_csv(path: Path, rows: int = 300, noise: float = 0.3) -> None:
    """price = 2 + 1.5 a - 2 b + 0.7 c + noise: a continuous target, no classes."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, 3))
    y = 2 + x @ np.array([1.5, -2.0, 0.7]) + rng.normal(0, noise, rows)
    lines = ["a,b,c,price"] + [f"{a:.4f},{b:.4f},{c:.4f},{t:.4f}" for (a, b, c), t in zip(x, y)]
    path.write_text("\n".join(lines) + "\n")


def test_diabetes_example_reports_regression_metrics(tmp_path, capsys):
    code, summary, _ = run_json(capsys, "train", "regression_diabetes", "--epochs", "3",
                                "--project", str(tmp_path), "--json")
    assert code == 0, summary
    assert summary["task"] == "regression" and summary["val_accuracy"] is None
    for key in ("val_loss", "val_mae", "val_rmse", "val_r2"):
        assert isinstance(summary[key], float), key
    assert 10 < summary["val_mae"] < 150  # diabetes progression units (target 25..346)
    config = json.loads((Path(summary["run_dir"]) / "config.json").read_text())
    assert config["training"]["loss"] == "mse"
    output = next(n for n in config["graph"]["nodes"] if n["type"] == "Output")
    assert output["params"]["num_outputs"] == 1 and output["params"]["num_classes"] == 0


def test_noisy_linear_csv_is_learned_as_regression(tmp_path, capsys):
    data = tmp_path / "prices.csv"
    write_linear_csv(data)
    code, summary, _ = run_json(capsys, "train", "tabular_csv", "--data-path", str(data),
                                "--target", "price", "--epochs", "25", "--lr", "0.01",
                                "--project", str(tmp_path / "p"), "--json")
    assert code == 0, summary
    assert summary["task"] == "regression"  # inferred: a numeric target, many values
    assert summary["val_r2"] > 0.8
    assert summary["val_mae"] < 1.0  # noise sd 0.3, target sd about 2.6


def test_classification_run_says_so(tmp_path, capsys):
    code, summary, _ = run_json(capsys, "train", "mlp_digits", "--epochs", "1",
                                "--project", str(tmp_path), "--json")
    assert code == 0 and summary["task"] == "classification"
    assert isinstance(summary["val_accuracy"], float)


def test_task_and_loss_that_disagree_are_refused(tmp_path, capsys):
    data = tmp_path / "prices.csv"
    write_linear_csv(data, rows=60)
    project = tmp_path / "p"
    code, _, err = run_json(capsys, "train", "tabular_csv", "--data-path", str(data),
                            "--target", "price", "--task", "regression", "--loss",
                            "cross_entropy", "--project", str(project))
    assert code == 2 and "regression" in err and "loss 'cross_entropy' is for " \
        "classification" in err and "mse" in err
    code, _, err = run_json(capsys, "train", "mlp_digits", "--loss", "huber",
                            "--project", str(project))
    assert code == 2 and "loss 'huber' is for regression" in err
    code, _, err = run_json(capsys, "train", "regression_diabetes", "--monitor",
                            "val_accuracy", "--project", str(project))
    assert code == 2 and "monitor 'val_accuracy'" in err and "val_mae" in err
    assert not (project / "runs").exists() or not any((project / "runs").iterdir())


def test_progress_and_summary_print_the_task_and_errors(tmp_path, capsys):
    code = main(["train", "regression_diabetes", "--epochs", "2", "--project", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    assert "task regression (target 'progression'), loss mse" in captured.err
    assert "val mae" in captured.err and "R²" in captured.err
    assert "validation R²" in captured.out and "validation MAE" in captured.out
    assert "validation accuracy" not in captured.out
