"""A run that cannot work is refused before it starts, and leaves no run folder behind."""

from __future__ import annotations

import pytest

from workbench.experiment import RunRequest, RunSetupError, execute_run
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
