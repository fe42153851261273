"""The "Fine-tune from run" dialog: start the current network from a run's weights.

It shows the parent run (name, dataset, accuracy), every layer of the current network that has
parameters, loaded from the run or skipped and why (:mod:`ui.dialogs.fine_tune_plan`, no Qt,
no torch), and the options: reset head, freeze up to a layer, learning-rate scale of the loaded
layers, gradual unfreezing. OK is refused (with the message in the dialog) for a run that cannot
be used; :meth:`FineTuneDialog.init_settings` is the training settings' ``init`` section to store.
The dialog changes nothing itself: the window stores the section and starts training.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.dialogs.fine_tune_plan import head_id, init_settings, layer_rows, read_parent
from ui.editor.freeze_settings import frozen_ids, init_of, trainable_ids
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import GraphSpec

NO_FREEZE = "(keep the layers frozen in the inspector)"
COLUMNS = ["Layer", "Type", "Weights in the run", "Trained", "From the run"]
ERROR_STYLE = "color: #c62828; font-weight: bold;"

TIPS = {
    "reset_head": "Do not load the layer feeding the Output: it starts from fresh weights. "
                  "Use it when the new task has other classes than the run's.",
    "freeze_until": "Freeze every layer up to and including this one (in the network's "
                    "order): they keep the run's weights, only the later layers train.",
    "lr_scale": "Learning-rate multiplier for the layers loaded from the run (1 = the same "
                "rate as the fresh layers; 0.1 changes the pretrained weights gently).",
    "unfreeze_every": "Gradual unfreezing: every N epochs the frozen layer nearest the output "
                      "starts training too (0 = frozen layers stay frozen).",
}


class FineTuneDialog(QtWidgets.QDialog):
    """Choose how to start from ``run_dir``'s weights; ``init_settings()`` after OK."""

    def __init__(self, run_dir: str, spec: GraphSpec, training: dict[str, Any] | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fine-tune from Run")
        self.spec = spec
        self.analysis = analyze(spec)
        self.head = head_id(spec)
        self.training = training or {}
        self.parent_run = read_parent(run_dir, spec)
        init = init_of(self.training)
        run = self.parent_run
        self.run_label = QtWidgets.QLabel(
            f"<b>Start from run</b> {run.name or '(none)'}<br>dataset: {run.dataset or '-'}"
            f" · accuracy: {run.accuracy}" + (f" · weights: {run.weights}" if run.weights
                                              else ""))
        self.run_label.setToolTip(run.path)
        self.run_label.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.NoSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)  # a long reason wraps in the last column
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        self.reset_head = QtWidgets.QCheckBox("Reset the head (the layer feeding the Output)")
        self.reset_head.setChecked(bool(init.get("reset_head", False)))
        self.freeze_until = QtWidgets.QComboBox()
        self.freeze_until.addItems([NO_FREEZE, *trainable_ids(self.analysis)])
        if init.get("freeze_until"):
            self.freeze_until.setCurrentText(str(init["freeze_until"]))
        self.lr_scale = QtWidgets.QDoubleSpinBox()
        self.lr_scale.setDecimals(4)
        self.lr_scale.setRange(0.0001, 10.0)
        self.lr_scale.setValue(float(init.get("lr_scale", 1.0) or 1.0))
        self.unfreeze_every = QtWidgets.QSpinBox()
        self.unfreeze_every.setRange(0, 100_000)
        self.unfreeze_every.setSuffix(" epochs")
        self.unfreeze_every.setSpecialValueText("never")
        self.unfreeze_every.setValue(int(init.get("unfreeze_every", 0) or 0))
        form = QtWidgets.QFormLayout()
        form.addRow(self.reset_head)
        form.addRow("Freeze up to", self.freeze_until)
        form.addRow("Learning-rate scale of loaded layers", self.lr_scale)
        form.addRow("Unfreeze one layer every", self.unfreeze_every)
        for name, widget in (("reset_head", self.reset_head),
                             ("freeze_until", self.freeze_until), ("lr_scale", self.lr_scale),
                             ("unfreeze_every", self.unfreeze_every)):
            widget.setObjectName(name)
            widget.setToolTip(TIPS[name])
        self.counts = QtWidgets.QLabel()
        self.message = QtWidgets.QLabel("\n".join(run.problems))
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(bool(run.problems))
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok
                                                  | QtWidgets.QDialogButtonBox.Cancel)
        ok = self.buttons.button(QtWidgets.QDialogButtonBox.Ok)
        ok.setText("Fine-tune")
        ok.setToolTip("Store these settings in the project's training settings and train (F5 "
                      "trains with them again)")
        ok.setEnabled(not run.problems)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.run_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.reset_head.toggled.connect(lambda _on: self.refresh())
        self.freeze_until.currentTextChanged.connect(lambda _t: self.refresh())
        self.refresh()
        self.resize(820, 480)

    @property
    def usable(self) -> bool:
        return not self.parent_run.problems

    def frozen(self) -> list[str]:
        """The layers that will start frozen with the current choices."""
        until = self.freeze_until.currentText()
        if until != NO_FREEZE:
            return frozen_ids({"init": {"freeze_until": until}}, self.analysis)
        return frozen_ids({"init": {"freeze": init_of(self.training).get("freeze") or []}},
                          self.analysis)

    def refresh(self) -> None:
        """Recompute the table for the current options."""
        self.rows = layer_rows(self.parent_run, self.spec, self.analysis,
                               self.reset_head.isChecked(), self.frozen())
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            loaded = "loaded" if row.loaded else f"skipped: {row.reason}"
            cells = [row.node_id, row.type_name, row.shapes,
                     "frozen" if row.frozen else "trained", loaded]
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 4 and not row.loaded:
                    item.setForeground(QtCore.Qt.darkRed)
                self.table.setItem(r, c, item)
        for column in range(len(COLUMNS) - 1):
            self.table.resizeColumnToContents(column)
        self.table.resizeRowsToContents()
        loaded = sum(r.loaded for r in self.rows)
        frozen = sum(r.frozen for r in self.rows)
        head = next((r for r in self.rows if r.node_id == self.head), None)
        hint = (f" The head '{head.node_id}' does not fit the run's (other outputs): it starts "
                f"from fresh weights; tick Reset the head to say so."
                if head is not None and head.reason.startswith("shape differs") else "")
        self.counts.setText(f"{loaded} of {len(self.rows)} layers loaded from the run, "
                            f"{frozen} frozen.{hint}" if self.usable else "")
        self.counts.setWordWrap(True)

    def init_settings(self) -> dict[str, Any]:
        """The ``init`` section of the training settings for the chosen options."""
        until = self.freeze_until.currentText()
        return init_settings(self.parent_run.path, self.reset_head.isChecked(),
                             "" if until == NO_FREEZE else until, self.lr_scale.value(),
                             self.unfreeze_every.value(),
                             init_of(self.training).get("freeze") or [])

    def accept(self) -> None:
        if not self.usable:  # OK is disabled; a programmatic accept is refused the same way
            self.message.show()
            return
        super().accept()
