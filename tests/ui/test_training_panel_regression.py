"""Training panel on a regression dataset: the run trains, and the status shows MAE and R²."""

from __future__ import annotations

import pytest

from ui import workers
from ui.panels.training_panel import TrainingPanel
from workbench.graph.templates import mlp


@pytest.fixture
def panel(qtbot, tmp_path):
    def provider():  # a classifier-shaped network: the run fits its Output to the dataset
        return (mlp(input_size=10, hidden=(8,), num_classes=1),
                {"name": "diabetes", "options": {}}, {}, tmp_path, "panel")

    made = TrainingPanel(provider)
    qtbot.addWidget(made)
    made.form.set_values({"epochs": 2, "batch_size": 32})
    yield made
    made.shutdown()
    assert workers.shutdown_all(30_000)


def test_regression_run_finishes_with_mae_and_r2(qtbot, panel):
    statuses: list[str] = []
    panel.jobStarted.connect(lambda job: job.epoch.connect(
        lambda m: statuses.append(panel._status_pending or "")))
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as finished:
        assert panel.start()
    summary = finished.args[0]
    assert summary["task"] == "regression" and summary["val_accuracy"] is None
    assert "val MAE" in panel.status.text() and "R²" in panel.status.text()
    assert "accuracy" not in panel.status.text()
    assert any("val MAE" in s for s in statuses)
