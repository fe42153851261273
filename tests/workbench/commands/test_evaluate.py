"""`workbench eval` and `workbench runs` on a run whose CSV changes under it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from workbench.cli import main


def write_csv(path, rows=90, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    lines = ["a,b,c,label"]
    for _ in range(rows):
        a, b, c = rng.normal(size=3)
        lines.append(f"{a * scale:.4f},{b:.4f},{c:.4f},{'yes' if a + b > 0 else 'no'}")
    path.write_text("\n".join(lines) + "\n")


def run_json(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    out = captured.out.strip().splitlines()
    return code, (json.loads(out[-1]) if out else None), captured.err


@pytest.fixture
def csv_run(tmp_path, capsys):
    data = tmp_path / "data.csv"
    write_csv(data)
    code, summary, _ = run_json(capsys, "train", "tabular_csv", "--data-path", str(data),
                                "--target", "label", "--epochs", "1", "--project",
                                str(tmp_path / "proj"), "--json")
    assert code == 0, summary
    return data, summary["run_dir"]


def events(run_dir):
    path = Path(run_dir) / "events.jsonl"
    return [json.loads(line) for line in path.open()] if path.exists() else []


def test_run_records_data_fingerprint(csv_run):
    data, run_dir = csv_run
    config = json.loads(open(f"{run_dir}/config.json").read())
    assert config["data_fingerprint"] == {
        "kind": "file", "path": str(data), "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}


def test_eval_refuses_changed_data_naming_file_and_both_hashes(csv_run, capsys):
    data, run_dir = csv_run
    recorded = hashlib.sha256(data.read_bytes()).hexdigest()
    write_csv(data, seed=1)
    found = hashlib.sha256(data.read_bytes()).hexdigest()
    code, result, _ = run_json(capsys, "eval", run_dir, "--split", "test", "--json")
    assert code == 2
    assert str(data) in result["error"] and recorded in result["error"] and \
        found in result["error"] and "--allow-changed-data" in result["error"]
    assert not [e for e in events(run_dir) if e.get("split") == "test"]  # nothing was looked at


def test_allow_changed_data_proceeds_and_is_recorded(csv_run, capsys):
    data, run_dir = csv_run
    recorded = hashlib.sha256(data.read_bytes()).hexdigest()
    write_csv(data, seed=1)
    code, result, _ = run_json(capsys, "eval", run_dir, "--allow-changed-data", "--json")
    assert code == 0 and result["split"] == "val"
    allowed = [e for e in events(run_dir) if e["kind"] == "changed_data_allowed"]
    assert len(allowed) == 1 and allowed[0]["recorded_sha256"] == recorded
    assert allowed[0]["found_sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert allowed[0]["purpose"] == "eval val"


def test_every_test_split_evaluation_is_counted(csv_run, capsys):
    _, run_dir = csv_run
    project = str(run_dir).rsplit("/runs/", 1)[0]
    assert run_json(capsys, "eval", run_dir, "--split", "test", "--json")[1]["test_looks"] == 1
    assert run_json(capsys, "eval", run_dir, "--split", "val", "--json")[1]["test_looks"] == 1
    main(["eval", run_dir, "--split", "test"])
    assert "the test split has now been looked at 2 times" in capsys.readouterr().out
    code, rows, _ = run_json(capsys, "runs", project, "--json")
    assert rows[0]["test_looks"] == 2
    main(["runs", project])
    assert "test looked at 2 times" in capsys.readouterr().out
