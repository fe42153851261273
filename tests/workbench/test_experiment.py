"""A run that cannot work is refused before it starts, and leaves no run folder behind."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from workbench.experiment import RunRequest, RunSetupError, execute_run, request_lineage
from workbench.graph.templates import embedding_lstm, mlp
from workbench.runs.run_store import RunStore
from workbench.train import memory_estimate
from workbench.train.trainer import Trainer

TINY = {"epochs": 1, "device": "cpu", "batch_size": 32}
MOONS = {"name": "moons", "options": {"n_samples": 80}}


def refuse(request):
    with pytest.raises(RunSetupError) as info:
        execute_run(request)
    return info.value


def test_token_ids_past_the_embedding_are_refused_on_the_node(tmp_path):
    request = RunRequest.freeze(embedding_lstm(vocab=16, num_classes=2),
                                {"name": "sequence", "options": {"n_samples": 40}}, TINY,
                                tmp_path)
    error = refuse(request)
    assert "Embedding 'embed' has 16 entries" in str(error)
    assert "token ids up to 19" in str(error)
    assert [p.node_id for p in error.problems] == ["embed"]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_network_too_large_for_memory_is_refused_before_allocation(tmp_path, monkeypatch):
    monkeypatch.setattr(memory_estimate, "available_memory", lambda device: 10**6)

    def must_not_build(*args, **kwargs):
        raise AssertionError("the trainer was built for a network that cannot fit")

    monkeypatch.setattr(Trainer, "__init__", must_not_build)
    error = refuse(RunRequest.freeze(mlp(2, hidden=(1000, 1000), num_classes=2), MOONS, TINY,
                                     tmp_path))
    assert "the network is too large for this machine" in str(error)
    assert "this machine has 1.0 MB available" in str(error)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_failed_start_leaves_no_run_folder(tmp_path, monkeypatch):
    def crash(self, start_epoch):
        raise RuntimeError("the device fell over")

    monkeypatch.setattr(Trainer, "_loop", crash)
    with pytest.raises(RuntimeError, match="fell over"):
        execute_run(RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2), MOONS, TINY,
                                      tmp_path))
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_run_that_saved_a_checkpoint_keeps_its_folder_when_it_fails(tmp_path, monkeypatch):
    def crash_after_a_checkpoint(self, start_epoch):
        self.run.save_checkpoint(0, self.module.state_dict())
        raise RuntimeError("the device fell over")

    monkeypatch.setattr(Trainer, "_loop", crash_after_a_checkpoint)
    with pytest.raises(RuntimeError):
        execute_run(RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2), MOONS, TINY,
                                      tmp_path))
    (run,) = (tmp_path / "runs").iterdir()
    assert RunStore.open(run).checkpoints() == [0]


def test_resuming_a_damaged_checkpoint_changes_nothing(tmp_path):
    summary = execute_run(RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2), MOONS, TINY,
                                            tmp_path))
    run = RunStore.open(summary["run_dir"])
    state = run.checkpoint_dir / "epoch_0000.state.safetensors"
    state.write_bytes(state.read_bytes()[:-3])
    before = {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()}
    request = RunRequest(graph=run.config["graph"], dataset=run.config["dataset"],
                         training={**run.config["training"], "epochs": 3},
                         project_dir=str(tmp_path), name="again")
    with pytest.raises(ValueError, match="state.safetensors is not a valid safetensors file"):
        execute_run(request, resume_dir=run.path)
    assert {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()} == before


def test_every_new_run_records_its_lineage(tmp_path):
    tiny = mlp(2, hidden=(4,), num_classes=2)
    root = execute_run(RunRequest.freeze(tiny, MOONS, TINY, tmp_path))
    assert RunStore.open(root["run_dir"]).config["lineage"] == {}
    child = execute_run(RunRequest(
        graph=tiny.to_dict(), dataset=MOONS, training=TINY, project_dir=str(tmp_path),
        lineage={"parent": root["run_dir"], "relation": "fine-tuned-from"}))
    parent_name = Path(root["run_dir"]).name
    assert RunStore.open(child["run_dir"]).config["lineage"] == {
        "relation": "fine-tuned-from", "parent": parent_name}


@pytest.mark.parametrize("lineage, words", [
    ({"parent": "x", "relation": "cloned-from"}, "relation must be one of"),
    ({"parent": "no-such-run", "relation": "pruned-from"},
     "lineage: the parent must be a run folder (with config.json), found"),
])
def test_a_bad_lineage_is_refused_before_any_folder_is_made(tmp_path, lineage, words):
    request = RunRequest(graph=mlp(2, hidden=(4,), num_classes=2).to_dict(), dataset=MOONS,
                         training=TINY, project_dir=str(tmp_path), lineage=lineage)
    assert words in str(refuse(request))
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_init_from_run_makes_the_run_fine_tuned_from_it(tmp_path):
    parent = RunStore.create(tmp_path, "parent")
    parent.save_config({})
    request = RunRequest(graph={}, dataset=MOONS, project_dir=str(tmp_path),
                         training={**TINY, "init": {"from_run": str(parent.path)}})
    lineage = request_lineage(request)
    assert (lineage.relation, lineage.parent) == ("fine-tuned-from", str(parent.path.resolve()))
    given = {"parent": parent.path.name, "relation": "distilled-from"}
    assert request_lineage(replace(request, lineage=given)).relation == "distilled-from"
    missing = replace(request, training={**TINY, "init": {"from_run": "nowhere"}})
    with pytest.raises(RunSetupError, match="init.from_run must be a run folder"):
        request_lineage(missing)


def test_a_resume_continues_in_place_and_is_recorded_as_an_event(tmp_path):
    summary = execute_run(RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2), MOONS, TINY,
                                            tmp_path))
    run = RunStore.open(summary["run_dir"])
    request = RunRequest(graph=run.config["graph"], dataset=run.config["dataset"],
                         training={**run.config["training"], "epochs": 2},
                         project_dir=str(tmp_path))
    again = execute_run(request, resume_dir=run.path)
    assert again["run_dir"] == summary["run_dir"]
    (event,) = [e for e in run.read_events() if e.get("kind") == "resumed"]
    assert event["from_epoch"] == 0 and event["start_epoch"] == 1 and "time" in event


def test_a_distillation_objective_makes_the_run_distilled_from_its_teacher(tmp_path):
    teacher = RunStore.create(tmp_path, "teacher")
    teacher.save_config({})
    objective = {"kind": "distillation", "options": {"teacher_run": str(teacher.path)}}
    request = RunRequest(graph={}, dataset=MOONS, project_dir=str(tmp_path),
                         training={**TINY, "objective": objective})
    lineage = request_lineage(request)
    assert (lineage.relation, lineage.parent) == ("distilled-from", str(teacher.path.resolve()))
    gone = {"kind": "distillation", "options": {"teacher_run": str(tmp_path / "gone")}}
    with pytest.raises(RunSetupError, match="teacher_run must be a run folder"):
        request_lineage(replace(request, training={**TINY, "objective": gone}))
