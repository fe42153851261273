"""`workbench explain --fit-temperature` and `--positive CLASS`: the fitted temperature is
stored and shown by the next explanation (and used by export), bad input exits 2 with nothing
written."""

from __future__ import annotations

import json

import pytest

from tests.workbench.explain.explain_runs import (
    shared_regression_run,
    train_csv_run,
    write_signal_csv,
)
from workbench.cli import main

QUICK = ["--samples", "1", "--repeats", "1", "--limit", "1"]


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    """A classifier of its own: fitting a temperature changes the run, so not the shared one."""
    folder = tmp_path_factory.mktemp("calibrate")
    return train_csv_run(write_signal_csv(folder / "d.csv", rows=240), "label",
                         folder / "proj", epochs=8)


def explain(capsys, *argv):
    code = main(["explain", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def files_of(run_dir):
    return sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file())


def test_fitted_temperature_is_stored_and_shown_next_time(own_run, capsys):
    from workbench.explain.calibration import export_calibration

    code, out, _ = explain(capsys, own_run, "--fit-temperature", *QUICK)
    assert code == 0
    assert "temperature scaling: fitted T = " in out and "expected calibration error" in out
    assert "stored in artifacts/calibration.json" in out
    stored = json.loads((own_run / "artifacts" / "calibration.json").read_text())
    assert stored["temperature"] > 0 and stored["nll_after"] <= stored["nll_before"] + 1e-12
    code, out, _ = explain(capsys, own_run, "--json", *QUICK)
    result = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and "temperature_fit" not in result
    assert result["calibration"]["temperature"] == stored["temperature"]
    assert result["calibration"]["ece_calibrated"] == pytest.approx(stored["ece_after"])
    assert export_calibration(own_run)["temperature"] == stored["temperature"]


def test_fit_in_json_has_the_record(own_run, capsys):
    code, out, _ = explain(capsys, own_run, "--fit-temperature", "--json", *QUICK)
    result = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and {"temperature", "ece_before", "ece_after", "nll_before",
                          "nll_after", "weights_sha256"} <= set(result["temperature_fit"])
    assert result["calibration"]["temperature"] == result["temperature_fit"]["temperature"]


def test_regression_run_refuses_fit_and_writes_nothing(tmp_path_factory, capsys):
    run = shared_regression_run(tmp_path_factory)
    before = files_of(run)
    code, out, err = explain(capsys, run, "--fit-temperature", *QUICK)
    assert code == 2 and "is for classification runs" in err and "regression run" in err
    assert files_of(run) == before and not (run / "artifacts" / "calibration.json").exists()


def test_fit_with_a_method_that_does_not_fit_writes_nothing(own_run, capsys):
    before = files_of(own_run)
    code, _, err = explain(capsys, own_run, "--fit-temperature", "--method", "gradcam",
                           *QUICK)
    assert code == 2 and "Grad-CAM needs a Conv2d layer" in err
    assert files_of(own_run) == before


@pytest.mark.parametrize("positive", ["no", "0"])
def test_positive_class_is_passed_to_the_groups(own_run, capsys, positive):
    code, out, _ = explain(capsys, own_run, "--group", "f3", "--positive", positive, "--json",
                           *QUICK)
    result = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and result["groups"]["positive"] == "no"


@pytest.mark.parametrize("argv, message", [
    (["--group", "f3", "--positive", "maybe"],
     "positive class 'maybe': expected one of the classes no, yes"),
    (["--group", "f3", "--positive", "7"], "expected one of the classes no, yes"),
    (["--positive", "yes"], "expected --group COLUMN with it"),
])
def test_bad_positive_exits_2_and_writes_nothing(own_run, capsys, argv, message):
    before = files_of(own_run)
    code, _, err = explain(capsys, own_run, *argv, *QUICK)
    assert code == 2 and message in err
    assert files_of(own_run) == before
