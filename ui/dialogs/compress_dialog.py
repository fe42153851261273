"""What the Prune and Quantize dialogs share: the run they start from, a settings form, a
background job with its stage, Cancel, the core's message when it refuses, and the result.

A subclass fills ``self.form``, returns the frozen job in :meth:`CompressDialog.make_work` and
shows the core's report in :meth:`CompressDialog.show_result`. The dialog is not modal: the app
stays usable while the job runs. Closing it while a job runs asks the job to stop at its next
stage and closes once it has.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.compress_jobs import CompressJob

ERROR_STYLE = "color: #c62828; font-weight: bold;"


def run_problem(run: Any | None, run_dir: str) -> str:
    """Why the run at ``run_dir`` cannot be pruned or quantized ("" when it can)."""
    from workbench.export.int8_bundle import is_int8_variant

    if run is None:
        return (f"expected a run folder (config.json), found {run_dir!r}" if run_dir else
                "the project has no runs yet: train one first")
    if is_int8_variant(run.path):
        return (f"{run.path.name} is an int8 ONNX variant; prune or quantize its float parent")
    if not run.has_weights():
        return f"{run.path.name} has no saved weights (best.safetensors or a checkpoint)"
    return ""


def open_run(run_dir: str) -> Any | None:
    from workbench.runs.run_store import RunStore

    try:
        return RunStore.open(run_dir) if run_dir else None
    except (FileNotFoundError, NotADirectoryError, ValueError, OSError):
        return None


def number_item(text: str, bold: bool = False) -> QtWidgets.QTableWidgetItem:
    item = QtWidgets.QTableWidgetItem(text)
    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
    if bold:
        font = QtGui.QFont()
        font.setBold(True)
        item.setFont(font)
    return item


class CompressDialog(QtWidgets.QDialog):
    """Base of the Prune / Quantize dialogs for the run at ``run_dir``."""

    variantCreated = QtCore.Signal(dict)  # the core's report; "run_dir" is the new run
    failed = QtCore.Signal(str)           # the core's (or the loader's) message
    jobEnded = QtCore.Signal()
    title = "Compress"
    start_text = "Start"
    repeats = 30  # latency rounds per model (tests lower it)

    def __init__(self, run_dir: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.title)
        self.run_dir = run_dir
        self.run = open_run(run_dir)
        self.problem = run_problem(self.run, run_dir)
        self.job: CompressJob | None = None
        self.report: dict[str, Any] | None = None
        self.header = QtWidgets.QLabel()
        self.header.setWordWrap(True)
        self.header.setToolTip(str(Path(run_dir).resolve()) if run_dir else "")
        self.form = QtWidgets.QFormLayout()
        self.stage = QtWidgets.QLabel("")
        self.stage.setWordWrap(True)
        self.busy = QtWidgets.QProgressBar()
        self.busy.setRange(0, 0)  # the core reports stages, not fractions
        self.busy.setVisible(False)
        self.message = QtWidgets.QLabel(self.problem)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.message.setVisible(bool(self.problem))
        self.result = QtWidgets.QWidget()
        self.result_layout = QtWidgets.QVBoxLayout(self.result)
        self.result_layout.setContentsMargins(0, 0, 0, 0)
        self.result.setVisible(False)
        self.start_button = QtWidgets.QPushButton(self.start_text)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop at the next stage (a stage under way, such as a "
                                      "fine-tuning run, finishes first); nothing half-written "
                                      "is left")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QtWidgets.QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.stage, 1)
        buttons.addWidget(self.busy)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.result, 1)
        layout.addLayout(buttons)

    # to fill in ------------------------------------------------------------------------------
    def make_work(self) -> Callable[[Callable[[str], None]], dict[str, Any]]:
        """The core call with the form's settings frozen into it."""
        raise NotImplementedError

    def show_result(self, report: dict[str, Any]) -> None:
        raise NotImplementedError

    def settings_problem(self) -> str:
        """Why the current settings cannot be used ("" when they can)."""
        return ""

    # state -----------------------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        return not self.problem and not self.settings_problem()

    def is_running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def refresh_buttons(self) -> None:
        running = self.is_running()
        self.start_button.setEnabled(self.usable and not running)
        self.cancel_button.setVisible(running)
        self.busy.setVisible(running)
        for i in range(self.form.count()):
            widget = self.form.itemAt(i).widget()
            if widget is not None and not isinstance(widget, QtWidgets.QLabel):
                widget.setEnabled(not running)
        if not running:
            self.refresh_form()

    def refresh_form(self) -> None:
        """Enable the settings that apply to the others' values (subclasses)."""

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # the job ---------------------------------------------------------------------------------
    def start(self) -> bool:
        """Run the core call in the background; False (message shown) when it cannot."""
        if self.is_running():
            return False
        problem = self.problem or self.settings_problem()
        if problem:
            self.show_message(problem)
            return False
        self.show_message("")
        self.report = None
        self.result.setVisible(False)
        self.job = CompressJob(self.make_work())
        self.job.progress.connect(lambda text: self.stage.setText(f"{text}…"))
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.ended.connect(self._on_ended)
        self.stage.setText("starting…")
        self.job.start()
        self.refresh_buttons()
        return True

    def cancel(self) -> None:
        if self.is_running():
            self.job.cancel()
            self.stage.setText(f"cancelling after: {self.job.stage or 'starting'}…")

    def wait(self, timeout_ms: int = 120_000) -> bool:
        """Block until the running job has ended (tests)."""
        return self.job is None or self.job.wait(timeout_ms)

    def _on_finished(self, report: dict[str, Any]) -> None:
        self.report = report
        self.stage.setText(f"done: {Path(report['run_dir']).name}")
        self.show_result(report)
        self.result.setVisible(True)
        self.variantCreated.emit(report)

    def _on_failed(self, message: str) -> None:
        self.stage.setText("failed")
        self.show_message(message)
        self.failed.emit(message)

    def _on_cancelled(self, stage: str) -> None:
        self.stage.setText(f"cancelled before: {stage}")
        self.show_message("")

    def _on_ended(self) -> None:
        self.refresh_buttons()
        self.jobEnded.emit()
        if self.property("close_when_ended"):
            self.setProperty("close_when_ended", False)
            super().reject()

    def reject(self) -> None:  # Close, Esc, the window's X
        if self.is_running():
            self.cancel()
            self.setProperty("close_when_ended", True)
            return
        super().reject()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.is_running():
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
