"""rebuild_run: the one core rebuild of a run (module + weights + data, saved preprocessing)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from workbench.data import load_dataset
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.run_model import DataChangedError, rebuild_run
from workbench.runs.run_store import RunStore


def write_csv(path, scale=1.0, rows=90):
    rng = np.random.default_rng(0)
    lines = ["a,b,label"]
    for _ in range(rows):
        a, b = rng.normal(size=2)
        lines.append(f"{a * scale:.5f},{b:.5f},{'yes' if a + b > 0 else 'no'}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def csv_run(tmp_path):
    data = tmp_path / "data.csv"
    write_csv(data)
    project = load_project(find_example("tabular_csv"))
    dataset = {"name": "csv", "options": {"path": str(data), "target": "label"}}
    request = RunRequest.freeze(project.graph, dataset, {"epochs": 1, "device": "cpu"},
                                tmp_path / "proj")
    summary = execute_run(dataclasses.replace(request, fit_head=True))
    return data, RunStore.open(summary["run_dir"])


def test_rebuilds_module_weights_and_dataset(csv_run):
    _, run = csv_run
    rebuilt = rebuild_run(run.path, purpose="test")
    state, which = run.load_weights()
    assert rebuilt.weights == which and not rebuilt.module.training
    assert all(torch.equal(rebuilt.module.state_dict()[k], v) for k, v in state.items())
    assert rebuilt.dataset.preprocessing == run.config["preprocessing"]
    assert not rebuilt.data_changed and run.read_events() == []


def test_saved_preprocessing_is_applied_never_refitted(csv_run):
    data, run = csv_run
    write_csv(data, scale=100.0)  # same rows, column 'a' 100x larger
    rebuilt = rebuild_run(run, allow_changed_data=True, purpose="test")
    assert rebuilt.data_changed
    assert rebuilt.dataset.preprocessing == run.config["preprocessing"]
    refitted = load_dataset(run.config["dataset"])
    # with the training statistics, 'a' comes out about 100x larger than a fresh fit gives
    ratio = np.abs(rebuilt.dataset.x_val[:, 0]).mean() / np.abs(refitted.x_val[:, 0]).mean()
    assert ratio > 50


def test_changed_data_refused_unless_allowed(csv_run):
    data, run = csv_run
    write_csv(data, rows=91)
    with pytest.raises(DataChangedError, match=str(data)) as info:
        rebuild_run(run)
    assert info.value.recorded["sha256"] in str(info.value)
    assert info.value.found["sha256"] in str(info.value)
    assert run.read_events() == []
    rebuild_run(run, allow_changed_data=True, purpose="export")
    assert [e["purpose"] for e in run.read_events()] == ["export"]


def test_without_data(csv_run):
    data, run = csv_run
    data.unlink()  # the module alone needs no data
    rebuilt = rebuild_run(run, data=False)
    assert rebuilt.dataset is None and rebuilt.module is not None


def test_allowed_change_is_recorded_only_when_the_run_was_used(csv_run):
    from workbench.data import DataError

    data, run = csv_run
    data.write_text("a,b,label\n1,2\n")  # changed, and no longer loadable
    with pytest.raises(DataError):
        rebuild_run(run, allow_changed_data=True)
    assert run.read_events() == []


@pytest.fixture(scope="module")
def two_epochs(tmp_path_factory):
    from workbench.graph.templates import mlp

    request = RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 120}},
                                {"epochs": 2, "device": "cpu", "batch_size": 32, "lr": 0.05,
                                 "checkpoint_every_seconds": 0},
                                tmp_path_factory.mktemp("proj"), name="two")
    return RunStore.open(execute_run(request)["run_dir"])


def test_weights_choices(two_epochs):
    run = two_epochs
    assert run.checkpoints() == [0, 1]
    first, _, _, _ = run.load_checkpoint(0)
    rebuilt = rebuild_run(run, weights="epoch:0", data=False)
    assert rebuilt.weights == "checkpoints/epoch_0000.safetensors"
    assert all(torch.equal(rebuilt.module.state_dict()[k], v) for k, v in first.items())
    assert rebuild_run(run, weights="last", data=False).weights.endswith("epoch_0001.safetensors")
    assert rebuild_run(run, weights=True, data=False).weights == "best.safetensors"
    assert rebuild_run(run, weights=None, data=False).weights is None
    assert rebuilt.load_weights("last").endswith("epoch_0001.safetensors")
    assert rebuilt.weights.endswith("epoch_0001.safetensors")


def test_bad_weights_choice_is_named(two_epochs):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint for epoch 7 \(saved epochs: 0, 1"):
        rebuild_run(two_epochs, weights="epoch:7", data=False)
    with pytest.raises(ValueError, match="'best', 'last', 'epoch:N'.*found 'newest'"):
        rebuild_run(two_epochs, weights="newest", data=False)
    with pytest.raises(ValueError, match="whole number"):
        rebuild_run(two_epochs, weights="epoch:x", data=False)


def test_config_task_and_class_names_read_once(two_epochs, monkeypatch):
    from workbench.train.config import TrainConfig

    rebuilt = rebuild_run(two_epochs)
    assert rebuilt.config.epochs == 2 and rebuilt.config.lr == 0.05
    calls = []
    monkeypatch.setattr(TrainConfig, "from_dict",
                        classmethod(lambda cls, data: calls.append(data)))
    assert rebuilt.config is rebuilt.config  # cached: parsed once, not again
    assert calls == []
    assert rebuilt.task == "classification"
    assert rebuilt.class_names == two_epochs.config["class_names"] == ["class 0", "class 1"]
    without_data = rebuild_run(two_epochs, data=False)
    assert without_data.class_names == ["class 0", "class 1"] and without_data.task == "classification"


def test_objective_is_built_for_the_rebuilt_run(two_epochs):
    rebuilt = rebuild_run(two_epochs, weights="last")
    objective = rebuilt.objective()
    assert objective.module is None and rebuilt.objective_state() == {}  # supervised
    loss, outputs, _ = objective.step(rebuilt.module, torch.as_tensor(rebuilt.dataset.x_val),
                                      torch.as_tensor(rebuilt.dataset.y_val))
    assert torch.isfinite(loss) and outputs.shape[1] == 2
    with pytest.raises(ValueError, match="data=True"):
        rebuild_run(two_epochs, data=False).objective()


def test_objective_parameters_come_back_from_the_checkpoint(tmp_path):
    from workbench.graph.templates import mlp
    from workbench.train import objectives

    class Scaled(objectives.Objective):  # a loss with a trained parameter of its own
        def step(self, model, x, y):
            outputs = model(x) * self.module.weight.sum()
            return self.loss_fn(outputs, y), outputs, None

    def factory(config, dataset, model, device):
        return Scaled(objectives.task_loss(config, dataset), torch.nn.Linear(1, 1, bias=False))

    objectives.register_objective("scaled_for_rebuild_test", factory)
    request = RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 120}},
                                {"epochs": 2, "device": "cpu", "batch_size": 32, "lr": 0.1,
                                 "objective": {"kind": "scaled_for_rebuild_test"}},
                                tmp_path, name="scaled")
    run = RunStore.open(execute_run(request)["run_dir"])
    _, _, extra, _ = run.load_checkpoint(1)
    saved = extra["objective.weight"]
    rebuilt = rebuild_run(run, weights="epoch:1")
    assert set(rebuilt.objective_state()) == {"objective.weight"}
    assert torch.equal(rebuilt.objective().module.weight.detach(), saved)
    assert rebuild_run(run).objective_state() == {}  # best.safetensors: the model only


def test_rebuilding_a_run_leaves_the_global_random_state_alone(tmp_path):
    import torch

    from workbench.experiment import RunRequest, execute_run
    from workbench.graph.templates import mlp
    from workbench.run_model import rebuild_run

    request = RunRequest.freeze(mlp(input_size=2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 80}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32},
                                tmp_path, name="rng")
    run_dir = execute_run(request)["run_dir"]
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    rebuild_run(run_dir, weights=None, data=False)
    assert torch.equal(before, torch.random.get_rng_state())
