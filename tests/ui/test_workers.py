"""TrainingJob / TrainingWorker: signals, throttling, stop, failures, clean thread shutdown."""

from __future__ import annotations

import json

import pytest

from ui import workers
from ui.workers import BackgroundCall, TrainingJob, _EventBridge, describe_failure
from workbench.experiment import RunRequest, RunSetupError
from workbench.graph.templates import mlp
from workbench.train import events as ev

MOONS = {"name": "moons", "options": {"n_samples": 400}}


def request(tmp_path, dataset=MOONS, **training):
    settings = {"epochs": 2, "batch_size": 32, **training}
    return RunRequest.freeze(mlp(input_size=2, hidden=(16,), num_classes=2), dataset, settings,
                             tmp_path, "test")


@pytest.fixture
def jobs():
    """Jobs made in a test; each is stopped and its thread waited for afterwards."""
    made: list[TrainingJob] = []
    yield made
    for job in made:
        job.shutdown(30_000)
        assert not job.is_running()
    assert workers.shutdown_all(30_000)


class Recorder:
    def __init__(self, worker):
        self.batches, self.epochs, self.hist, self.diag = [], [], [], []
        worker.batches.connect(self.batches.append)
        worker.epoch.connect(self.epochs.append)
        worker.histograms.connect(self.hist.append)
        worker.diagnostic.connect(self.diag.append)


