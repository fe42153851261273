"""Transfer learning in the main window: the inspector's Freeze checkbox (undoable, lock badge,
kept when the training form is edited, dropped with a deleted node) and Train > Fine-tune from
Run… (stores the init section and trains; Cancel changes nothing)."""

from __future__ import annotations

from tests.ui.transfer_fixtures import make_parent_run
from workbench.graph.templates import mlp
from workbench.project import Project


def project() -> Project:
    return Project(name="t", graph=mlp(input_size=2, hidden=(16,), num_classes=2),
                   dataset={"name": "moons", "options": {}}, training={})


def init(window) -> dict:
    return window.document.project.training.get("init") or {}


def test_freeze_checkbox_lock_badge_and_undo(make_window):
    window = make_window(project())
    window.document.analyze_now()
    window.scene.select_nodes(["act1"])
    assert window.inspector.freeze_box.isHidden()  # no parameters, nothing to freeze
    window.scene.select_nodes(["fc1"])
    box = window.inspector.freeze_box
    assert not box.isHidden() and not box.isChecked()
    box.setChecked(True)
    assert init(window)["freeze"] == ["fc1"]
    assert window.scene.nodes["fc1"].has_lock_badge
    assert not window.scene.nodes["fc2"].has_lock_badge
    window.training.training.form.editors["epochs"].setValue(7)  # a form edit keeps it
    assert window.document.project.training["epochs"] == 7 and init(window)["freeze"] == ["fc1"]
    window.registry.trigger("edit.undo")
    window.registry.trigger("edit.undo")
    assert init(window).get("freeze", []) == []
    assert not window.scene.nodes["fc1"].has_lock_badge and not box.isChecked()
    assert window.training.training.form.values()["init"]["freeze"] == []
    window.registry.trigger("edit.redo")
    assert init(window)["freeze"] == ["fc1"] and window.scene.nodes["fc1"].has_lock_badge
    assert box.isChecked()


def test_deleting_a_frozen_node_takes_it_out_of_the_settings(make_window):
    window = make_window(project())
    window.document.analyze_now()
    window.set_frozen("fc1", True)
    window.set_frozen("fc2", True)
    assert init(window)["freeze"] == ["fc1", "fc2"]
    window.scene.select_nodes(["fc2"])
    window.registry.trigger("edit.delete")
    assert init(window)["freeze"] == ["fc1"]
    window.registry.trigger("edit.undo")
    assert init(window)["freeze"] == ["fc1", "fc2"]


def test_freeze_until_is_spelled_out_when_one_layer_changes(make_window):
    window = make_window(project())
    window.document.edit("t", lambda p: p.training.update(init={"freeze_until": "fc2"}))
    window.document.analyze_now()
    assert window.scene.frozen_node_ids() == ["fc1", "fc2"]
    window.scene.select_nodes(["fc2"])
    assert window.inspector.freeze_box.isChecked()
    assert "Frozen up to 'fc2'" in window.inspector.freeze_note.text()
    window.inspector.freeze_box.setChecked(False)
    assert init(window)["freeze"] == ["fc1"] and init(window)["freeze_until"] == ""
    assert window.scene.frozen_node_ids() == ["fc1"]


def test_fine_tune_from_run_stores_init_and_trains(make_window, tmp_path, monkeypatch):
    run_dir = make_parent_run(tmp_path)
    window = make_window(project())
    assert "training.fine_tune" in window.registry.commands
    started: list[dict] = []
    monkeypatch.setattr(window.training.training, "start", lambda: started.append(
        window.training.training.form.values()) or True)
    dialog = window.fine_tune_from_run(str(run_dir))
    dialog.reject()  # Cancel changes nothing
    assert "init" not in window.document.project.training and not started
    dialog = window.fine_tune_from_run(str(run_dir))
    dialog.freeze_until.setCurrentText("fc1")
    dialog.lr_scale.setValue(0.5)
    dialog.accept()
    assert init(window)["from_run"] == str(run_dir)
    assert init(window)["freeze_until"] == "fc1" and init(window)["lr_scale"] == 0.5
    assert started and started[0]["init"]["from_run"] == str(run_dir)  # what Train trains
    assert window.scene.frozen_node_ids() == ["fc1"]
    window.registry.trigger("edit.undo")
    assert "init" not in window.document.project.training


def test_fine_tune_command_follows_the_runs(make_window, tmp_path, monkeypatch):
    window = make_window(project())
    window.registry.update_enabled()
    action = window.registry.actions["training.fine_tune"]
    assert action.text() == "&Fine-tune from Run…"
    runs = window.training.runs
    monkeypatch.setattr(runs, "runs", [])
    window.registry.update_enabled()
    assert not action.isEnabled()
    make_parent_run(tmp_path)
    runs.set_project_dir(tmp_path)
    window.registry.update_enabled()
    assert action.isEnabled()
    window.registry.trigger("training.fine_tune")
    assert window.fine_tune_dialog.parent_run.name.endswith("pretrain")
    window.fine_tune_dialog.reject()


def test_runs_panel_entry_opens_the_dialog_for_that_run(make_window, tmp_path):
    run_dir = make_parent_run(tmp_path)
    window = make_window(project())
    window.training.runs.fine_tune_requested.emit(str(run_dir))
    dialog = window.fine_tune_dialog
    assert dialog.isVisible() and dialog.parent_run.path == str(run_dir)
    dialog.reject()


def test_no_fine_tune_dialog_while_a_run_trains(make_window, tmp_path, monkeypatch):
    run_dir = make_parent_run(tmp_path)
    window = make_window(project())
    monkeypatch.setattr(window.training.training, "state", "running")
    assert window.fine_tune_from_run(str(run_dir)) is None
    assert "once it has ended" in window.statusBar().currentMessage()
    assert "init" not in window.document.project.training
