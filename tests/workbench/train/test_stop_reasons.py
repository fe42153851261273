"""Why a run ended: reasons from RunControl, StopTraining, the time budget; epoch-record hooks."""

from __future__ import annotations

import pytest

from workbench.runs.run_store import RunStore
from workbench.train.callbacks import (
    STOP_REASONS,
    Callback,
    FunctionCallback,
    RunControl,
    StopTraining,
)
from workbench.train.config import TrainConfig
from workbench.train.events import BatchEnd, EpochEnd
from workbench.train.trainer import Trainer


def cfg(**kw):
    return TrainConfig(**{"epochs": 3, "batch_size": 32, "lr": 0.01, "device": "cpu",
                          "monitors": False, **kw})


def test_reasons_are_distinct():
    assert len(set(STOP_REASONS)) == len(STOP_REASONS) == 7


def test_request_stop_carries_its_reason_into_the_summary(tmp_path, spec, moons):
    control = RunControl()

    def prune(event):
        if isinstance(event, BatchEnd) and event.step == 1:
            control.request_stop("pruned")
            control.request_stop("stopped")  # the first reason wins

    run = RunStore.create(tmp_path, "p")
    summary = Trainer(spec, moons, cfg(epochs=50), run=run, control=control,
                      callbacks=[FunctionCallback(prune)]).fit()
    assert summary["stopped_reason"] == "pruned"
    assert run.read_summary()["stopped_reason"] == "pruned"


def test_stop_training_from_an_event_hook_ends_after_that_epoch(spec, moons):
    def pruner(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            raise StopTraining("pruned")

    trainer = Trainer(spec, moons, cfg(epochs=10), callbacks=[FunctionCallback(pruner)])
    summary = trainer.fit()
    assert summary["stopped_reason"] == "pruned" and summary["epochs_run"] == 2


class Scorer(Callback):
    """Adds a value to each record, and stops with a reason from the record hook."""

    def __init__(self) -> None:
        self.seen: list[dict] = []

    def on_epoch_record(self, epoch, record):
        if epoch == 2:
            raise StopTraining("budget")
        return {"score": record["val_loss"] * 2, "epoch_plus": epoch + 100}

    def on_event(self, event):
        if isinstance(event, EpochEnd):
            self.seen.append(event.metrics)


def test_epoch_record_hook_values_reach_metrics_events_and_history(tmp_path, spec, moons):
    run = RunStore.create(tmp_path, "h")
    scorer = Scorer()
    trainer = Trainer(spec, moons, cfg(epochs=6), run=run, callbacks=[scorer])
    summary = trainer.fit()
    records = run.metrics.read()
    assert [r["epoch_plus"] for r in records[:2]] == [100, 101]
    assert records[0]["score"] == records[0]["val_loss"] * 2
    assert scorer.seen[0]["score"] == records[0]["score"] == trainer.history[0]["score"]
    assert summary["stopped_reason"] == "budget" and summary["epochs_run"] == 3


def test_time_budget_ends_the_run_after_the_epoch_that_passes_it(spec, moons):
    summary = Trainer(spec, moons, cfg(epochs=20, time_budget_seconds=1e-9)).fit()
    assert summary["stopped_reason"] == "budget" and summary["epochs_run"] == 1


def test_budget_on_the_last_epoch_is_still_completed(spec, moons):
    summary = Trainer(spec, moons, cfg(epochs=1, time_budget_seconds=1e-9)).fit()
    assert summary["stopped_reason"] == "completed"


@pytest.mark.parametrize("reason", ["stopped", "pruned"])
def test_default_reason_of_a_plain_request(reason):
    control = RunControl()
    control.request_stop(reason) if reason != "stopped" else control.request_stop()
    assert control.stop_requested and control.stop_reason == reason
