from __future__ import annotations

import pytest
import torch

from workbench.runs.run_store import RunStore, list_runs


def test_create_unique_folders_and_list(tmp_path):
    a = RunStore.create(tmp_path, "net")
    b = RunStore.create(tmp_path, "net")
    assert a.path != b.path
    a.save_config({"x": 1})
    b.save_config({"x": 2})
    (tmp_path / "runs" / "not-a-run").mkdir()
    assert [r.config["x"] for r in list_runs(tmp_path)] == [1, 2]


def test_checkpoint_round_trip_restores_optimizer(tmp_path):
    run = RunStore.create(tmp_path, "net")
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(5, 3)).sum().backward()
    opt.step()
    run.save_checkpoint(0, model.state_dict(), opt.state_dict(), {"rng": torch.get_rng_state()},
                        {"best_value": 0.5})
    state, opt_state, extra, meta = run.load_checkpoint(0)
    assert meta["best_value"] == 0.5 and torch.equal(extra["rng"], torch.get_rng_state())
    fresh = torch.optim.Adam(model.parameters(), lr=0.01)
    fresh.load_state_dict(opt_state)
    for key in ("exp_avg", "exp_avg_sq"):
        assert torch.equal(fresh.state_dict()["state"][0][key], opt.state_dict()["state"][0][key])
    assert torch.equal(state["weight"], model.weight)
    assert run.latest_checkpoint()[0].name == "epoch_0000.safetensors"
    assert not list(run.path.rglob("*.pt")) and not list(run.path.rglob("*.pkl"))


def test_refuses_non_finite_weights(tmp_path):
    run = RunStore.create(tmp_path, "net")
    with pytest.raises(ValueError, match="NaN"):
        run.save_checkpoint(0, {"w": torch.tensor([float("nan")])})
    with pytest.raises(ValueError, match="NaN"):
        run.save_best({"w": torch.tensor([float("inf")])})
    assert run.checkpoints() == [] and not (run.path / "best.safetensors").exists()


def test_open_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such run folder"):
        RunStore.open(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        RunStore.open(tmp_path)
