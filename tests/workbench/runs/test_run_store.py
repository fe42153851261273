from __future__ import annotations

import pytest
import torch

from workbench.runs.run_store import RunStore, list_runs


def test_create_unique_folders_and_list(tmp_path):
    a = RunStore.create(tmp_path, "net")
    b = RunStore.create(tmp_path, "net")
    assert a.path != b.path
    a.save_config({**SECTIONS, "x": 1})
    b.save_config({**SECTIONS, "x": 2})
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


SECTIONS = {"graph": {}, "dataset": {}, "training": {}}


def test_list_runs_orders_by_creation_time_not_folder_name(tmp_path):
    older = RunStore.create(tmp_path, "zzz")
    older.save_config({**SECTIONS, "x": "older"})
    newer = RunStore.create(tmp_path, "aaa")
    newer.save_config({**SECTIONS, "x": "newer"})
    # renamed so that the folder names sort the other way round
    older.path.rename(tmp_path / "runs" / "b-older")
    newer.path.rename(tmp_path / "runs" / "a-newer")
    assert [r.config["x"] for r in list_runs(tmp_path)] == ["older", "newer"]


def test_created_is_recorded_once_and_kept(tmp_path):
    run = RunStore.create(tmp_path, "net")
    run.save_config({**SECTIONS, "x": 1})
    created = run.config["created"]
    RunStore(run.path).save_config({**SECTIONS, "x": 2})  # a later save without the field keeps it
    assert RunStore(run.path).config["created"] == created
    assert RunStore(run.path).created.tzinfo is not None


def test_runs_without_created_fall_back_to_the_folder_time(tmp_path):
    import json

    runs = tmp_path / "runs"
    for name in ("20250102-000000-b", "20250101-000000-a"):
        (runs / name).mkdir(parents=True)
        (runs / name / "config.json").write_text(json.dumps({**SECTIONS, "x": name}))
    assert [r.path.name for r in list_runs(tmp_path)] == ["20250101-000000-a",
                                                          "20250102-000000-b"]


def test_test_looks_counts_every_test_split_event(tmp_path):
    run = RunStore.create(tmp_path, "net")
    run.save_config(SECTIONS)
    assert run.test_looks() == 0
    run.record_event({"kind": "eval", "split": "val"})
    run.record_event({"kind": "eval", "split": "test"})
    run.record_event({"kind": "export", "split": "test"})
    assert run.test_looks() == 2


def test_discard_best(tmp_path):
    run = RunStore.create(tmp_path, "net")
    run.save_best({"w": torch.zeros(1)})
    run.discard_best()
    run.discard_best()  # nothing there: fine
    assert not run.has_weights()
