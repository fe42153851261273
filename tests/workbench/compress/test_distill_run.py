"""Distilling a run end to end: lineage, logged terms, checkpointed hints, CLI and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.compress.distill_run import DistillSettings, distill, student_requests
from workbench.compress.errors import CompressError
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.run_model import rebuild_run
from workbench.runs.lineage import lineage_of, parent_path
from workbench.runs.run_store import RunStore, list_runs


@pytest.fixture(scope="module")
def teacher(tmp_path_factory) -> RunStore:
    project = load_project(find_example("mlp_digits"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"},
                                tmp_path_factory.mktemp("project"), name="teacher")
    return RunStore.open(execute_run(request)["run_dir"])


def _one_epoch(**kwargs) -> DistillSettings:
    return DistillSettings(epochs=1, training={"device": "cpu", "monitors": False}, **kwargs)


def test_distilled_run_has_lineage_terms_and_checkpointed_hint(teacher, tmp_path):
    report = distill(teacher.path, "auto", _one_epoch(hints=(("fc1", "fc1"),)),
                     project_dir=tmp_path, measure=False)
    run = RunStore.open(report["run_dir"])
    assert lineage_of(run).relation == "distilled-from"
    assert parent_path(run) == teacher.path.resolve()
    record = [m for m in run.metrics.read() if m.get("kind") == "epoch"][-1]
    assert {"loss_soft", "loss_hard", "loss_hint"} <= set(record)
    assert report["params"] < report["teacher_params"]
    assert report["teacher_val_accuracy"] is not None
    # the hint projection (student fc1: 32 -> teacher fc1: 128) is saved with the checkpoint
    rebuilt = rebuild_run(run, weights="last")
    state = rebuilt.objective_state()
    assert state["objective.hint0.weight"].shape == (128, 32)
    objective = rebuilt.objective()
    assert objective.module["hint0"].weight.equal(state["objective.hint0.weight"])
    assert (run.path / "artifacts" / "distill_report.json").is_file()


def test_compare_scratch_trains_the_same_student_supervised(teacher, tmp_path):
    request, scratch = student_requests(teacher.path, "auto", _one_epoch(seed=3),
                                        project_dir=tmp_path, compare_scratch=True)
    assert request.training["objective"]["kind"] == "distillation"
    assert scratch.training["objective"] == {"kind": "supervised", "options": {}}
    assert {k: v for k, v in scratch.training.items() if k != "objective"} == \
        {k: v for k, v in request.training.items() if k != "objective"}
    assert scratch.graph == request.graph and scratch.lineage is None
    assert request.preprocessing == teacher.config["preprocessing"]


def _project_file(tmp_path: Path, edit) -> Path:
    data = json.loads(find_example("mlp_digits").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "student.wbproj.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _set_classes(data):
    for node in data["graph"]["nodes"]:
        if node["type"] == "Output":
            node["params"]["num_classes"] = 3


def _set_input(data):
    for node in data["graph"]["nodes"]:
        if node["type"] == "Input":
            node["params"]["shape"] = [32]


def _set_dataset(data):
    data["dataset"] = {"name": "iris", "options": {}}


@pytest.mark.parametrize("edit, message", [
    (_set_classes, "student network predicts 3 classes, the teacher's 10"),
    (_set_input, r"takes inputs of shape \(32,\), the teacher's \(64,\)"),
    (_set_dataset, "trains on dataset 'iris', the teacher run"),
])
def test_cli_refuses_a_student_that_does_not_fit(teacher, tmp_path, capsys, edit, message):
    project = _project_file(tmp_path, edit)
    before = len(list_runs(teacher.path.parent.parent))
    code = main(["distill", str(teacher.path), str(project), "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert __import__("re").search(message, err)
    assert len(list_runs(teacher.path.parent.parent)) == before  # nothing written


def test_cli_refuses_a_missing_teacher_and_no_student(tmp_path, capsys):
    assert main(["distill", str(tmp_path / "nope"), "--student", "auto"]) == 2
    assert "teacher must be a run folder" in capsys.readouterr().err
    assert main(["distill", str(tmp_path)]) == 2
    assert "STUDENT_PROJECT" in capsys.readouterr().err


def test_cli_json_end_to_end_with_scratch(teacher, tmp_path, capsys):
    code = main(["distill", str(teacher.path), "mlp_digits", "--epochs", "1", "--temperature",
                 "2", "--alpha", "0.5", "--compare-scratch", "--project", str(tmp_path),
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in ("run_dir", "val_accuracy", "params", "macs", "teacher_val_accuracy",
                "file_bytes", "latency_ms", "scratch_val_accuracy", "gap_recovered"):
        assert key in out
    assert set(out["latency_ms"]) == {"1", "64"}
    assert out["params"] == out["teacher_params"]  # the same network, here
    assert out["temperature"] == 2.0 and out["alpha"] == 0.5
    assert len(list_runs(tmp_path)) == 2


def test_objective_refuses_a_teacher_with_other_classes(teacher, tmp_path):
    """The objective itself checks the teacher against the data (a project that names
    'distillation' directly), before any epoch: no run folder is left."""
    iris = {"name": "iris", "options": {}}
    training = {"epochs": 1, "device": "cpu", "objective": {
        "kind": "distillation", "options": {"teacher_run": str(teacher.path)}}}
    project = load_project(find_example("mlp_digits"))
    request = RunRequest.freeze(project.graph, iris, training, tmp_path, name="s")
    request = __import__("dataclasses").replace(request, fit_head=True)
    with pytest.raises(CompressError, match=r"teacher takes inputs of shape \(64,\)"):
        execute_run(request)
    assert list_runs(tmp_path) == []
