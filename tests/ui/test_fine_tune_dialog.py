"""The fine-tune dialog: the parent run, layers loaded or skipped (and why), the options, the
init section it produces, and the message for a run that cannot be used."""

from __future__ import annotations

from PySide6 import QtWidgets

from tests.ui.transfer_fixtures import make_parent_run
from ui.dialogs.fine_tune_dialog import NO_FREEZE, FineTuneDialog
from workbench.graph.templates import mlp


def make(qtbot, run_dir, spec=None, training=None):
    dialog = FineTuneDialog(str(run_dir), spec or mlp(input_size=2, hidden=(16,),
                                                      num_classes=3), training)
    qtbot.addWidget(dialog)
    return dialog


def ok_button(dialog):
    return dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok)


def test_shows_the_run_and_which_layers_load(qtbot, tmp_path):
    dialog = make(qtbot, make_parent_run(tmp_path))
    text = dialog.run_label.text()
    assert "pretrain" in text and "moons" in text and "87.5%" in text
    rows = {r.node_id: r for r in dialog.rows}
    assert rows["fc1"].loaded and rows["fc1"].shapes == "weight 16x2, bias 16"
    assert not rows["fc2"].loaded  # 3 classes here, 2 in the run
    assert rows["fc2"].reason == "shape differs: expected (3, 16) found (2, 16) " \
                                 "(changed since the run: out_features 3, was 2)"
    assert dialog.table.item(1, 4).text().startswith("skipped: shape differs")
    assert "The head 'fc2' does not fit" in dialog.counts.text()
    dialog.reset_head.setChecked(True)
    rows = {r.node_id: r for r in dialog.rows}
    assert rows["fc2"].reason == "reset_head"
    assert ok_button(dialog).isEnabled()


def test_options_make_the_init_section(qtbot, tmp_path):
    run_dir = make_parent_run(tmp_path)
    dialog = make(qtbot, run_dir, training={"init": {"freeze": ["fc2"]}})
    assert [r.node_id for r in dialog.rows if r.frozen] == ["fc2"]  # the inspector's choice
    dialog.freeze_until.setCurrentText("fc1")
    assert [r.node_id for r in dialog.rows if r.frozen] == ["fc1"]
    dialog.reset_head.setChecked(True)
    dialog.lr_scale.setValue(0.1)
    dialog.unfreeze_every.setValue(2)
    assert dialog.init_settings() == {
        "from_run": str(run_dir), "layers": [], "freeze": [], "freeze_until": "fc1",
        "reset_head": True, "lr_scale": 0.1, "unfreeze_every": 2}
    dialog.freeze_until.setCurrentText(NO_FREEZE)
    assert dialog.init_settings()["freeze"] == ["fc2"]
    assert dialog.init_settings()["freeze_until"] == ""


def test_a_run_without_weights_or_no_run_is_refused_with_a_message(qtbot, tmp_path):
    dialog = make(qtbot, make_parent_run(tmp_path, weights=False))
    assert "no saved weights" in dialog.message.text()
    assert not ok_button(dialog).isEnabled()
    dialog.accept()
    assert dialog.result() != QtWidgets.QDialog.Accepted
    empty = make(qtbot, "")
    assert "No run chosen" in empty.message.text() and not ok_button(empty).isEnabled()
    missing = make(qtbot, tmp_path / "nowhere")
    assert "nowhere" in missing.message.text() and not ok_button(missing).isEnabled()
