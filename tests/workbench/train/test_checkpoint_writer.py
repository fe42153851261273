"""Checkpoints off the training thread, on a time interval, and NaN found without a host read
per batch (workbench/train/checkpoint_writer.py and the trainer's loop)."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from workbench.runs.run_store import RunStore
from workbench.train import trainer as trainer_module
from workbench.train.callbacks import FunctionCallback, RunControl
from workbench.train.config import TrainConfig
from workbench.train.events import BatchEnd, CheckpointSaved, EpochEnd
from workbench.train.trainer import Trainer


def cfg(**kw):
    return TrainConfig(**{"epochs": 4, "batch_size": 32, "lr": 0.01, "device": "cpu", **kw})


def test_every_epoch_with_no_interval_and_only_the_end_within_one(tmp_path, spec, moons):
    every = RunStore.create(tmp_path, "every")
    Trainer(spec, moons, cfg(checkpoint_every_seconds=0), run=every).fit()
    assert every.checkpoints() == [0, 1, 2, 3]
    interval = RunStore.create(tmp_path, "interval")
    Trainer(spec, moons, cfg(), run=interval).fit()  # default 120 s: the run is far shorter
    assert interval.checkpoints() == [3]
    assert len(interval.metrics.read()) == 4 and (interval.path / "best.safetensors").is_file()


@pytest.mark.parametrize("snapshot_seconds", [0.0, 3600.0])
def test_a_stop_inside_an_epoch_saves_the_last_completed_one_and_resumes_exactly(
        tmp_path, spec, moons, monkeypatch, snapshot_seconds):
    """With copies kept after every epoch the stop saves epoch 1; with at most one copy an
    hour (the default is one a second), the first epoch's: either resumes bit-exact."""
    monkeypatch.setattr(trainer_module, "SNAPSHOT_SECONDS", snapshot_seconds)
    full = RunStore.create(tmp_path, "full")
    Trainer(spec, moons, cfg(checkpoint_every_seconds=0), run=full).fit()
    control = RunControl()

    def stop_in_epoch_2(event):
        if isinstance(event, BatchEnd) and event.epoch == 2 and event.batch == 1:
            control.request_stop("stopped")

    part = RunStore.create(tmp_path, "part")
    summary = Trainer(spec, moons, cfg(), run=part, control=control,
                      callbacks=[FunctionCallback(stop_in_epoch_2)]).fit()
    assert summary["stopped_reason"] == "stopped"
    assert part.checkpoints() == ([1] if snapshot_seconds == 0 else [0])
    Trainer(spec, moons, cfg(), run=part).resume()
    a = load_file(str(full.path / "checkpoints/epoch_0003.safetensors"))
    b = load_file(str(part.path / "checkpoints/epoch_0003.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    keys = ("train_loss", "val_loss", "val_accuracy")
    assert [{k: m[k] for k in keys} for m in full.metrics.read()] == \
        [{k: m[k] for k in keys} for m in part.metrics.read()]


def test_a_failure_keeps_the_last_completed_epoch(tmp_path, spec, moons, monkeypatch):
    monkeypatch.setattr(trainer_module, "SNAPSHOT_SECONDS", 0.0)

    class Crash(Exception):
        pass

    def crash(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            raise Crash()

    run = RunStore.create(tmp_path, "crash")
    with pytest.raises(Crash):
        Trainer(spec, moons, cfg(), run=run, callbacks=[FunctionCallback(crash)]).fit()
    assert run.checkpoints() == [1]
    assert [m["epoch"] for m in run.metrics.read()] == [0, 1, 2]


def test_checkpoint_events_come_from_the_training_thread_after_the_write(tmp_path, spec, moons):
    seen = []

    def on_event(event):
        if isinstance(event, CheckpointSaved):
            seen.append(event.epoch)
            assert load_file(event.path)  # written and whole when announced

    run = RunStore.create(tmp_path, "events")
    Trainer(spec, moons, cfg(checkpoint_every_seconds=0), run=run,
            callbacks=[FunctionCallback(on_event)]).fit()
    assert seen == [0, 1, 2, 3]


def test_a_write_error_fails_the_run_instead_of_passing_silently(tmp_path, spec, moons,
                                                                  monkeypatch):
    run = RunStore.create(tmp_path, "broken")

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(run, "save_checkpoint", refuse)
    with pytest.raises(OSError, match="disk full"):
        Trainer(spec, moons, cfg(epochs=2), run=run).fit()


class NaNAfter(torch.nn.Module):
    """Wraps a module; from the ``at``-th training call on, its outputs are NaN."""

    def __init__(self, inner, at):
        super().__init__()
        self.inner, self.at, self.calls = inner, at, 0

    def forward(self, x):
        out = self.inner(x)
        if self.training:
            self.calls += 1
            if self.calls > self.at:
                out = out * float("nan")
        return out


@pytest.mark.parametrize("host_check", [None, 0])
def test_nan_is_located_by_epoch_and_batch_without_a_read_per_batch(spec, moons, monkeypatch,
                                                                    host_check):
    from workbench.graph.compile import compile_graph

    batches = -(-len(moons.x_train) // 32)
    module = NaNAfter(compile_graph(spec), at=batches + 3)  # epoch 1 (0-based), batch 3
    trainer = Trainer(module, moons, cfg(epochs=3, monitors=False))
    trainer.host_check = host_check  # None: every batch (the CPU); 0: by time (accelerators)
    monkeypatch.setattr(trainer_module, "HOST_CHECK_SECONDS", 3600.0)
    summary = trainer.fit()
    assert summary["stopped_reason"] == "nan"
    assert trainer.state.nan_at == {"epoch": 1, "batch": 3}
    nan = next(f for f in summary["findings"] if f["code"] == "nan")
    assert "epoch 2, batch 4" in nan["explanation"]  # 1-based in words
    if host_check == 0:  # one read per epoch end (loss sum), plus the late check: not per batch
        assert trainer.host_reads <= 4 < 2 * batches
