"""The Search panel on a study made beforehand: space summary, badges, the trials table and
plots, reopening, Open in Editor, Train Best Fully (lineage trial-of), and the screenshot."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.ui.search_fixtures import make_study, tiny_search_project
from workbench.project import load_project


@pytest.fixture(scope="module")
def studied(tmp_path_factory) -> Path:
    """A project file whose folder holds a finished 2-trial study (made once per module)."""
    project_file = tiny_search_project(tmp_path_factory.mktemp("search") / "proj")
    make_study(project_file, trials=2)
    return project_file


@pytest.fixture
def project_file(studied, tmp_path) -> Path:
    """A private copy of the studied project folder (tests may add runs to it)."""
    folder = tmp_path / "proj"
    shutil.copytree(studied.parent, folder)
    db = folder / "search" / "tiny.db"  # run folders inside the study point at the original
    assert db.is_file()
    return folder / studied.name


def opened(make_window, project_file, qtbot):
    window = make_window(load_project(project_file), project_file)
    panel = window.search.panel
    qtbot.waitUntil(lambda: panel.report is not None or panel._future is not None,
                    timeout=10_000)
    panel.wait_for_read()
    return window, panel


def test_space_summary_and_canvas_badges(make_window, project_file, qtbot):
    window, panel = opened(make_window, project_file, qtbot)
    text = panel.space_text.toPlainText()
    assert "continuous" in text and "fc1.out_features: one of 32, 64, 128, 256" in text
    assert "params ≤ 100,000" in text
    badges = {i: item.has_search_badge for i, item in window.scene.nodes.items()}
    assert badges["fc1"] and badges["relu1"] and badges["fc2"] and badges["drop1"]
    assert not badges["fc3"] and not badges["input"] and not badges["output"]


def test_reopening_shows_the_study_and_offers_resume(make_window, project_file, qtbot):
    window, panel = opened(make_window, project_file, qtbot)
    assert panel.table.rowCount() == 2
    assert {panel.table.state_of(0), panel.table.state_of(1)} == {"complete"}
    assert panel.report["best_trial"] in (0, 1)
    assert "Best: trial" in panel.best_label.text()
    assert panel.resume_button.isEnabled() and not panel.start_button.isEnabled()
    assert panel.train_button.isEnabled() and panel.open_button.isEnabled()
    assert sorted(panel.plots.drawn) == [0, 1]  # each trial's learning curve
    assert panel.plots.best_curve.getData()[0] is not None
    for row in panel.report["trials"]:
        assert row["seconds"] > 0 and row["curve"] and row["epochs_run"] == 1
    assert window.registry.actions["search.resume"].isEnabled() or (
        window.registry.update_enabled() or window.registry.actions["search.resume"]
        .isEnabled())


def test_table_sorts_numbers_and_marks_pruned_and_failed(make_window, project_file, qtbot):
    from PySide6 import QtCore

    _window, panel = opened(make_window, project_file, qtbot)
    rows = [dict(r) for r in panel.report["trials"]]
    rows += [{**rows[0], "number": 10, "state": "pruned", "values": None, "curve": [0.2]},
             {**rows[0], "number": 2, "state": "failed", "values": None, "curve": [],
              "problem": "training failed: boom"}]
    panel.table.show_trials(rows)
    assert panel.table.state_of(10) == "✂ pruned" and panel.table.state_of(2) == "✖ failed"
    panel.table.sortItems(0, QtCore.Qt.AscendingOrder)
    numbers = [panel.table.item(r, 0).data(QtCore.Qt.DisplayRole)
               for r in range(panel.table.rowCount())]
    assert numbers == [0, 1, 2, 10]  # as numbers, not text ("10" < "2")
    failed_row = numbers.index(2)
    assert panel.table.item(failed_row, 5).text() == "training failed: boom"
    panel.plots.show_report({**panel.report, "trials": rows}, maximize=True)
    assert panel.plots.drawn[10] == ("pruned", 1)


def test_open_in_editor_loads_the_trial_network_undoably(make_window, project_file, qtbot):
    window, panel = opened(make_window, project_file, qtbot)
    best = panel.best_row()
    sampled = json.loads((Path(best["run_dir"]) / "config.json").read_text())["graph"]
    before = sorted(n.id for n in window.document.spec.nodes)
    panel.open_selected()  # nothing selected: the best trial
    after = sorted(n.id for n in window.document.spec.nodes)
    assert after == sorted(n["id"] for n in sampled["nodes"])
    width = window.document.spec.node("fc1").params["out_features"]
    assert width == best["params"]["fc1.out_features"]
    window.document.undo_stack.undo()
    assert sorted(n.id for n in window.document.spec.nodes) == before


def test_train_best_fully_makes_a_trial_of_run(make_window, project_file, qtbot):
    window, panel = opened(make_window, project_file, qtbot)
    best = panel.best_row()
    training_before = dict(window.document.project.training)
    with qtbot.waitSignal(window.training.training.runFinished, timeout=60_000) as done:
        panel.train_best()
    run_dir = Path(done.args[0]["run_dir"])
    config = json.loads((run_dir / "config.json").read_text())
    assert config["lineage"] == {"relation": "trial-of", "study": "tiny",
                                 "trial": best["number"]}
    assert config["training"]["lr"] == pytest.approx(best["params"]["training.lr"], rel=1e-4)
    assert "trial" in run_dir.name and "full" in run_dir.name
    assert window.document.project.training == training_before  # the project is unchanged
    assert window.training.training.form.values()["lr"] == pytest.approx(
        window.training.training.form.normalized(training_before)["lr"])


def test_search_commands_and_view_menu(make_window, project_file, qtbot):
    window, panel = opened(make_window, project_file, qtbot)
    window.search.dock.hide()
    window.registry.trigger("search.show")
    assert window.search.dock.isVisible()
    window.registry.update_enabled()
    assert not window.registry.actions["search.stop"].isEnabled()
    assert not window.registry.actions["search.start"].isEnabled()  # the study exists


def test_panel_grab_is_not_blank(make_window, project_file, qtbot, tmp_path):
    """The panel renders offscreen (tools/search_screenshot.py makes the README's picture)."""
    from PySide6 import QtCore

    window, panel = opened(make_window, project_file, qtbot)
    window.resize(1400, 900)
    window.search.show()
    window.resizeDocks([window.search.dock], [380], QtCore.Qt.Vertical)
    qtbot.wait(200)
    image = window.search.dock.grab().toImage()
    assert image.width() > 600 and image.height() > 250
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20  # text, table, plots: not one flat colour
    assert image.save(str(tmp_path / "search_panel.png"))


def test_a_study_made_outside_the_app_appears(make_window, studied, tmp_path, qtbot):
    project_file = tiny_search_project(tmp_path / "fresh")
    window = make_window(load_project(project_file), project_file)
    panel = window.search.panel
    panel.wait_for_read()
    assert panel.report is None and panel.table.rowCount() == 0
    assert "No study yet" in panel.best_label.text()
    (tmp_path / "fresh" / "search").mkdir()
    for name in ("tiny.db-wal", "tiny.db"):  # the study in WAL mode: the log first
        if (studied.parent / "search" / name).is_file():
            shutil.copy(studied.parent / "search" / name, tmp_path / name)
            (tmp_path / name).replace(tmp_path / "fresh" / "search" / name)  # at once
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=20_000)
    assert panel.resume_button.isEnabled()
