"""A run leaves process-wide torch state as it found it; runs in one process are independent."""

from __future__ import annotations

import torch

from workbench.graph.templates import mlp
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer

KEYS = ("train_loss", "val_loss", "val_accuracy")


def cfg(seed):
    return TrainConfig(epochs=2, batch_size=32, lr=0.01, device="cpu", monitors=False,
                       seed=seed)


def _curve(trainer):
    return [[m[k] for k in KEYS] for m in trainer.history]


def test_construct_and_fit_leave_the_global_generator_as_found(moons):
    spec = mlp(2, hidden=(16,), num_classes=2, dropout=0.3)
    torch.manual_seed(1234)
    initial, state = torch.initial_seed(), torch.get_rng_state()
    trainer = Trainer(spec, moons, cfg(7))
    assert torch.equal(torch.get_rng_state(), state)
    trainer.fit()
    assert torch.initial_seed() == initial and torch.equal(torch.get_rng_state(), state)
    assert torch.get_num_threads() >= 1


def test_alternating_trainers_match_each_alone(moons):
    spec = mlp(2, hidden=(16,), num_classes=2, dropout=0.3)
    alone_a, alone_b = Trainer(spec, moons, cfg(1)), Trainer(spec, moons, cfg(2))
    alone_a.fit()
    torch.rand(5)  # something else in the process draws between the runs
    alone_b.fit()
    # constructed together, fitted alternately, the global generator moved in between
    a, b = Trainer(spec, moons, cfg(1)), Trainer(spec, moons, cfg(2))
    torch.rand(3)
    b.fit()
    torch.rand(7)
    a.fit()
    assert _curve(a) == _curve(alone_a) and _curve(b) == _curve(alone_b)
    assert _curve(a) != _curve(b)
