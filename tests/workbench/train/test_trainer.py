from __future__ import annotations

import threading

import pytest
import torch
from safetensors.torch import load_file

from workbench.runs.run_store import RunStore
from workbench.train.callbacks import FunctionCallback, RunControl
from workbench.train.config import TrainConfig
from workbench.train.events import (
    BatchEnd,
    CheckpointSaved,
    Diagnostic,
    EpochEnd,
    RunFinished,
    RunStarted,
)
from workbench.train.trainer import Trainer


def cfg(**kw):
    return TrainConfig(**{"epochs": 3, "batch_size": 32, "lr": 0.01, "device": "cpu", **kw})


def test_fit_emits_events_and_writes_run_folder(tmp_path, spec, moons):
    events = []
    run = RunStore.create(tmp_path, "t")
    run.save_config({"graph": spec.to_dict()})
    summary = Trainer(spec, moons, cfg(), run=run,
                      callbacks=[FunctionCallback(events.append)]).fit()
    kinds = [type(e) for e in events]
    assert kinds[0] is RunStarted and kinds[-1] is RunFinished
    assert sum(k is EpochEnd for k in kinds) == 3 and BatchEnd in kinds
    assert summary["epochs_run"] == 3 and summary["stopped_reason"] == "completed"
    for key in ("run_dir", "best_epoch", "val_loss", "val_accuracy", "train_accuracy",
                "samples_per_second", "device"):
        assert summary[key] is not None
    # a run shorter than checkpoint_every_seconds (default 120) is checkpointed at its end
    assert run.checkpoints() == [2] and (run.path / "best.safetensors").exists()
    assert [e.epoch for e in events if isinstance(e, CheckpointSaved)] == [2]
    epoch = run.metrics.read()[-1]
    assert set(epoch["grad_norm"]) == {"fc1", "fc2"} and "act1" in epoch["dead_fraction"]
    assert run.read_summary()["epochs_run"] == 3


TIMING_KEYS = ("samples_per_second", "epoch_seconds")


def _curve(trainer):
    return [{k: v for k, v in m.items() if k not in TIMING_KEYS} for m in trainer.history]


def test_same_seed_same_curve_bit_for_bit(spec, moons):
    """Every epoch, every metric (gradient norms and dead fractions too), bit for bit."""
    a, b, other = (Trainer(spec, moons, cfg(seed=seed, epochs=4)) for seed in (3, 3, 4))
    for trainer in (a, b, other):
        trainer.fit()
    assert len(a.history) == 4 and "grad_norm" in a.history[0]
    assert _curve(a) == _curve(b)
    assert [m["train_loss"] for m in a.history] != [m["train_loss"] for m in other.history]