def test_run_emits_throttled_batches_epochs_histograms_and_evaluation(qtbot, tmp_path, jobs):
    job = TrainingJob(request(tmp_path))
    jobs.append(job)
    rec = Recorder(job)
    with qtbot.waitSignal(job.finished, timeout=60_000) as finished:
        job.start()
    qtbot.waitUntil(lambda: not job.is_running(), timeout=10_000)
    summary = finished.args[0]
    assert summary["stopped_reason"] == "completed"
    assert [e["epoch"] for e in rec.epochs] == [0, 1]
    assert rec.epochs[-1]["x"] == 2
    points = [p for chunk in rec.batches for p in chunk]
    per_epoch = -(-int(400 * 0.7) // 32)  # the moons train split of 400 samples, 32 per batch
    assert len(points) == pytest.approx(2 * per_epoch, abs=2)
    assert len(rec.batches) <= len(points)  # (coalescing itself: the bridge test below)
    assert [p["step"] for p in points] == list(range(len(points)))
    assert rec.hist[-1]["epoch"] == 1  # the last checkpoint's (an overtaken one is dropped)
    assert {h["epoch"] for h in rec.hist} <= {0, 1}
    layer = rec.hist[-1]["layers"]["fc1"]
    assert sum(layer["weights"]["counts"]) == 2 * 16 + 16
    assert len(layer["gradients"]["edges"]) == len(layer["gradients"]["counts"]) + 1
    evaluation = summary["evaluation"]
    assert evaluation["labels"] and len(evaluation["confusion"]) == 2
    assert sum(map(sum, evaluation["confusion"])) == sum(r["support"]
                                                        for r in evaluation["per_class"])


def test_setup_error_becomes_failed_message(qtbot, tmp_path, jobs):
    job = TrainingJob(request(tmp_path, dataset={"name": "no_such_dataset"}))
    jobs.append(job)
    with qtbot.waitSignal(job.failed, timeout=30_000) as failed:
        job.start()
    assert "could not start" in failed.args[0]
    assert "no_such_dataset" in failed.args[0]
    assert job.wait(10_000)


def test_stop_mid_epoch_leaves_consistent_run_folder(qtbot, tmp_path, jobs):
    job = TrainingJob(request(tmp_path, epochs=50, batch_size=8))
    jobs.append(job)
    def stop_in_second_epoch(points):
        if any(p["epoch"] >= 1 for p in points):
            job.request_stop()

    job.batches.connect(stop_in_second_epoch)
    with qtbot.waitSignal(job.finished, timeout=60_000) as finished:
        job.start()
    summary = finished.args[0]
    assert summary["stopped_reason"] == "stopped"
    assert 1 <= summary["epochs_run"] < 50
    run_dir = tmp_path / "runs"
    folder = next(run_dir.iterdir())
    assert json.loads((folder / "summary.json").read_text())["stopped_reason"] == "stopped"
    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == list(range(summary["epochs_run"]))


def test_pause_holds_training_until_resume(qtbot, tmp_path, jobs):
    job = TrainingJob(request(tmp_path, epochs=3))
    jobs.append(job)
    seen: list[int] = []
    job.epoch.connect(lambda m: seen.append(m["epoch"]))
    job.pause()
    job.start()
    qtbot.wait(300)
    assert job.is_running() and job.paused and seen == []
    with qtbot.waitSignal(job.finished, timeout=60_000):
        job.resume()
    assert seen == [0, 1, 2]


def test_shutdown_all_stops_running_jobs(qtbot, tmp_path, jobs):
    job = TrainingJob(request(tmp_path, epochs=1000))
    jobs.append(job)
    with qtbot.waitSignal(job.started, timeout=60_000):
        job.start()
    assert job in workers.active_jobs()
    assert workers.shutdown_all(30_000)
    assert not job.is_running()
    assert workers.active_jobs() == []


def test_background_call_returns_value(qtbot):
    call = BackgroundCall(lambda: 6 * 7)
    with qtbot.waitSignal(call.worker.result, timeout=10_000) as result:
        call.start()
    assert result.args == [42]
    assert call.wait(10_000)


class FakeSignal:
    def __init__(self):
        self.calls = []

    def emit(self, value):
        self.calls.append(value)


class FakeWorker:
    def __init__(self):
        for name in ("started", "batches", "epoch", "histograms", "diagnostic",
                     "dataProgress"):
            setattr(self, name, FakeSignal())


def test_bridge_coalesces_batches_and_flushes_before_epoch():
    fake = FakeWorker()
    bridge = _EventBridge(fake, throttle_hz=30, histograms=False)
    bridge.on_event(ev.RunStarted(None, {}, "cpu", 100, 10, ["fc1"], batches_per_epoch=100))
    for b in range(100):
        bridge.on_event(ev.BatchEnd(0, b, b, 1.0, 0.5, 0.01, 1000.0))
    assert len(fake.batches.calls) <= 2  # 100 batches in far less than 1/30 s
    bridge.on_event(ev.EpochEnd(0, {"val_loss": 1.0}))
    points = [p for chunk in fake.batches.calls for p in chunk]
    assert [p["batch"] for p in points] == list(range(100))
    assert points[-1]["x"] == pytest.approx(1.0)
    assert fake.epoch.calls == [{"val_loss": 1.0, "epoch": 0, "x": 1}]


def test_bridge_rate_limits_data_progress_and_keeps_the_last_event():
    fake = FakeWorker()
    bridge = _EventBridge(fake, throttle_hz=30, histograms=False)
    for done in range(0, 60_001, 100):  # 601 events in far less than 1/30 s
        bridge.on_event(ev.DataProgress(done, 60_000, 2_000.0, 1.0, "decoding images"))
    sent = fake.dataProgress.calls
    assert 1 <= len(sent) <= 3
    assert sent[0]["done"] == 0 and sent[-1]["done"] == 60_000  # the end always goes through
    assert sent[-1] == {"done": 60_000, "total": 60_000, "per_second": 2_000.0,
                        "seconds_left": 1.0, "stage": "decoding images"}


def test_background_call_reports_progress_and_can_be_cancelled(qtbot):
    import time

    def count(report, cancelled):
        for i in range(10_000):  # far faster than 10 a second
            report(i)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if cancelled():
                return "cancelled"
            time.sleep(0.01)
        return "ran to the end"

    call = BackgroundCall(count, with_progress=True)
    seen: list[int] = []
    results: list[str] = []
    call.worker.progress.connect(seen.append)
    call.worker.result.connect(results.append)
    call.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    call.request_cancel()
    assert call.wait(10_000)
    qtbot.waitUntil(lambda: bool(results), timeout=5_000)
    assert results == ["cancelled"]
    assert seen[0] == 0 and len(seen) < 10  # rate-limited (10 a second), not 10,000


def test_describe_failure_messages():
    assert describe_failure(RunSetupError("bad graph")).startswith("The run could not start")
    oom = describe_failure(RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"))
    assert "smaller batch size" in oom
    assert "ZeroDivisionError" in describe_failure(ZeroDivisionError("x"))
