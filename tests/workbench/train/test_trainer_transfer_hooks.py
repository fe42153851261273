"""The trainer's calls into workbench.train.transfer (a fake module stands in for it here), and
one run through the real module: frozen layers stay bit-identical."""

from __future__ import annotations

import sys
import types

import pytest
import torch

from workbench.runs.run_store import RunStore
from workbench.train.callbacks import FunctionCallback
from workbench.train.config import TrainConfig
from workbench.train.events import EpochEnd, RunStarted
from workbench.train.trainer import Trainer


def cfg(**kw):
    return TrainConfig(**{"epochs": 3, "batch_size": 32, "lr": 0.1, "device": "cpu",
                          "monitors": False, "optimizer": "sgd", **kw})


class FakePlan:
    calls: list = []

    def __init__(self, load_weights):
        self.load_weights = load_weights
        self.report = {"source": "fake", "matched": ["fc1"], "frozen": ["fc1"]}

    @classmethod
    def prepare(cls, module, init, load_weights=True):
        FakePlan.calls.append(("prepare", load_weights, init.lr_scale))
        return cls(load_weights)

    def parameter_groups(self, module):
        fc1 = [p for n, p in module.named_parameters() if n.startswith("fc1")]
        rest = [p for n, p in module.named_parameters() if not n.startswith("fc1")]
        return [{"params": fc1, "lr_scale": 0.5, "name": "loaded"},
                {"params": rest, "lr_scale": 1.0, "name": "new"}]

    def start_epoch(self, module, epoch):
        FakePlan.calls.append(("start_epoch", epoch))
        for n, p in module.named_parameters():
            p.requires_grad_(not (n.startswith("fc1") and epoch == 0))
        return ["fc1"] if epoch == 1 else []

    def train_mode(self, module):
        assert module.training
        FakePlan.calls.append(("train_mode",))


@pytest.fixture
def fake_transfer(monkeypatch):
    module = types.ModuleType("workbench.train.transfer")
    module.TransferPlan = FakePlan
    monkeypatch.setitem(sys.modules, "workbench.train.transfer", module)
    FakePlan.calls = []
    return FakePlan


def test_default_runs_never_import_transfer(spec, moons, monkeypatch):
    monkeypatch.setitem(sys.modules, "workbench.train.transfer", None)  # import would fail
    events = []
    Trainer(spec, moons, cfg(epochs=1), callbacks=[FunctionCallback(events.append)]).fit()
    assert events[0].init_report is None


def test_trainer_drives_the_plan(tmp_path, spec, moons, fake_transfer):
    run = RunStore.create(tmp_path, "ft")
    events, weights = [], []

    def watch(event):
        if isinstance(event, EpochEnd):
            weights.append(trainer.module.fc1.weight.detach().clone())
        events.append(event)

    trainer = Trainer(spec, moons, cfg(init={"freeze": ["fc1"], "lr_scale": 0.5}), run=run,
                      callbacks=[FunctionCallback(watch)])
    before = trainer.module.fc1.weight.detach().clone()
    trainer.fit()
    assert fake_transfer.calls[0] == ("prepare", True, 0.5)
    assert [c for c in fake_transfer.calls if c[0] == "start_epoch"] == [
        ("start_epoch", 0), ("start_epoch", 1), ("start_epoch", 2)]
    assert sum(c[0] == "train_mode" for c in fake_transfer.calls) == 3
    started = next(e for e in events if isinstance(e, RunStarted))
    assert started.init_report == {"source": "fake", "matched": ["fc1"], "frozen": ["fc1"]}
    recorded = run.read_events()
    assert {"kind": "init", "source": "fake", "matched": ["fc1"], "frozen": ["fc1"]} in recorded
    assert {"kind": "unfreeze", "epoch": 1, "nodes": ["fc1"]} in recorded
    assert torch.equal(weights[0], before) and not torch.equal(weights[1], before)
    assert [(g["name"], g["lr"]) for g in trainer.optimizer.param_groups] == [
        ("loaded", 0.05), ("new", 0.1)]


def test_resume_prepares_without_loading_weights(tmp_path, spec, moons, fake_transfer):
    run = RunStore.create(tmp_path, "ft")
    config = cfg(init={"freeze": ["fc1"]})
    Trainer(spec, moons, config, run=run).fit()
    fake_transfer.calls = []
    Trainer(spec, moons, cfg(epochs=4, init={"freeze": ["fc1"]}), run=run).resume()
    assert fake_transfer.calls[0] == ("prepare", False, 1.0)
    assert sum(e.get("kind") == "init" for e in run.read_events()) == 1


def test_fine_tune_with_the_real_module_keeps_frozen_layers(tmp_path, spec, moons):
    store = tmp_path / "runs"
    store.mkdir()
    parent = RunStore.create(store, "parent")
    parent.save_config({"graph": spec.to_dict()})
    Trainer(spec, moons, cfg(epochs=2), run=parent).fit()
    child = RunStore.create(store, "child")
    child.save_config({"graph": spec.to_dict()})
    trainer = Trainer(spec, moons, cfg(epochs=2, seed=5, init={"from_run": str(parent.path),
                                                               "freeze": ["fc1"]}), run=child)
    loaded = None

    def remember(event):
        nonlocal loaded
        if isinstance(event, RunStarted):
            loaded = trainer.module.fc1.weight.detach().clone()

    trainer.callbacks.append(FunctionCallback(remember))
    trainer.fit()
    assert torch.equal(trainer.module.fc1.weight, loaded)
    assert "fc1" in trainer.transfer.report.get("frozen", [])
    assert any(e.get("kind") == "init" for e in child.read_events())