def test_resume_matches_uninterrupted_run(tmp_path, spec, moons):
    full_run = RunStore.create(tmp_path, "full")
    full = Trainer(spec, moons, cfg(epochs=4, restore_best=False), run=full_run).fit()
    part_run = RunStore.create(tmp_path, "part")

    class Kill(Exception):
        pass

    def killer(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            raise Kill()  # dies before epoch 1's checkpoint: resumes from epoch 0

    with pytest.raises(Kill):
        Trainer(spec, moons, cfg(epochs=4, restore_best=False), run=part_run,
                callbacks=[FunctionCallback(killer)]).fit()
    assert part_run.checkpoints() == [0]
    resumed = Trainer(spec, moons, cfg(epochs=4, restore_best=False), run=part_run).resume()
    assert resumed["val_loss"] == full["val_loss"]
    assert [m["train_loss"] for m in part_run.metrics.read()] == \
        [m["train_loss"] for m in full_run.metrics.read()]
    a = load_file(str(full_run.path / "checkpoints/epoch_0003.safetensors"))
    b = load_file(str(part_run.path / "checkpoints/epoch_0003.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_nan_stops_within_one_step_without_bad_checkpoint(tmp_path, spec, moons):
    run = RunStore.create(tmp_path, "nan")
    diagnostics = []
    summary = Trainer(spec, moons, cfg(lr=1e6, optimizer="sgd", momentum=0.9, epochs=5), run=run,
                      callbacks=[FunctionCallback(lambda e: isinstance(e, Diagnostic)
                                                  and diagnostics.append(e))]).fit()
    assert summary["stopped_reason"] == "nan"
    nan = [d for d in diagnostics if d.code == "nan"]
    assert nan and "learning rate" in nan[0].message
    for epoch in run.checkpoints():
        weights = load_file(str(run.path / f"checkpoints/epoch_{epoch:04d}.safetensors"))
        assert all(torch.isfinite(t).all() for t in weights.values())


def test_stop_is_honoured_within_one_batch(spec, moons):
    control = RunControl()
    batches = []

    def on_event(event):
        if isinstance(event, BatchEnd):
            batches.append(event)
            if len(batches) == 2:
                control.request_stop()

    summary = Trainer(spec, moons, cfg(epochs=50, batch_size=8), control=control,
                      callbacks=[FunctionCallback(on_event)]).fit()
    assert summary["stopped_reason"] == "stopped" and len(batches) == 2


def test_pause_blocks_until_resume(spec, moons):
    control = RunControl()
    seen = []
    paused_at = threading.Event()

    def on_event(event):
        if isinstance(event, BatchEnd):
            seen.append(event.step)
            if event.step == 0:
                control.pause()
                paused_at.set()

    trainer = Trainer(spec, moons, cfg(epochs=1), control=control,
                      callbacks=[FunctionCallback(on_event)])
    thread = threading.Thread(target=trainer.fit)
    thread.start()
    assert paused_at.wait(30)
    thread.join(0.3)
    assert thread.is_alive() and seen == [0]
    control.resume()
    thread.join(30)
    assert not thread.is_alive() and len(seen) > 1


def test_early_stopping_restores_best(tmp_path, spec, moons):
    run = RunStore.create(tmp_path, "es")
    trainer = Trainer(spec, moons, cfg(epochs=60, lr=0.05, early_stopping=2,
                                       monitor="val_accuracy", checkpoint_every_seconds=0),
                      run=run)
    summary = trainer.fit()
    assert summary["stopped_reason"] == "early_stopping" and summary["weights"] == "best"
    assert summary["epochs_run"] < 60 and summary["best_epoch"] <= summary["epochs_run"] - 2
    best = load_file(str(run.path / f"checkpoints/epoch_{summary['best_epoch'] - 1:04d}"
                                    f".safetensors"))
    last = load_file(str(run.path / f"checkpoints/epoch_{summary['epochs_run'] - 1:04d}"
                                    f".safetensors"))
    final = trainer.module.state_dict()
    assert all(torch.equal(final[k], best[k]) for k in best)  # the best epoch's weights
    assert not all(torch.equal(final[k], last[k]) for k in last)  # not the last epoch's


@pytest.mark.parametrize("optimizer", ["sgd", "adagrad", "rmsprop", "adam", "adamw"])
def test_each_optimizer_learns(spec, moons, optimizer):
    lr = {"sgd": 0.1, "adagrad": 0.1}.get(optimizer, 0.01)
    summary = Trainer(spec, moons, cfg(optimizer=optimizer, lr=lr, epochs=8)).fit()
    assert summary["val_accuracy"] > 0.75


@pytest.mark.parametrize("loss", ["cross_entropy", "bce", "mse"])
def test_each_loss_learns(spec, moons, loss):
    summary = Trainer(spec, moons, cfg(loss=loss, lr=0.03, epochs=8, label_smoothing=0.1
                                       if loss == "cross_entropy" else 0.0,
                                       l2=1e-4, l1=1e-5, grad_clip=1.0)).fit()
    assert summary["val_accuracy"] > 0.75


def test_balanced_sampling_evens_class_frequencies_in_batches(moons):
    """On 10% positives, balanced batches hold about half positives; plain ones about 10%."""
    import dataclasses

    import numpy as np

    y = np.array([1 if i % 10 == 0 else 0 for i in range(400)], dtype=np.int64)
    x = np.stack([y.astype(np.float32), np.zeros(400, np.float32)], axis=1)  # x[:, 0] = label
    skewed = dataclasses.replace(moons, x_train=x, y_train=y)

    def positive_share(balanced):
        module = torch.nn.Linear(2, 2)
        seen = []
        module.register_forward_pre_hook(
            lambda m, inputs: seen.append(inputs[0][:, 0].clone()) if m.training else None)
        Trainer(module, skewed, cfg(balanced_sampling=balanced, monitors=False)).fit()
        return float(torch.cat(seen).mean())

    assert 0.4 < positive_share(True) < 0.6
    assert 0.05 < positive_share(False) < 0.15


def test_trains_a_bare_module(moons):
    module = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    assert Trainer(module, moons, cfg()).fit()["epochs_run"] == 3


def test_unavailable_device_is_a_clear_error(spec, moons):
    if torch.cuda.is_available():
        pytest.skip("CUDA is present")
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        Trainer(spec, moons, cfg(device="cuda"))
