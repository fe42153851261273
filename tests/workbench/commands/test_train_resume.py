"""`workbench train --resume RUN`: exact continuation, --epochs extends, other flags ignored
(and said so), changed data refused, a run with no checkpoint starts clean."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.cli import main


def write_csv(path, seed=0, rows=90):
    rng = np.random.default_rng(seed)
    lines = ["a,b,c,label"]
    for _ in range(rows):
        a, b, c = rng.normal(size=3)
        lines.append(f"{a:.4f},{b:.4f},{c:.4f},{'yes' if a + b > 0 else 'no'}")
    path.write_text("\n".join(lines) + "\n")


def train(capsys, *argv):
    code = main(["train", *argv, "--json"])
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    return code, (json.loads(lines[-1]) if lines else None), captured.err


def epochs(run_dir):
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").open()]


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.csv"
    write_csv(path)
    return path


def first_run(capsys, tmp_path, data, n_epochs, name):
    code, summary, err = train(capsys, "tabular_csv", "--data-path", str(data), "--target",
                               "label", "--epochs", str(n_epochs), "--project",
                               str(tmp_path / "proj"), "--name", name, "--device", "cpu")
    assert code == 0, err
    return summary["run_dir"]


def test_epochs_extends_the_run_exactly(capsys, tmp_path, data):
    straight = first_run(capsys, tmp_path, data, 3, "straight")
    short = first_run(capsys, tmp_path, data, 1, "short")
    code, summary, err = train(capsys, "--resume", short, "--epochs", "3")
    assert code == 0, err
    assert "epochs: 1 -> 3" in err and summary["epochs_run"] == 3
    assert json.loads((Path(short) / "config.json").read_text())["training"]["epochs"] == 3
    keys = ("epoch", "train_loss", "val_loss", "val_accuracy", "lr")
    assert [{k: m[k] for k in keys} for m in epochs(short)] == \
        [{k: m[k] for k in keys} for m in epochs(straight)]


def test_other_flags_are_ignored_and_named(capsys, tmp_path, data):
    run = first_run(capsys, tmp_path, data, 1, "r")
    code, summary, err = train(capsys, "--resume", run, "--lr", "0.5", "--dataset", "iris")
    assert code == 0
    assert "ignored with --resume: --lr, --dataset" in err
    config = json.loads((Path(run) / "config.json").read_text())
    assert config["training"]["lr"] != 0.5 and config["dataset"]["name"] == "csv"


def test_epochs_below_what_was_trained_is_refused(capsys, tmp_path, data):
    run = first_run(capsys, tmp_path, data, 2, "r")
    code, result, err = train(capsys, "--resume", run, "--epochs", "1")
    assert code == 2 and "already trained 2 epochs" in result["error"]


def test_run_without_checkpoint_starts_clean(capsys, tmp_path, data):
    run = first_run(capsys, tmp_path, data, 2, "r")
    shutil.rmtree(Path(run) / "checkpoints")
    code, summary, err = train(capsys, "--resume", run)
    assert code == 0, err
    assert [m["epoch"] for m in epochs(run)] == [0, 1]  # not [0, 1, 0, 1]


def test_changed_data_refused_unless_allowed(capsys, tmp_path, data):
    run = first_run(capsys, tmp_path, data, 1, "r")
    write_csv(data, seed=5)
    code, result, _ = train(capsys, "--resume", run, "--epochs", "2")
    assert code == 2 and str(data) in result["error"]
    code, summary, err = train(capsys, "--resume", run, "--epochs", "2", "--allow-changed-data")
    assert code == 0 and "resuming on changed data" in err
    events = [json.loads(line) for line in (Path(run) / "events.jsonl").open()]
    assert [e["purpose"] for e in events if e["kind"] == "changed_data_allowed"] == ["resume"]


def test_resuming_a_finished_run_says_so(capsys, tmp_path, data):
    run = first_run(capsys, tmp_path, data, 1, "r")
    code, summary, err = train(capsys, "--resume", run)
    assert code == 0 and "already trained all its 1 epochs" in err and "--epochs" in err
    assert [m["epoch"] for m in epochs(run)] == [0]
