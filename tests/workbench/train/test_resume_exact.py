"""A resumed run is bit-for-bit the uninterrupted run: convolutional nets, channels-last weights,
fused Adam and fused SGD with momentum (the MLP case is in test_trainer.py)."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from safetensors.torch import load_file

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.paths import find_example
from workbench.project import load_project
from workbench.runs.run_store import RunStore
from workbench.train.callbacks import FunctionCallback
from workbench.train.config import TrainConfig
from workbench.train.events import EpochEnd
from workbench.train.trainer import Trainer
from workbench.train.training_state import restore_optimizer_state

EPOCH_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "improved")


class Kill(Exception):
    """Stands in for a killed process."""


@pytest.fixture(scope="module")
def digits_subset():
    """digits as 1x8x8 images, cut to 320 training and 96 validation samples (fast)."""
    full = load_dataset({"name": "digits_images", "options": {}})
    return dataclasses.replace(full, x_train=full.x_train[:320], y_train=full.y_train[:320],
                               x_val=full.x_val[:96], y_val=full.y_val[:96])


def _graph(example: str, dataset):
    project = load_project(find_example(example))
    return fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                dataset.num_classes)


def _config(optimizer: str) -> TrainConfig:
    extra = {"momentum": 0.9, "lr": 0.05} if optimizer == "sgd" else {"lr": 0.003}
    return TrainConfig(epochs=4, batch_size=32, optimizer=optimizer, device="cpu",
                       monitors=False, restore_best=False, checkpoint_every_seconds=0, **extra)


@pytest.mark.parametrize("example", ["cnn_digits", "resnet_small"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_killed_and_resumed_run_equals_uninterrupted(tmp_path, digits_subset, example,
                                                     optimizer):
    graph, config = _graph(example, digits_subset), _config(optimizer)
    full_run = RunStore.create(tmp_path, "full")
    Trainer(graph, digits_subset, config, run=full_run).fit()

    def killer(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            raise Kill()  # dies before epoch 2's checkpoint: resumes after epoch 1

    part_run = RunStore.create(tmp_path, "part")
    with pytest.raises(Kill):
        Trainer(graph, digits_subset, config, run=part_run,
                callbacks=[FunctionCallback(killer)]).fit()
    assert part_run.checkpoints() == [0, 1]
    Trainer(graph, digits_subset, config, run=part_run).resume()

    full, resumed = full_run.metrics.read(), part_run.metrics.read()
    assert [m["epoch"] for m in resumed] == [0, 1, 2, 3]
    for a, b in zip(full, resumed):
        assert {k: a[k] for k in EPOCH_KEYS} == {k: b[k] for k in EPOCH_KEYS}, a["epoch"]
    for epoch in (2, 3):
        a = load_file(str(full_run.path / f"checkpoints/epoch_{epoch:04d}.safetensors"))
        b = load_file(str(part_run.path / f"checkpoints/epoch_{epoch:04d}.safetensors"))
        assert all(torch.equal(a[k], b[k]) for k in a)


def test_restored_buffers_take_the_parameters_memory_format():
    weight = torch.nn.Parameter(torch.randn(4, 3, 3, 3).contiguous(
        memory_format=torch.channels_last))
    optimizer = torch.optim.Adam([weight], lr=0.1)
    saved = {"state": {0: {"step": torch.tensor(1.0), "exp_avg": torch.ones(4, 3, 3, 3),
                           "exp_avg_sq": torch.ones(4, 3, 3, 3)}},
             "param_groups": optimizer.state_dict()["param_groups"]}
    restore_optimizer_state(optimizer, saved)
    state = optimizer.state[weight]
    assert state["exp_avg"].stride() == weight.stride()
    assert torch.equal(state["exp_avg"], torch.ones(4, 3, 3, 3))
    state["step"] += 1  # nothing is shared with the saved dict
    assert saved["state"][0]["step"].item() == 1.0


def test_draws_from_torch_rng_between_epochs_do_not_change_the_run(tmp_path, moons):
    """The app's histogram probe compiles a network (drawing random init) at checkpoints; the
    run's dropout stream must not notice, or a resumed run could not match it."""
    from workbench.graph.templates import mlp

    spec = mlp(2, hidden=(16,), num_classes=2, dropout=0.3)
    config = TrainConfig(epochs=3, batch_size=32, lr=0.01, device="cpu", monitors=False)

    def intruder(event):
        if isinstance(event, EpochEnd):
            torch.randn(1000)

    plain = Trainer(spec, moons, config, run=RunStore.create(tmp_path, "a"))
    plain.fit()
    disturbed = Trainer(spec, moons, config, run=RunStore.create(tmp_path, "b"),
                        callbacks=[FunctionCallback(intruder)])
    disturbed.fit()
    assert [m["train_loss"] for m in plain.history] == \
        [m["train_loss"] for m in disturbed.history]


def test_resuming_an_early_stopped_run_trains_no_more(tmp_path, moons):
    from workbench.graph.templates import mlp

    spec = mlp(2, hidden=(16,), num_classes=2)
    config = TrainConfig(epochs=60, batch_size=32, lr=0.05, device="cpu", early_stopping=2,
                         monitor="val_accuracy", monitors=False)
    run = RunStore.create(tmp_path, "es")
    first = Trainer(spec, moons, config, run=run).fit()
    assert first["stopped_reason"] == "early_stopping"
    again = Trainer(spec, moons, config, run=run).resume()
    assert again["stopped_reason"] == "early_stopping"
    assert again["epochs_run"] == first["epochs_run"] == len(run.metrics.read())
    assert again["best_epoch"] == first["best_epoch"]
