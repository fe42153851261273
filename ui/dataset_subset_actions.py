"""Data > Classes and Training Share…: the command, the toolbar button beside the dataset
selector, and the undoable edit that writes the ``classes`` / ``train_fraction`` options.

Owned by the main window (``window.dataset_subset``); the dialog is
``ui/dialogs/dataset_options_dialog.py``, the figures ``ui/dialogs/dataset_subset_plan.py``.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.commands import Command
from ui.dialogs.dataset_subset_plan import (
    availability,
    carry_message,
    carry_subset,
    short_text,
    subset_of,
    with_subset,
)

COMMAND_ID = "data.subset"
TOOLTIP = ("Keep some classes of the dataset (relabelled 0..k-1) and a share of its training "
           "split; validation and test keep all their samples")


class DatasetSubsetActions:
    """Registers the command on ``window.registry`` and makes the toolbar button."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.dialog: QtWidgets.QDialog | None = None
        self.action = window.registry.add(Command(
            COMMAND_ID, "&Classes and Training Share…", self.open_dialog, None, "&Data",
            self.available, TOOLTIP))
        self.button = QtWidgets.QToolButton()
        self.button.setObjectName("dataset_options_button")
        self.button.setText("Classes…")
        self.button.clicked.connect(lambda: window.registry.trigger(COMMAND_ID))
        self.action.changed.connect(self._follow_action)

    def _follow_action(self) -> None:
        self.button.setEnabled(self.action.isEnabled())
        self.button.setToolTip(self.action.toolTip())

    def available(self) -> bool:
        """Enabled for a classification dataset that loads; the tooltip says why not."""
        document = self.window.document
        if document is None:
            return False
        ok, why = availability(document.project.resolved_dataset())
        tip = TOOLTIP if ok else f"Not available: {why}"
        if self.action.toolTip() != tip:
            self.action.setToolTip(tip)
        return ok

    def refresh(self) -> None:
        """The button names the options of the project's dataset (after any change)."""
        dataset = self.window.document.project.dataset or {}
        text = short_text(dataset)
        self.button.setText(f"{text}…" if text else "Classes…")

    def open_dialog(self) -> None:
        """Open the dialog on the project's dataset; OK applies it, Cancel changes nothing."""
        from ui.dialogs.dataset_options_dialog import DatasetOptionsDialog

        if self.dialog is not None:
            self.dialog.deleteLater()
        dialog = DatasetOptionsDialog(self.window.document.project.resolved_dataset(),
                                      self.window)
        dialog.accepted.connect(lambda: self.apply(dialog.options()))
        self.dialog = dialog
        dialog.open()

    def apply(self, subset: dict[str, Any]) -> bool:
        """Write ``subset`` into the project's dataset and fit the Output's classes, as one
        undoable edit. False (with a message) when the dataset does not load with them."""
        from workbench.data import DataError, dataset_info
        from workbench.data.registry import dataset_task
        from workbench.graph import edits

        window, project = self.window, self.window.document.project
        dataset = with_subset(project.dataset, subset)  # a relative path stays relative
        if dataset == project.dataset:
            return True
        resolved = with_subset(project.resolved_dataset(), subset)
        try:
            shape, dtype, classes = dataset_info(resolved)
            task = dataset_task(resolved)
        except (DataError, ValueError) as exc:
            window.show_error("Cannot use these dataset options", str(exc))
            return False

        def change(p: Any) -> None:
            p.dataset = dataset
            edits.fit_io(p.graph, shape, dtype, classes, task)

        window.document.edit("Choose classes and training share", change)
        window.statusBar().showMessage(
            f"dataset {dataset.get('name')}: "
            f"{short_text(dataset) or 'all classes, the whole training split'}", 8000)
        return True

    def carry(self, old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The subset options of ``old`` that apply to ``new``, and a status-bar note."""
        if not subset_of(old):
            return {}, ""
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.WaitCursor)
        try:
            kept, dropped = carry_subset(old, new)
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        return kept, carry_message(kept, dropped)
