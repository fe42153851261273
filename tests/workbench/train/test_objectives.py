"""Training objectives: the registry, the supervised default, and an objective with its own
parameter and two loss terms (trained, logged, checkpointed, restored on resume)."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from workbench.runs.run_store import RunStore
from workbench.train import objectives
from workbench.train.callbacks import FunctionCallback
from workbench.train.config import TrainConfig
from workbench.train.events import EpochEnd
from workbench.train.objectives import Objective, make_objective, objective_names
from workbench.train.trainer import Trainer


def cfg(**kw):
    return TrainConfig(**{"epochs": 3, "batch_size": 32, "lr": 0.05, "device": "cpu",
                          "monitors": False, **kw})


class TemperedObjective(Objective):
    """Cross-entropy of logits / T with a learned T (its own parameter) plus a penalty on T:
    two terms, 'hard' and 'soft'."""

    name = "tempered"

    def __init__(self, loss_fn, weight: float) -> None:
        super().__init__(loss_fn, torch.nn.ParameterDict(
            {"log_t": torch.nn.Parameter(torch.randn(1))}))
        self.weight = weight

    def step(self, model, x, y):
        outputs = model(x)
        hard = self.loss_fn(outputs / self.module["log_t"].exp(), y)
        soft = self.weight * self.module["log_t"].pow(2).sum()
        return hard + soft, outputs, {"hard": hard, "soft": soft}


@pytest.fixture
def tempered(monkeypatch):
    def factory(config, dataset, model, device):
        options = objectives.objective_options(config)
        return TemperedObjective(objectives.task_loss(config, dataset), options["weight"])

    monkeypatch.setitem(objectives._OBJECTIVES, "tempered", objectives.ObjectiveEntry(
        factory, "test only", {"weight": 0.1}))
    return {"kind": "tempered", "options": {"weight": 0.5}}


def test_registry_lists_supervised_and_refuses_unknown_kinds(spec, moons):
    assert objective_names()[0] == "supervised"
    config = cfg()
    config.objective.kind = "gan"  # bypasses validation on purpose
    with pytest.raises(ValueError, match="unknown objective 'gan'; known: supervised"):
        make_objective(config, moons, torch.nn.Linear(2, 2), "cpu")


def test_supervised_matches_loss_plus_penalty(moons):
    model = torch.nn.Linear(2, 2)
    x, y = torch.as_tensor(moons.x_train[:8]), torch.as_tensor(moons.y_train[:8])
    objective = make_objective(cfg(l2=0.01), moons, model, "cpu")
    loss, outputs, terms = objective.step(model, x, y)
    expected = torch.nn.functional.cross_entropy(model(x), y) + 0.01 * (model.weight ** 2).sum()
    assert terms is None and torch.allclose(loss, expected) and outputs.shape == (8, 2)
    assert objective.parameters() == [] and objective.state_tensors() == {}


def test_objective_parameter_is_trained_and_terms_are_logged(tmp_path, spec, moons, tempered):
    run = RunStore.create(tmp_path, "t")
    ends = []
    trainer = Trainer(spec, moons, cfg(objective=tempered), run=run,
                      callbacks=[FunctionCallback(
                          lambda e: ends.append(e) if isinstance(e, EpochEnd) else None)])
    before = None

    def remember(event):
        nonlocal before
        if before is None and trainer.objective is not None:
            before = trainer.objective.module["log_t"].detach().clone()

    trainer.callbacks.append(FunctionCallback(remember))
    trainer.fit()
    after = trainer.objective.module["log_t"].detach()
    assert before is not None and not torch.equal(before, after)
    record = run.metrics.read()[-1]
    assert record["loss_hard"] > 0 and record["loss_soft"] >= 0
    assert ends[-1].metrics["loss_hard"] == record["loss_hard"]
    assert record["loss_hard"] + record["loss_soft"] == pytest.approx(record["train_loss"],
                                                                       rel=1e-5)
    state = load_file(str(run.checkpoint_dir / "epoch_0002.state.safetensors"))
    assert torch.equal(state["extra.objective.log_t"], after)
    weights = load_file(str(run.checkpoint_dir / "epoch_0002.safetensors"))
    assert not any(k.startswith("objective.") for k in weights)  # weights stay model-only


def test_resume_restores_the_objective_bit_for_bit(tmp_path, spec, moons, tempered):
    full_run, part_run = RunStore.create(tmp_path, "full"), RunStore.create(tmp_path, "part")
    full = Trainer(spec, moons, cfg(epochs=4, objective=tempered, restore_best=False),
                   run=full_run)
    full.fit()

    class Kill(Exception):
        pass

    def killer(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            raise Kill()

    with pytest.raises(Kill):
        Trainer(spec, moons, cfg(epochs=4, objective=tempered, restore_best=False),
                run=part_run, callbacks=[FunctionCallback(killer)]).fit()
    resumed = Trainer(spec, moons, cfg(epochs=4, objective=tempered, restore_best=False),
                      run=part_run)
    resumed.resume()
    assert torch.equal(resumed.objective.module["log_t"], full.objective.module["log_t"])
    keys = ("train_loss", "val_loss", "loss_hard", "loss_soft")
    assert [[m[k] for k in keys] for m in part_run.metrics.read()] == \
        [[m[k] for k in keys] for m in full_run.metrics.read()]
