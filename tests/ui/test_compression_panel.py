"""Compression panel: the compare table of the selected run's family, measured off the GUI
thread, the scatter with the Pareto front, Export on a row, and the window's dock/command."""

from __future__ import annotations

import threading

import pytest

from ui.panels.compression_panel import CompressionPanel, export_row
from workbench.compress.quantize import quantize_run
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    """(project folder, root run, its dynamic int8 variant)."""
    project_dir = tmp_path_factory.mktemp("project")
    project = load_project(find_example("mlp_digits"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"},
                                project_dir, name="mlp_digits")
    root = RunStore.open(execute_run(request)["run_dir"])
    int8 = RunStore.open(quantize_run(root.path, mode="dynamic", repeats=1)["run_dir"])
    return project_dir, root, int8


def test_family_table_plot_and_export_request(qtbot, family, monkeypatch):
    _, root, int8 = family
    import workbench.compress.compare as compare

    threads = []
    real = compare.compare_runs
    monkeypatch.setattr(compare, "compare_runs", lambda *a, **k: (
        threads.append(threading.current_thread()), real(*a, **{**k, "repeats": 1}))[1])
    panel = CompressionPanel()
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.measured, timeout=60_000) as signal:
        panel.set_run(int8.path)  # an int8 variant: the family from its root
    assert threads and threads[0] is not threading.main_thread()
    rows = signal.args[0]["rows"]
    assert [r["run_dir"] for r in rows] == [str(root.path), str(int8.path)]
    assert panel.table.rowCount() == 2
    assert panel.table.item(1, 1).text() == "quantized-from"
    assert panel.table.item(1, 2).text() == "int8"
    assert panel.table.horizontalHeaderItem(3).text() == "val acc"
    assert len(panel.scatter.data) == 2 and panel.front  # points, and a Pareto front
    assert all(panel.table.item(i, 0).font().bold() for i in panel.front)
    assert "1 intra-op thread(s)" in panel.status.text()
    assert not panel.export_button.isEnabled()
    panel.table.selectRow(1)
    assert panel.export_button.isEnabled() and len(panel.selected_marker.data) == 1
    with qtbot.waitSignal(panel.exportRequested) as asked:
        panel.export_button.click()
    assert asked.args == [str(int8.path)]
    panel.wait()


def test_errors_are_shown(qtbot, tmp_path):
    panel = CompressionPanel()
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.failed, timeout=30_000):
        panel.set_run(tmp_path)  # not a run
    assert "expected a run folder" in panel.status.text()
    panel.wait()


def test_window_dock_command_and_int8_export_dialog(make_window, qtbot, family):
    project_dir, root, int8 = family
    window = make_window()
    panel = window.compression
    assert "view.compression" in window.registry.commands
    runs = window.training.runs
    runs.set_project_dir(project_dir)
    window.registry.trigger("view.compression")
    assert window.docks["compression"].isVisible()
    with qtbot.waitSignal(panel.measured, timeout=60_000):
        runs.select_runs([root.path])
        runs.table.itemSelectionChanged.emit()
    assert panel.table.rowCount() == 2
    dialog = export_row(window, str(int8.path))
    assert dialog.export_button.isEnabled() and "int8 variant" in dialog.run_label.text()
    dialog.close()
    panel.wait()
