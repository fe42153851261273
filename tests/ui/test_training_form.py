"""The training form: registry choices read live (a plugin's loss can be chosen and saved), the
objective row, and nested sections (init) carried through unchanged."""

from __future__ import annotations

from ui.panels.training_form import TrainingForm
from workbench.train import losses
from workbench.train.config import TrainConfig


def test_a_loss_registered_after_start_up_is_offered_and_saved(qtbot, monkeypatch):
    form = TrainingForm()
    qtbot.addWidget(form)
    combo = form.editors["loss"]
    assert combo.findText("plugin_focal") < 0
    monkeypatch.setitem(losses._LOSSES["classification"], "plugin_focal",
                        losses._LOSSES["classification"]["cross_entropy"])
    form.show()  # showing the form (or loading a project) lists the registry again
    assert combo.findText("plugin_focal") >= 0
    seen: list[dict] = []
    form.changed.connect(seen.append)
    combo.setCurrentText("plugin_focal")
    assert seen[-1]["loss"] == "plugin_focal"
    assert TrainConfig.from_dict(seen[-1]).loss == "plugin_focal"


def test_objective_row_is_read_only_with_one_objective(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    combo = form.editors["objective"]
    assert combo.currentText() == "supervised"
    assert combo.isEnabled() == (combo.count() > 1)
    assert form.values()["objective"] == {"kind": "supervised", "options": {}}


def test_init_section_is_carried_through_form_edits(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    init = {"from_run": "/runs/a", "freeze": ["fc1"], "reset_head": True}
    form.set_values({"epochs": 3, "init": init})
    seen: list[dict] = []
    form.changed.connect(seen.append)
    form.editors["epochs"].setValue(4)
    assert seen[-1]["epochs"] == 4
    assert seen[-1]["init"]["from_run"] == "/runs/a"
    assert seen[-1]["init"]["freeze"] == ["fc1"] and seen[-1]["init"]["reset_head"] is True
    config = TrainConfig.from_dict(seen[-1])
    assert config.init.freeze == ["fc1"]
    assert form.normalized({"epochs": 4, "init": init}) == form.values()


def test_normalized_reads_a_missing_device_as_the_form_shows_it(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.set_available_devices(["cpu"])
    form.set_values({"device": "cuda"})  # a project from a machine with a GPU
    assert form.values()["device"] == "auto"
    assert form.normalized({"device": "cuda"}) == form.values()
