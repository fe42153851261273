"""Runs panel as a tree: runs nest under the run they were made from, a selected run shows its
ancestry, and the context menu asks to fine-tune from a run."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from ui.panels.runs_panel import RunsPanel
from workbench.runs.lineage import Lineage
from workbench.runs.run_store import RunStore


def make_run(project, name, second, parent=None, relation="", val_accuracy=0.5, lr=0.01,
             weights=False):
    run = RunStore.create(project, name)
    lineage = Lineage(str(parent.path), relation).stored_for(run.path) if parent else Lineage()
    run.save_config({"created": f"2026-01-01T00:00:{second:02d}+00:00",
                     "lineage": lineage.to_dict(),
                     "graph": {"name": "net", "nodes": [{"type": "Input"}]},
                     "dataset": {"name": "digits", "options": {}},
                     "training": {"lr": lr, "optimizer": "adam", "epochs": 2}})
    run.write_summary({"epochs_run": 2, "stopped_reason": "completed",
                       "task": "classification", "val_accuracy": val_accuracy})
    if weights:
        (run.path / "best.safetensors").write_bytes(b"x")  # has_weights() only looks
    return RunStore(run.path)


@pytest.fixture
def tree_project(tmp_path):
    base = make_run(tmp_path, "base", 1, val_accuracy=0.7, weights=True)
    tuned = make_run(tmp_path, "tuned", 2, base, "fine-tuned-from", val_accuracy=0.9, lr=0.001)
    pruned = make_run(tmp_path, "pruned", 3, tuned, "pruned-from", val_accuracy=0.8)
    student = make_run(tmp_path, "student", 4, base, "distilled-from", val_accuracy=0.6)
    other = make_run(tmp_path, "other", 5, val_accuracy=0.5)
    return tmp_path, base, tuned, pruned, student, other


def test_runs_nest_under_their_parent_with_the_relation(qtbot, tree_project):
    project, base, tuned, pruned, student, other = tree_project
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    assert panel.table.rowCount() == 5 and panel.table.topLevelItemCount() == 2
    names = [n.split("-", 2)[-1] for n in panel.column_texts("run")]
    assert names == ["other", "base", "student", "tuned", "pruned"]  # newest first per level
    assert panel.column_texts("relation") == ["–", "–", "distilled-from", "fine-tuned-from",
                                              "pruned-from"]
    pruned_item = panel.table.row_items()[4]
    assert pruned_item.parent().text(0) == tuned.path.name
    assert pruned_item.parent().parent().text(0) == base.path.name
    assert panel.column_texts("val accuracy")[:2] == ["50.0%", "70.0%"]
    newest_first = [other, student, pruned, tuned, base]  # runs stays in creation order
    assert [r.path for r in panel.runs] == [r.path for r in newest_first]


def test_sorting_orders_siblings_and_keeps_children_under_their_parent(qtbot, tree_project):
    project, base, tuned, pruned, student, other = tree_project
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    panel.table.sortByColumn(panel.columns.index("val accuracy"), QtCore.Qt.DescendingOrder)
    names = [n.split("-", 2)[-1] for n in panel.column_texts("run")]
    assert names == ["base", "tuned", "pruned", "student", "other"]
    panel.refresh()
    assert [n.split("-", 2)[-1] for n in panel.column_texts("run")] == names


def test_selecting_a_run_shows_its_ancestry(qtbot, tree_project):
    project, base, tuned, pruned, student, other = tree_project
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    panel.select_runs([pruned.path])
    text = panel.ancestry.text()
    assert text.index(base.path.name) < text.index(tuned.path.name) < \
        text.index(pruned.path.name)
    assert "(fine-tuned-from)" in text and "(pruned-from)" in text
    assert not panel.ancestry.isHidden()
    panel.select_runs([other.path])
    assert "a root run" in panel.ancestry.text()
    panel.select_runs([other.path, base.path])
    assert panel.ancestry.isHidden() and "Same in all" in panel.details.toPlainText()


def test_a_run_whose_parent_is_gone_says_so(qtbot, tmp_path):
    orphan = make_run(tmp_path, "orphan", 1)
    orphan.save_config({**orphan.config, "lineage": {"parent": "20250101-000000-gone",
                                                     "relation": "quantized-from"}})
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(tmp_path)
    panel.select_runs([orphan.path])
    assert "parent 20250101-000000-gone not found" in panel.ancestry.text()
    assert "not found" in panel.table.row_items()[0].toolTip(0)


def test_fine_tune_from_the_context_menu_emits_the_run_folder(qtbot, tree_project):
    project, base, tuned, pruned, student, other = tree_project
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(project)
    menu = panel.context_menu(base)
    (action,) = [a for a in menu.actions() if a.text() == "Fine-tune from run…"]
    assert action.isEnabled()
    with qtbot.waitSignal(panel.fine_tune_requested) as request:
        action.trigger()
    assert request.args == [str(base.path)]
    no_weights = [a for a in panel.context_menu(other).actions()
                  if a.text() == "Fine-tune from run…"]
    assert not no_weights[0].isEnabled()
