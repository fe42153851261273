"""Histograms off the training thread: RunProbe runs on the analysis thread only, the last
checkpoint's histograms arrive before ``finished``, stale requests are dropped, errors become
an info diagnostic, and stopping shuts the analysis thread down."""

from __future__ import annotations

import threading

import pytest

import workbench.experiment
import workbench.explain.run_probe as run_probe
from ui import workers
from ui.workers import TrainingJob, _HistogramJob
from workbench.experiment import RunRequest
from workbench.graph.templates import mlp


def request(tmp_path, **training):
    settings = {"epochs": 3, "batch_size": 32, "device": "cpu", **training}
    return RunRequest.freeze(mlp(input_size=2, hidden=(8,), num_classes=2),
                             {"name": "moons", "options": {"n_samples": 200}}, settings,
                             tmp_path, "hist")


@pytest.fixture
def threads(monkeypatch):
    """Thread ids: "training" (execute_run's) and "probe" (every RunProbe call's)."""
    seen: dict[str, set[int]] = {"training": set(), "probe": set()}
    execute_run = workbench.experiment.execute_run

    def recording_execute_run(*args, **kwargs):
        seen["training"].add(threading.get_ident())
        return execute_run(*args, **kwargs)

    class RecordingProbe(run_probe.RunProbe):
        def __init__(self, run_dir):
            seen["probe"].add(threading.get_ident())
            super().__init__(run_dir)

        def histograms(self, checkpoint):
            seen["probe"].add(threading.get_ident())
            return super().histograms(checkpoint)

    monkeypatch.setattr(workbench.experiment, "execute_run", recording_execute_run)
    monkeypatch.setattr(run_probe, "RunProbe", RecordingProbe)
    monkeypatch.setattr(workers, "HISTOGRAM_MIN_SECONDS", 0.0)  # a request every checkpoint
    yield seen
    assert workers.shutdown_all(30_000) and workers.active_jobs() == []


def test_training_thread_never_runs_the_probe(qtbot, tmp_path, threads):
    job = TrainingJob(request(tmp_path), evaluate=False)
    order: list[str] = []
    job.histograms.connect(lambda payload: order.append(f"histograms {payload['epoch']}"))
    job.finished.connect(lambda summary: order.append("finished"))
    with qtbot.waitSignal(job.ended, timeout=60_000):
        job.start()
    qtbot.waitUntil(lambda: not job.is_running(), timeout=10_000)
    assert threads["probe"] and threads["training"]
    assert not threads["probe"] & threads["training"]
    assert threading.get_ident() not in threads["probe"]
    assert order[-2:] == ["histograms 2", "finished"]  # the last checkpoint's, before finished
    assert not job.analysis.is_running() and job not in workers.active_jobs()


def test_stale_requests_are_dropped(qtbot, monkeypatch, tmp_path):
    computed: list[str] = []

    class FakeProbe:
        def __init__(self, run_dir):
            pass

        def histograms(self, checkpoint):
            computed.append(checkpoint)
            return {}

    monkeypatch.setattr(run_probe, "RunProbe", FakeProbe)
    job = _HistogramJob()
    for epoch in range(3):  # three checkpoints before the thread gets to them
        job.worker.submit(str(tmp_path), epoch, f"epoch_{epoch}")
    with qtbot.waitSignal(job.worker.histograms, timeout=10_000) as got:
        job.start()
        job.worker.close()
    assert job.wait(10_000)
    assert computed == ["epoch_2"] and got.args[0]["epoch"] == 2


def test_probe_error_becomes_an_info_diagnostic(qtbot, tmp_path, threads, monkeypatch):
    class BrokenProbe:
        def __init__(self, run_dir):
            raise RuntimeError("no probe today")

    monkeypatch.setattr(run_probe, "RunProbe", BrokenProbe)
    job = TrainingJob(request(tmp_path), evaluate=False)
    notes: list[dict] = []
    job.diagnostic.connect(notes.append)
    with qtbot.waitSignal(job.finished, timeout=60_000) as finished:
        job.start()
    assert finished.args[0]["stopped_reason"] == "completed"
    assert [(n["code"], n["severity"]) for n in notes] == [("histograms", "info")]
    assert "no probe today" in notes[0]["message"]
    assert job.wait(10_000)


def test_stopping_shuts_the_analysis_thread_down(qtbot, tmp_path, threads):
    job = TrainingJob(request(tmp_path, epochs=500, batch_size=8), evaluate=False)
    got: list[dict] = []
    job.histograms.connect(got.append)
    job.histograms.connect(lambda payload: job.request_stop())
    with qtbot.waitSignal(job.ended, timeout=60_000):
        job.start()
    assert job.wait(10_000) and not job.is_running()
    assert job.analysis.thread.isFinished() and got
    assert job not in workers.active_jobs() and job.analysis not in workers.active_jobs()
