"""The "Distill from run" dialog: train the network on the canvas (the student) to follow a
run's predictions (the teacher) with the ``distillation`` objective.

It shows the teacher run (name, dataset, accuracy, parameters), the student (the canvas
network, its parameters, a warning when its inputs or classes differ from the teacher's),
a button that asks for a smaller copy of the teacher (widths x 0.25) as the student, and the
temperature and alpha. The dialog changes nothing itself: ``smallerCopyRequested(GraphSpec)``
asks the window to put the copy on the canvas; after OK, :meth:`DistillDialog.objective` is
the training settings' ``objective`` section to store.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.dialogs.distill_plan import (
    distill_objective,
    network_params,
    read_teacher,
    student_problems,
)
from workbench.graph.spec import GraphSpec

ERROR_STYLE = "color: #c62828; font-weight: bold;"
WIDTH_FACTOR = 0.25
TIPS = {
    "temperature": "Softens both networks' outputs before they are compared (T in "
                   "T²·KL(softmax(t/T) ‖ softmax(s/T))): higher shows the student more of the "
                   "teacher's ranking of the wrong classes. 4 is a common start.",
    "alpha": "Weight of the teacher's soft targets; 1 − alpha weighs the ordinary loss on the "
             "labels.",
    "smaller": "Replace the network on the canvas with the teacher's network at a quarter of "
               "its widths (Linear units, conv channels, hidden sizes; the head keeps the "
               "classes). Undo brings your network back.",
}


def _count(value: int | None) -> str:
    return f"{value:,} parameters" if value is not None else "parameters unknown (the " \
        "network has problems)"


class DistillDialog(QtWidgets.QDialog):
    """Distill ``run_dir`` into the canvas network ``spec``; ``objective()`` after OK."""

    smallerCopyRequested = QtCore.Signal(object)  # GraphSpec: put it on the canvas

    def __init__(self, run_dir: str, spec: GraphSpec, dataset: str = "",
                 training: dict[str, Any] | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Distill from Run")
        self.spec, self.dataset, self.training = spec, dataset, training or {}
        self.teacher = read_teacher(run_dir)
        teacher = self.teacher
        self.teacher_label = QtWidgets.QLabel(
            f"<b>Teacher</b> {teacher.name or '(none)'}<br>dataset: {teacher.dataset or '-'}"
            f" · accuracy: {teacher.accuracy} · {_count(teacher.params)}")
        self.teacher_label.setToolTip(teacher.path)
        self.teacher_label.setWordWrap(True)
        self.student_label = QtWidgets.QLabel()
        self.student_label.setWordWrap(True)
        self.warning = QtWidgets.QLabel()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(ERROR_STYLE)
        self.smaller = QtWidgets.QPushButton(
            f"Use a smaller copy of the teacher (widths x {WIDTH_FACTOR:g})")
        self.smaller.setObjectName("smaller")
        self.smaller.setToolTip(TIPS["smaller"])
        self.smaller.setEnabled(teacher.graph is not None)
        self.smaller.clicked.connect(self.use_smaller_copy)
        options = self._objective_options()
        self.temperature = QtWidgets.QDoubleSpinBox()
        self.temperature.setRange(0.1, 100.0)
        self.temperature.setDecimals(2)
        self.temperature.setValue(float(options.get("temperature", 4.0)))
        self.alpha = QtWidgets.QDoubleSpinBox()
        self.alpha.setRange(0.0, 1.0)
        self.alpha.setSingleStep(0.05)
        self.alpha.setDecimals(3)
        self.alpha.setValue(float(options.get("alpha", 0.7)))
        form = QtWidgets.QFormLayout()
        form.addRow("Temperature", self.temperature)
        form.addRow("Alpha (soft targets' weight)", self.alpha)
        for name in ("temperature", "alpha"):
            getattr(self, name).setObjectName(name)
            getattr(self, name).setToolTip(TIPS[name])
        self.message = QtWidgets.QLabel("\n".join(teacher.problems))
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(bool(teacher.problems))
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok
                                                  | QtWidgets.QDialogButtonBox.Cancel)
        ok = self.buttons.button(QtWidgets.QDialogButtonBox.Ok)
        ok.setText("Distill")
        ok.setToolTip("Store the distillation objective in the project's training settings "
                      "and train the student (F5 trains with them again)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.teacher_label)
        layout.addWidget(self.student_label)
        layout.addWidget(self.warning)
        layout.addWidget(self.smaller)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.refresh()
        self.resize(560, 320)

    def _objective_options(self) -> dict[str, Any]:
        objective = self.training.get("objective") or {}
        return dict(objective.get("options") or {}) if objective.get("kind") == \
            "distillation" else {}

    @property
    def usable(self) -> bool:
        return not self.teacher.problems and not self.problems

    def refresh(self) -> None:
        """Show the student (the canvas network) and why it does not fit the teacher."""
        params = network_params(self.spec)
        share = ""
        if params is not None and self.teacher.params:
            share = f" ({params / self.teacher.params:.1%} of the teacher's)"
        self.student_label.setText(f"<b>Student</b> the network on the canvas"
                                   f"{' ' + repr(self.spec.name) if self.spec.name else ''}"
                                   f"<br>{_count(params)}{share}")
        self.problems = student_problems(self.teacher, self.spec, self.dataset)
        self.warning.setText("The student does not fit the teacher: " + "; ".join(
            self.problems) + "." if self.problems else "")
        self.warning.setVisible(bool(self.problems))
        self.buttons.button(QtWidgets.QDialogButtonBox.Ok).setEnabled(self.usable)

    def use_smaller_copy(self) -> bool:
        """Ask for the teacher's network at x0.25 widths on the canvas; the dialog shows it as
        the student. False (message shown) when the copy cannot be made."""
        from workbench.compress.errors import CompressError
        from workbench.compress.student import smaller_copy

        if self.teacher.graph is None:
            return False
        try:
            small = smaller_copy(self.teacher.graph, WIDTH_FACTOR)
        except CompressError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return False
        small.name = self.spec.name or small.name
        self.spec = small
        self.refresh()
        self.smallerCopyRequested.emit(small.copy())
        return True

    def objective(self) -> dict[str, Any]:
        """The ``objective`` section of the training settings for the chosen options."""
        return distill_objective(self.teacher.path, self.temperature.value(),
                                 self.alpha.value(), self.training)

    def accept(self) -> None:
        if not self.usable:  # OK is disabled; a programmatic accept is refused the same way
            return
        super().accept()
