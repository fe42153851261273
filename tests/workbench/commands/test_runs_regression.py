"""`workbench runs` lists a regression run's MAE and R², and its test MAE once looked at."""

from __future__ import annotations

import json

from workbench.cli import main


def test_runs_list_shows_regression_errors(tmp_path, capsys):
    assert main(["train", "regression_diabetes", "--epochs", "2", "--project", str(tmp_path),
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["eval", summary["run_dir"], "--split", "test", "--json"]) == 0
    test_mae = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["mae"]
    assert main(["runs", str(tmp_path), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["task"] == "regression" and row["val_mae"] == summary["val_mae"]
    assert row["val_r2"] == summary["val_r2"] and row["test_mae"] == test_mae
    assert main(["runs", str(tmp_path)]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert {"val_mae", "val_r2", "test_mae"} <= set(header)
