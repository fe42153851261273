"""Distill from Run: the dialog (teacher, student, warning, smaller copy, options), the window's
undoable edits, and a real distilled run from a tiny trained teacher (lineage distilled-from,
loss terms on the dashboard)."""

from __future__ import annotations

import json

import pytest
from PySide6 import QtWidgets

from tests.ui.transfer_fixtures import make_parent_run
from ui.dialogs.distill_dialog import DistillDialog
from workbench.graph.templates import mlp
from workbench.project import Project

MOONS = {"name": "moons", "options": {"n_samples": 120}}


def ok_button(dialog):
    return dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok)


def make(qtbot, run_dir, spec=None, dataset="moons", training=None):
    dialog = DistillDialog(str(run_dir), spec or mlp(input_size=2, hidden=(4,), num_classes=2),
                           dataset, training)
    qtbot.addWidget(dialog)
    return dialog


def project(hidden=(4,), classes=2) -> Project:
    return Project(name="student", graph=mlp(input_size=2, hidden=hidden, num_classes=classes),
                   dataset=dict(MOONS), training={"epochs": 1, "batch_size": 32})


def test_dialog_shows_teacher_student_and_the_objective(qtbot, tmp_path):
    run_dir = make_parent_run(tmp_path)
    dialog = make(qtbot, run_dir)
    text = dialog.teacher_label.text()
    assert "pretrain" in text and "87.5%" in text and "82 parameters" in text
    assert "22 parameters" in dialog.student_label.text()  # 2*4+4 + 4*2+2
    assert dialog.warning.isHidden() and ok_button(dialog).isEnabled()
    dialog.temperature.setValue(2.0)
    dialog.alpha.setValue(0.5)
    assert dialog.objective() == {"kind": "distillation", "options": {
        "teacher_run": str(run_dir.resolve()), "temperature": 2.0, "alpha": 0.5}}
    kept = make(qtbot, run_dir, training={"objective": {"kind": "distillation", "options": {
        "temperature": 3.0, "alpha": 0.9, "hint_weight": 2.0}}})
    assert kept.temperature.value() == 3.0 and kept.objective()["options"]["hint_weight"] == 2.0


def test_a_student_that_does_not_fit_is_warned_and_refused(qtbot, tmp_path):
    run_dir = make_parent_run(tmp_path)
    dialog = make(qtbot, run_dir, mlp(input_size=3, hidden=(4,), num_classes=5), "iris")
    warning = dialog.warning.text()
    assert not dialog.warning.isHidden()
    assert "dataset 'iris', the teacher on 'moons'" in warning
    assert "inputs of shape (3,), the teacher (2,)" in warning
    assert "predicts 5 classes, the teacher 2" in warning
    assert not ok_button(dialog).isEnabled()
    dialog.accept()
    assert dialog.result() != QtWidgets.QDialog.Accepted
    missing = make(qtbot, tmp_path / "nowhere")
    assert "nowhere" in missing.message.text() and not ok_button(missing).isEnabled()
    untrained = make(qtbot, make_parent_run(tmp_path / "b", weights=False))
    assert "no saved weights" in untrained.message.text()
    assert not ok_button(untrained).isEnabled()


def test_smaller_copy_replaces_the_canvas_network_undoably(make_window, tmp_path):
    run_dir = make_parent_run(tmp_path)
    window = make_window(project(hidden=(4,), classes=3))
    dialog = window.distill_from_run(str(run_dir))
    assert not dialog.warning.isHidden()  # 3 classes, the teacher 2
    assert "27 parameters" in dialog.student_label.text()
    assert dialog.use_smaller_copy()
    fc1 = window.document.spec.node("fc1").params
    assert fc1["out_features"] == 4  # 16 x 0.25
    assert window.document.spec.node("fc2").params["out_features"] == 2
    assert dialog.warning.isHidden() and ok_button(dialog).isEnabled()
    assert "22 parameters (26.8% of the teacher's)" in dialog.student_label.text()
    dialog.reject()
    window.registry.trigger("edit.undo")
    assert window.document.spec.node("fc2").params["out_features"] == 3


def test_distill_command_and_runs_panel_entry(make_window, tmp_path, monkeypatch):
    run_dir = make_parent_run(tmp_path)
    window = make_window(project())
    window.training.runs.set_project_dir(tmp_path)
    window.registry.update_enabled()
    assert window.registry.actions["training.distill"].isEnabled()
    window.registry.trigger("training.distill")
    assert window.distill_dialog.teacher.name.endswith("pretrain")
    window.distill_dialog.reject()
    window.training.runs.distill_requested.emit(str(run_dir))
    assert window.distill_dialog.teacher.path == str(run_dir)
    window.distill_dialog.reject()
    run = window.training.runs.runs[0]
    menu = window.training.runs.context_menu(run)
    entry = next(a for a in menu.actions() if a.text() == "Distill from run…")
    assert entry.isEnabled()
    monkeypatch.setattr(window.training.training, "state", "running")
    assert window.distill_from_run(str(run_dir)) is None
    assert "once it has ended" in window.statusBar().currentMessage()


def train_teacher(folder):
    from workbench.experiment import RunRequest, execute_run

    execute_run(RunRequest(
        graph=mlp(input_size=2, hidden=(16,), num_classes=2).to_dict(), dataset=dict(MOONS),
        training={"epochs": 1, "batch_size": 32}, project_dir=str(folder), name="teacher"))
    return next((folder / "runs").iterdir())


def test_ok_stores_the_objective_and_trains_a_distilled_run(make_window, qtbot, tmp_path):
    from workbench.paths import default_project_dir

    teacher = train_teacher(tmp_path / "teacher_project")
    window = make_window(project())
    dialog = window.distill_from_run(str(teacher))
    assert ok_button(dialog).isEnabled(), dialog.message.text()
    panel = window.training.training
    jobs = []
    panel.jobStarted.connect(jobs.append)
    with qtbot.waitSignal(panel.runFinished, timeout=60_000) as finished:
        dialog.accept()
    assert finished.args[0]["stopped_reason"] == "completed", finished.args[0]
    objective = window.document.project.training["objective"]
    assert objective["kind"] == "distillation"
    assert objective["options"]["teacher_run"] == str(teacher.resolve())
    assert jobs[0].request.lineage == {"parent": str(teacher.resolve()),
                                       "relation": "distilled-from"}
    folders = [p.parent for p in default_project_dir().glob("runs/*/config.json")]
    config = json.loads((max(folders) / "config.json").read_text())
    assert config["lineage"]["relation"] == "distilled-from"
    assert config["training"]["objective"]["kind"] == "distillation"
    terms = window.training.dashboard.plots["terms"]
    assert len(terms.series["term:soft"]) == 1 and len(terms.series["term:hard"]) == 1
    assert "terms" in window.training.dashboard.visible_plots()
    window.registry.trigger("edit.undo")
    assert window.document.project.training.get("objective", {}).get("kind") != "distillation"


@pytest.mark.parametrize("name", ["distill"])
def test_help_has_an_entry(name):
    from ui.help_texts import PANEL_GUIDES

    assert name in PANEL_GUIDES and "Distill from Run" in PANEL_GUIDES[name][1]
