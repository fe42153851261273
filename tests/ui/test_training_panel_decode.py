"""Training panel while a run's image folder is decoded: files done / total, rate and time
left with a progress bar, then training; Stop cancels the decode and leaves no run folder."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

from ui import workers
from ui.panels.training_panel import TrainingPanel, data_progress_text
from workbench.data import image_folder
from workbench.graph.templates import cnn

IMAGES = 200  # 7 chunks of 32 rows, decoded in this process (workers 1)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "pictures"
    rng = np.random.default_rng(0)
    for label, name in enumerate(("dark", "light")):
        (root / name).mkdir(parents=True)
        for i in range(IMAGES // 2):
            pixels = rng.integers(0, 100, (8, 8, 3), dtype=np.uint8) + 150 * label
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{i}.png")
    return root


def slow_decoder(monkeypatch, seconds_per_chunk: float) -> None:
    real = image_folder.decode_rows

    def slow(params, start, stop, out):
        time.sleep(seconds_per_chunk)
        return real(params, start, stop, out)

    monkeypatch.setattr(image_folder, "decode_rows", slow)


@pytest.fixture
def make_panel(qtbot, tmp_path, folder, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))  # decoded here
    made: list[TrainingPanel] = []

    def make():
        dataset = {"name": "image_folder",
                   "options": {"path": str(folder), "size": [8, 8], "workers": 1}}

        def provider():
            return cnn(input_shape=(3, 8, 8), channels=(4,), num_classes=2), dataset, {}, tmp_path / "project", \
                "decode"

        panel = TrainingPanel(provider)
        qtbot.addWidget(panel)
        panel.form.set_values({"epochs": 1, "batch_size": 32, "monitors": False})
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()
    assert workers.shutdown_all(30_000)


def test_decode_progress_is_shown_then_the_run_trains(qtbot, make_panel, monkeypatch):
    slow_decoder(monkeypatch, 0.05)
    panel = make_panel()
    seen: list[tuple[str, bool, int]] = []
    panel.jobStarted.connect(lambda job: job.dataProgress.connect(
        lambda p: seen.append((panel.status.text(), panel.progress.isVisible() or
                               not panel.isVisible(), panel.progress.value()))))
    with qtbot.waitSignal(panel.runFinished, timeout=120_000) as finished:
        assert panel.start()
    assert finished.args[0]["stopped_reason"] == "completed"
    assert seen, "no decode progress reached the panel"
    texts = [text for text, _, _ in seen]
    assert any(text.startswith("decoding images") and f"/ {IMAGES:,}" in text
               for text in texts), texts
    assert any("files/s" in text for text in texts), texts
    assert panel.progress.maximum() == IMAGES and seen[-1][2] == IMAGES  # the last event
    assert panel.progress.isHidden() and not panel.decoding  # training took over


def test_stop_cancels_the_decode_and_no_run_folder_is_left(qtbot, make_panel, monkeypatch,
                                                           tmp_path):
    slow_decoder(monkeypatch, 0.4)
    panel = make_panel()
    panel.jobStarted.connect(lambda job: job.dataProgress.connect(lambda _p: panel.stop()))
    with qtbot.waitSignal(panel.runFailed, timeout=60_000) as failed:
        assert panel.start()
    assert "cancelled" in failed.args[0]
    assert "decode was cancelled" in panel.status.text()
    assert panel.error.isHidden()  # asked for: not shown as a failure
    assert panel.state == "idle" and panel.progress.isHidden()
    runs = tmp_path / "project" / "runs"
    assert not runs.exists() or not any(runs.iterdir())


def test_progress_text_reads_like_a_person_would_say_it():
    text = data_progress_text({"done": 12345, "total": 60000, "per_second": 2310.4,
                               "seconds_left": 21.2, "stage": "decoding images"})
    assert text == "decoding images 12,345 / 60,000 - 2,310 files/s - 21 s left"
    text = data_progress_text({"done": 0, "total": 60000, "per_second": 0.0,
                               "seconds_left": None, "stage": "generating colour_shapes"})
    assert text == "generating colour_shapes 0 / 60,000"
    assert "2 min 05 s left" in data_progress_text(
        {"done": 1, "total": 9, "per_second": 3.0, "seconds_left": 125, "stage": "decoding"})
