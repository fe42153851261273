"""Training with ``augment``: a killed and resumed run is bit-exact with the uninterrupted one,
augmentation really changes the training batches (and only them), mixup trains through soft
targets, and a setting that does not fit the data is refused before the run starts."""

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

EPOCH_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "improved")
AUGMENT = "hflip,crop=0.7,rotate=10,color=0.3,erase=0.3,mixup=0.2,cutmix=1"


class Kill(Exception):
    """Stands in for a killed process."""


@pytest.fixture(scope="module")
def digits():
    full = load_dataset({"name": "digits_images", "options": {}})
    return dataclasses.replace(full, x_train=full.x_train[:96], y_train=full.y_train[:96],
                               x_val=full.x_val[:48], y_val=full.y_val[:48])


def _graph(dataset):
    project = load_project(find_example("cnn_digits"))
    return fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                dataset.num_classes)


def _config(augment: str = AUGMENT, **extra) -> TrainConfig:
    settings = {"epochs": 4, "batch_size": 32, "lr": 0.003, "device": "cpu", "monitors": False,
                "restore_best": False, "augment": augment, **extra}
    return TrainConfig(**settings)


def test_killed_and_resumed_run_with_augmentation_equals_uninterrupted(tmp_path, digits):
    graph, config = _graph(digits), _config()
    full_run = RunStore.create(tmp_path, "full")
    Trainer(graph, digits, config, run=full_run).fit()

    def killer(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            raise Kill()

    part_run = RunStore.create(tmp_path, "part")
    with pytest.raises(Kill):
        Trainer(graph, digits, config, run=part_run, callbacks=[FunctionCallback(killer)]).fit()
    Trainer(graph, digits, config, run=part_run).resume()
    full, resumed = full_run.metrics.read(), part_run.metrics.read()
    for a, b in zip(full, resumed, strict=True):
        assert {k: a[k] for k in EPOCH_KEYS} == {k: b[k] for k in EPOCH_KEYS}, a["epoch"]
    a = load_file(str(full_run.path / "checkpoints/epoch_0003.safetensors"))
    b = load_file(str(part_run.path / "checkpoints/epoch_0003.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_augmentation_changes_training_not_validation(digits):
    graph = _graph(digits)
    plain = Trainer(graph, digits, _config("", epochs=1))
    plain.fit()
    augmented = Trainer(graph, digits, _config("crop=0.6", epochs=1))
    augmented.fit()
    assert plain.history[0]["train_loss"] != augmented.history[0]["train_loss"]
    # the validation pass sees the plain inputs: evaluating the trained weights again on them
    # gives the recorded val_loss
    from workbench.train.evaluate import evaluate

    again = evaluate(augmented.module, torch.as_tensor(digits.x_val),
                     torch.as_tensor(digits.y_val), batch_size=1024, device="cpu")
    assert again["loss"] == pytest.approx(augmented.history[0]["val_loss"], rel=1e-5)


def test_a_setting_that_does_not_fit_is_refused_before_training(tmp_path):
    iris = load_dataset({"name": "iris"})
    project = load_project(find_example("lesson_overfitting"))
    graph = fit_graph_to_dataset(project.graph, iris.input_shape, iris.input_dtype,
                                 iris.num_classes)
    with pytest.raises(ValueError, match="hflip"):
        Trainer(graph, iris, _config("hflip")).fit()


def test_the_command_line_refuses_it_in_one_line_before_the_run(tmp_path, capsys):
    from workbench.cli import main

    code = main(["train", "lesson_overfitting", "--augment", "hflip", "--epochs", "1",
                 "--project", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0
    assert "augment 'hflip' needs images" in err and "'iris'" in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
