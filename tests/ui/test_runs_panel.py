"""Runs panel: lists a project's runs with config and final metrics; selection -> overlays."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

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
    names = panel.column_texts("run")
    assert names[0].endswith("second") and names[1].endswith("first")  # newest first
    assert panel.column_texts("result") == ["completed", "completed"]
    assert panel.column_texts("epochs run") == ["3", "2"]
    assert all(t.endswith("%") for t in panel.column_texts("val accuracy"))
    assert "val MAE" not in panel.columns  # no regression run listed
    # settings that differ between the runs are columns; those that agree are not
    assert panel.column_texts("epochs") == ["3", "2"]
    assert "optimizer" not in panel.columns and "dataset" not in panel.columns
    assert "batch_size=32" in panel.table.row_items()[0].toolTip(0)
    assert "2 run(s)" in panel.note.text()


def test_columns_sort_by_value(qtbot, project):
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    panel.table.sortByColumn(panel.columns.index("epochs run"), QtCore.Qt.AscendingOrder)
    assert panel.column_texts("epochs run") == ["2", "3"]
    assert panel.column_texts("run")[0].endswith("first")
    panel.table.selectRow(0)
    assert [r.path.name for r in panel.selected_runs()] == [panel.column_texts("run")[0]]
    panel.refresh()  # the sort and the selection survive a refresh
    assert panel.column_texts("epochs run") == ["2", "3"]
    assert panel.selected_runs()[0].path.name.endswith("first")


def test_two_selected_runs_show_a_side_by_side_diff(qtbot, project):
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    panel.select_runs([r.path for r in panel.runs])
    text = panel.details.toPlainText()
    names = [r.path.name for r in panel.selected_runs()]
    assert all(name in text for name in names)
    assert "epochs" in text and "val accuracy" in text and "Same in all" in text
    assert "optimizer=adam" in text.split("Same in all")[1]


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


def fake_run(project, name, task, summary, looks=0):
    """A finished run folder written by hand: config, two epochs of metrics, summary."""
    from workbench.runs.run_store import RunStore

    run = RunStore.create(project, name)
    run.save_config({"graph": {"name": "net", "nodes": [{"type": "Input"}]},
                     "dataset": {"name": "diabetes" if task == "regression" else "digits",
                                 "options": {}},
                     "training": {"lr": summary.pop("lr"), "optimizer": "adam",
                                  "batch_size": 32, "epochs": 2}})
    for epoch in range(2):
        record = {"kind": "epoch", "epoch": epoch, "train_loss": 1.0 - epoch * 0.1,
                  "val_loss": 1.1 - epoch * 0.1, "lr": 0.01}
        if task == "regression":
            record.update(train_accuracy=None, val_accuracy=None, train_mae=50.0 - epoch,
                          val_mae=52.0 - epoch, val_rmse=60.0, val_r2=0.3 + 0.1 * epoch)
        else:
            record.update(train_accuracy=0.5, val_accuracy=0.4 + 0.1 * epoch)
        run.metrics.append(record)
    run.write_summary({"epochs_run": 2, "stopped_reason": "completed", "task": task,
                       "val_loss": 1.0, **summary})
    for _ in range(looks):
        run.record_event({"kind": "evaluate", "split": "test"})
    return run


def test_regression_runs_show_mae_and_r2_and_test_looks(qtbot, tmp_path):
    fake_run(tmp_path, "reg-a", "regression", {"lr": 0.01, "val_accuracy": None,
                                                "val_mae": 9.5, "val_rmse": 55.0,
                                                "val_r2": 0.42}, looks=2)
    fake_run(tmp_path, "reg-b", "regression", {"lr": 0.001, "val_accuracy": None,
                                                "val_mae": 45.0, "val_rmse": 58.0,
                                                "val_r2": 0.35})
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(tmp_path)
    assert {"val MAE", "val RMSE", "val R²"} <= set(panel.columns)
    assert "val accuracy" not in panel.columns
    by_run = dict(zip(panel.column_texts("run"), panel.column_texts("val MAE")))
    assert by_run[next(n for n in by_run if n.endswith("reg-a"))] == "9.5"
    panel.table.sortByColumn(panel.columns.index("val MAE"), QtCore.Qt.AscendingOrder)
    assert panel.column_texts("val MAE") == ["9.5", "45"]  # by value, not by text
    assert sorted(panel.column_texts("val R²")) == ["0.350", "0.420"]
    assert sorted(panel.column_texts("test looks")) == ["0", "2"]
    assert sorted(panel.column_texts("lr")) == ["0.001", "0.01"]
    panel.select_runs([r.path for r in panel.runs])
    text = panel.details.toPlainText()
    assert "val R²" in text and "test split looked at" in text and "2 times" in text


def test_mixed_tasks_list_both_kinds_of_metric(qtbot, tmp_path):
    fake_run(tmp_path, "cls", "classification", {"lr": 0.01, "val_accuracy": 0.9})
    fake_run(tmp_path, "reg", "regression", {"lr": 0.01, "val_accuracy": None,
                                              "val_mae": 40.0, "val_r2": 0.5})
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(tmp_path)
    assert {"val accuracy", "val MAE"} <= set(panel.columns)
    assert "dataset" in panel.columns  # digits vs diabetes
    rows = dict(zip(panel.column_texts("run"), panel.column_texts("val accuracy")))
    assert sorted(rows.values()) == ["90.0%", "–"]
    assert "test looks" not in panel.columns


def test_switching_project_drops_the_old_runs_and_overlays(qtbot, project, tmp_path):
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    panel.select_runs([r.path for r in panel.runs])
    with qtbot.waitSignal(panel.overlayRequested) as overlay:
        panel.set_project_dir(tmp_path)
    assert overlay.args[0] == [] and panel.table.rowCount() == 0
    panel.set_project_dir(project)
    assert panel.selected_runs() == []
    with qtbot.waitSignal(panel.overlayRequested):
        panel.reset()
    assert panel.project_dir is None and panel.table.rowCount() == 0
