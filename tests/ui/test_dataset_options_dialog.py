"""Data > Classes and Training Share…: the dialog, the toolbar button beside the dataset
selector, the undoable edit, and what switching datasets does to the options."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from tests.ui.editor_driver import choose_classes_and_share, choose_dataset
from ui.dialogs.dataset_options_dialog import DatasetOptionsDialog
from workbench.paths import example_paths
from workbench.project import load_project


def output_classes(window) -> int:
    (output,) = [n for n in window.document.spec.nodes if n.type == "Output"]
    return output.params["num_classes"]


def open_dialog(window) -> DatasetOptionsDialog:
    window.dataset_subset.button.click()
    dialog = window.dataset_subset.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def checked(dialog: DatasetOptionsDialog) -> list[str]:
    items = [dialog.class_list.item(r) for r in range(dialog.class_list.count())]
    return [i.text() for i in items if i.checkState() == QtCore.Qt.Checked]


def test_ok_writes_the_options_as_one_undoable_edit(window):
    choose_dataset(window, "digits_images")
    assert window.dataset_subset.button.text() == "Classes…"
    before = window.document.project.dataset
    steps = window.document.undo_stack.count()
    choose_classes_and_share(window, ["5", "6", "7", "8", "9"], 0.1)
    assert window.document.project.dataset == {
        "name": "digits_images", "options": {"classes": [5, 6, 7, 8, 9],
                                             "train_fraction": 0.1}}
    assert output_classes(window) == 5  # the Output follows the classes kept
    assert window.document.undo_stack.count() == steps + 1
    assert window.dataset_subset.button.text() == "5 classes, 10% train…"
    window.registry.trigger("edit.undo")
    assert window.document.project.dataset == before and output_classes(window) == 10
    assert window.dataset_subset.button.text() == "Classes…"
    window.registry.trigger("edit.redo")
    assert window.document.project.dataset["options"]["classes"] == [5, 6, 7, 8, 9]


def test_live_preview_and_cancel_changes_nothing(window):
    dialog = open_dialog(window)  # a new project: digits
    assert "keeps all 10 classes" in dialog.preview_text()
    dialog.set_checked(["0", "1", "2"])
    dialog.share_spin.setValue(50)
    dialog.refresh_preview()
    text = dialog.preview_text()
    assert text.startswith("keeps 3 of 10 classes: 0, 1, 2;") and " -> " in text
    steps = window.document.undo_stack.count()
    dialog.buttons.button(QtWidgets.QDialogButtonBox.Cancel).click()
    assert window.document.project.dataset == {"name": "digits", "options": {}}
    assert window.document.undo_stack.count() == steps and not window.document.dirty


def test_too_few_classes_disable_ok_with_a_message(window):
    dialog = open_dialog(window)
    ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok)
    dialog.check_all(False)
    assert not ok.isEnabled() and "No class is checked" in dialog.preview_text()
    dialog.class_list.item(3).setCheckState(QtCore.Qt.Checked)
    assert not ok.isEnabled() and "at least 2 classes" in dialog.preview_text()
    dialog.accept()  # Return on the dialog is refused too
    assert dialog.result() != QtWidgets.QDialog.Accepted
    dialog.class_list.item(4).setCheckState(QtCore.Qt.Checked)
    dialog.refresh_preview()
    assert ok.isEnabled() and "keeps 2 of 10 classes: 3, 4" in dialog.preview_text()
    dialog.reject()


def test_regression_datasets_disable_the_command_and_say_why(window):
    choose_dataset(window, "diabetes")
    window.registry.update_enabled()
    action = window.registry.actions["data.subset"]
    assert not action.isEnabled() and not window.dataset_subset.button.isEnabled()
    assert "regression" in action.toolTip()
    assert "regression" in window.dataset_subset.button.toolTip()
    window.registry.trigger("data.subset")
    assert window.dataset_subset.dialog is None
    choose_dataset(window, "iris")
    window.registry.update_enabled()
    assert action.isEnabled() and window.dataset_subset.button.isEnabled()


def test_a_project_with_the_options_shows_them(make_window):
    path = next(p for p in example_paths() if p.name.startswith("transfer_finetune"))
    window = make_window(load_project(path), path)
    assert window.dataset_subset.button.text() == "5 classes, 10% train…"
    dialog = open_dialog(window)
    assert checked(dialog) == ["5", "6", "7", "8", "9"]
    assert dialog.share_spin.value() == 10.0
    assert dialog.options() == {"classes": [5, 6, 7, 8, 9], "train_fraction": 0.1}
    dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok).click()
    assert not window.document.dirty  # nothing changed: no edit


def test_order_of_the_list_is_the_order_of_the_labels(window):
    choose_dataset(window, "iris")
    choose_classes_and_share(window, ["virginica", "setosa"])
    assert window.document.project.dataset["options"] == {"classes": ["virginica", "setosa"]}
    dialog = open_dialog(window)
    assert checked(dialog) == ["virginica", "setosa"]
    assert "relabelled 0..1" in dialog.preview_text()
    # the kept classes fill their own rows in the option's order; the others stay put
    assert [dialog.class_list.item(r).text() for r in range(3)] == [
        "virginica", "versicolor", "setosa"]
    dialog.check_all(True)  # all checked, but reordered: still a classes option
    assert dialog.options() == {"classes": ["virginica", "versicolor", "setosa"]}
    dialog.reject()


def test_switching_dataset_drops_options_that_do_not_apply(window):
    choose_dataset(window, "digits_images")
    choose_classes_and_share(window, [0, 1, 2], 0.5)
    choose_dataset(window, "digits")  # same classes: both carried
    assert window.document.project.dataset["options"] == {"classes": [0, 1, 2],
                                                          "train_fraction": 0.5}
    assert output_classes(window) == 3
    assert "kept classes 0, 1, 2" in window.statusBar().currentMessage()
    choose_dataset(window, "iris")  # other classes: the share only
    assert window.document.project.dataset["options"] == {"train_fraction": 0.5}
    assert "dropped classes" in window.statusBar().currentMessage()
    choose_dataset(window, "noisy_sine")  # regression: none
    assert window.document.project.dataset["options"] == {}
