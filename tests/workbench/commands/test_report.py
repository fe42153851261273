"""`workbench report RUN --out FILE`: prints the written path; bad input exits with code 2 and a
message, and nothing is written."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.workbench.explain.explain_runs import shared_signal_run
from workbench.cli import main


@pytest.fixture(scope="module")
def signal_run(tmp_path_factory):
    return shared_signal_run(tmp_path_factory)


def test_report_prints_the_path_of_the_page(signal_run, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(signal_run), "--out", str(out), "--samples", "1",
                 "--group", "f3"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Groups and fairness" in text
    assert "demographic parity difference" in text


def test_json_output(signal_run, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(signal_run), "--out", str(out), "--samples", "1",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"path": str(out), "bytes": out.stat().st_size}


def test_bad_input_exits_2_and_writes_nothing(signal_run, tmp_path, capsys):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(signal_run / "config.json", bare / "config.json")
    out = tmp_path / "r.html"
    cases = [
        (["report", str(tmp_path / "nowhere"), "--out", str(out)], "expected a run folder"),
        (["report", str(bare), "--out", str(out)], "no saved weights"),
        (["report", str(signal_run), "--out", str(tmp_path / "no" / "r.html")],
         "does not exist"),
        (["report", str(signal_run), "--out", str(out), "--group", "nope"],
         "group column 'nope'"),
        (["report", str(signal_run), "--out", str(out), "--samples", "0"], "samples must be"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("workbench report: ") and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare"]
    assert sorted(p.name for p in bare.iterdir()) == ["config.json"]


def test_out_is_required(signal_run, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["report", str(signal_run)])
    assert exited.value.code == 2 and "--out" in capsys.readouterr().err
