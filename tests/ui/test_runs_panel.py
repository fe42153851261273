"""Runs panel: lists a project's runs with config and final metrics; selection -> overlays."""

from __future__ import annotations

import pytest

from ui.panels.dashboard import Dashboard
from ui.panels.runs_panel import RunsPanel, describe_config
from workbench.experiment import RunRequest, execute_run
from workbench.graph.templates import mlp


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder with two finished runs (headless, tiny)."""
    folder = tmp_path_factory.mktemp("project")
    for name, epochs in (("first", 2), ("second", 3)):
        request = RunRequest.freeze(mlp(input_size=2, hidden=(8,), num_classes=2),
                                    {"name": "xor", "options": {"n_samples": 200}},
                                    {"epochs": epochs, "batch_size": 32}, folder, name)
        execute_run(request)
    return folder


def test_lists_runs_with_metrics_and_config(qtbot, project):
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    assert panel.table.rowCount() == 2
    names = [panel.table.item(r, 0).text() for r in range(2)]
    assert names[0].endswith("second") and names[1].endswith("first")  # newest first
    assert panel.table.item(0, 1).text() == "completed"
    assert panel.table.item(0, 2).text() == "3"
    assert panel.table.item(0, 3).text().endswith("%")
    assert "xor" in panel.table.item(0, 5).text()
    assert "batch_size=32" in panel.table.item(0, 0).toolTip()
    assert "2 run(s)" in panel.note.text()


def test_selecting_two_runs_overlays_their_curves(qtbot, project):
    panel = RunsPanel()
    board = Dashboard()
    qtbot.addWidget(panel)
    qtbot.addWidget(board)
    panel.overlayRequested.connect(board.set_overlays)
    panel.set_project_dir(project)
    with qtbot.waitSignal(panel.overlayRequested) as overlay:
        panel.select_runs([r.path for r in panel.runs])
    runs = overlay.args[0]
    assert len(runs) == 2
    assert sorted(len(records) for _, records in runs) == [2, 3]
    board.redraw_all()
    loss = board.plots["loss"]
    keys = [k for k in loss.curves if k.startswith("overlay:")]
    assert len(keys) == 4
    assert all(len(loss.curves[k].getData()[0]) in (2, 3) for k in keys)
    panel.table.clearSelection()
    assert not [k for k in loss.curves if k.startswith("overlay:")]


def test_single_selection_shows_details_and_refresh_keeps_it(qtbot, project):
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    panel.table.selectRow(1)
    assert "first" in panel.details.toPlainText()
    assert "stopped_reason" in panel.details.toPlainText()
    panel.refresh()
    assert [r.path.name for r in panel.selected_runs()] == [panel.runs[1].path.name]


def test_empty_or_missing_project(qtbot, tmp_path):
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(tmp_path / "nothing-here")
    assert panel.table.rowCount() == 0
    panel.set_project_dir(None)
    assert "no project folder" in panel.note.text()


def test_describe_config_summarizes():
    text = describe_config({"dataset": {"name": "digits"}, "graph": {"name": "net", "nodes": [
        {"type": "Input"}, {"type": "Linear"}]}, "training": {"lr": 0.01, "optimizer": "sgd"}})
    assert "digits" in text and "2 nodes: Input, Linear" in text and "lr=0.01" in text
