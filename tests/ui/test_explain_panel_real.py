"""Explain panel on a tiny real run (the tabular CSV example, 2 epochs): the real
``workbench.explain`` functions driven through the panel to rendered results; and through the
main window, selecting the run in the Runs panel."""

from __future__ import annotations

import pytest

from ui.panels.explain_panel import ExplainPanel
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project


@pytest.fixture(scope="module")
def tabular_run(tmp_path_factory):
    """(project folder, run folder) of the tabular example trained briefly."""
    project_dir = tmp_path_factory.mktemp("project")
    project = load_project(find_example("tabular_csv"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 2, "device": "cpu"},
                                project_dir, name="tabular_csv")
    return project_dir, execute_run(request)["run_dir"]


@pytest.fixture
def panel(qtbot, tabular_run):
    panel = ExplainPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 520)
    panel.show()
    panel.set_run(tabular_run[1])
    panel.wait()
    yield panel
    panel.queue.cancel_all()
    panel.wait()


def test_attributions_of_a_real_tabular_run(panel, qtbot):
    tab = panel.attributions
    assert "ablation" in tab.methods and "gradcam" not in tab.methods
    tab.method.setCurrentIndex(tab.methods.index("ablation"))
    tab.samples.setValue(2)
    with qtbot.waitSignal(tab.shown, timeout=60_000) as shown:
        tab.run_button.click()
    result = shown.args[0]
    assert result["input_kind"] == "tabular" and len(result["samples"]) == 2
    assert tab.view.currentIndex() == 1 and tab.view.sample_combo.count() == 2
    ticks = [name for _y, name in tab.view.plot.getAxis("left")._tickLevels[0]]
    assert sorted(ticks) == sorted(result["columns"])  # one bar per CSV column
    assert "habitat" in ticks


def test_importance_and_calibration_of_a_real_run(panel, qtbot):
    panel.importance.repeats.setValue(1)
    with qtbot.waitSignal(panel.importance.shown, timeout=60_000) as shown:
        panel.importance.run_button.click()
    features = [r["feature"] for r in shown.args[0]["importance"]]
    ticks = [name for _y, name in panel.importance.plot.getAxis("left")._tickLevels[0]]
    assert ticks == features and "flower_colour" in features
    with qtbot.waitSignal(panel.calibration.shown, timeout=60_000):
        panel.tabs.setCurrentWidget(panel.calibration)  # measured when shown
    assert "Expected calibration error" in panel.calibration.summary.text()


def test_mistakes_of_a_real_run(panel, qtbot):
    with qtbot.waitSignal(panel.mistakes.shown, timeout=60_000) as shown:
        panel.tabs.setCurrentWidget(panel.mistakes)
    assert panel.mistakes.table.rowCount() == len(shown.args[0]["mistakes"])


def test_groups_of_a_real_run(panel, qtbot):
    panel.tabs.setCurrentWidget(panel.groups)
    panel.wait()
    tab = panel.groups
    assert "habitat" in tab.columns
    tab.group.setCurrentText("habitat")
    tab.min_support.setValue(1)
    with qtbot.waitSignal(tab.shown, timeout=60_000) as shown:
        tab.run_button.click()
    assert tab.table.rowCount() == 1 + len(shown.args[0]["groups"])


def test_window_follows_the_runs_selection(make_window, qtbot, tabular_run):
    project_dir, run_dir = tabular_run
    window = make_window()
    runs = window.training.runs
    runs.set_project_dir(project_dir)
    window.registry.trigger("view.explain")
    runs.table.selectRow(0)
    assert str(window.explain.run_dir) == str(run_dir)
    assert window.explain.wait()
    assert window.explain.attributions.methods  # found for the selected run
