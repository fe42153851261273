"""install_training: docks on a QMainWindow, commands, and the panels wired to a live run."""

from __future__ import annotations

from PySide6 import QtWidgets

from ui import workers
from ui.training_integration import install_training
from workbench.graph.templates import mlp


def test_docks_commands_and_a_run_through_them(qtbot, tmp_path):
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    stored: list[dict] = []
    training = {"epochs": 2, "batch_size": 32}

    def provider():
        return (mlp(input_size=2, hidden=(8,), num_classes=2),
                {"name": "moons", "options": {"n_samples": 300}}, training, tmp_path, "int")

    docks = install_training(window, provider)
    docks.training_changed.connect(stored.append)
    assert set(docks.docks) == {"training", "dashboard", "runs", "health"}
    assert all(d.parent() is window for d in docks.docks.values())
    assert "moons" in docks.training.dataset_label.text()
    assert docks.training.form.values()["epochs"] == 2  # loaded from the project
    commands = {c["id"]: c for c in docks.commands()}
    assert set(commands) == {"training.start", "training.pause", "training.stop",
                             "training.export"}
    assert all(c["text"] and c["shortcut"] and callable(c["callback"]) for c in commands.values())
    assert commands["training.start"]["enabled"]() and not commands["training.stop"]["enabled"]()
    assert not commands["training.export"]["enabled"]()  # no run yet

    docks.training.form.editors["seed"].setValue(3)
    assert stored[-1]["seed"] == 3

    with qtbot.waitSignal(docks.training.runFinished, timeout=60_000):
        commands["training.start"]["callback"]()
        assert commands["training.stop"]["enabled"]()
    assert docks.runs.table.rowCount() == 1
    assert len(docks.dashboard.plots["loss"].series["val_epoch"]) == 2
    assert docks.dashboard.confusion.matrix.rowCount() == 2

    # the finished run can be exported from the Runs panel and from the Train menu command
    assert commands["training.export"]["enabled"]() and not docks.runs.export_button.isEnabled()
    docks.runs.table.selectRow(0)
    assert docks.runs.export_button.isEnabled()
    docks.runs.export_button.click()
    dialog = docks.export_dialog
    assert dialog.isVisible() and dialog.run_dir == docks.runs.runs[0].path
    dialog.close()
    docks.runs.table.clearSelection()
    opened = commands["training.export"]["callback"]()
    assert opened.run_dir == docks.runs.runs[0].path
    opened.close()
    docks.shutdown()
    assert workers.shutdown_all(10_000)


def test_opening_another_project_switches_runs_and_clears_dashboard_and_health(qtbot, tmp_path):
    from workbench.experiment import RunRequest, execute_run

    first, second = tmp_path / "first", tmp_path / "second"
    graph = mlp(input_size=2, hidden=(4,), num_classes=2)
    dataset = {"name": "xor", "options": {"n_samples": 100}}
    execute_run(RunRequest.freeze(graph, dataset, {"epochs": 2}, first, "old"))
    current = {"dir": first}
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    docks = install_training(window, lambda: (graph, dataset, {}, current["dir"], "p"))
    docks.runs.select_runs([r.path for r in docks.runs.runs])
    docks.health.add_finding({"code": "x", "severity": "warning", "title": "old finding"})
    assert [k for k in docks.dashboard.plots["loss"].curves if k.startswith("overlay:")]
    current["dir"] = second
    docks.project_opened()
    assert docks.runs.project_dir == second and docks.runs.table.rowCount() == 0
    assert not [k for k in docks.dashboard.plots["loss"].curves if k.startswith("overlay:")]
    assert docks.health.findings == []
    assert docks.dashboard.status.text().startswith("No run yet")
