"""Export a trained run as a verified ONNX deployment bundle, from the app.

``ExportDialog(run_dir, parent)`` lets a person pick the bundle folder and the opset, then runs
``workbench.export.bundle.export_run`` (the call ``workbench export`` makes) on a background
thread through ``ui.workers.BackgroundCall``; the dialog never blocks the event loop. Stages
arrive as queued signals and show under the progress bar; the checks (onnx.checker, onnxruntime
vs PyTorch parity, accuracy through both) and the latency table appear when the export ends,
including the figures of a check that failed (then nothing was written). Cancel stops the
export between stages; closing the dialog while it runs cancels and closes when the thread ends.

Hook it up from a window: ``ExportDialog(Path(run_dir), parent=window).show()`` (non-modal) or
``.exec()``; connect ``exported(dict)`` to learn the report of a written bundle.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.export.onnx_export import (
    DEFAULT_OPSET,
    MAX_OPSET,
    MIN_OPSET,
    ExportCancelled,
    ExportError,
)

PASSED, FAILED = "passed", "FAILED"
LATENCY_COLUMNS = ["batch", "PyTorch eager (ms)", "onnxruntime (ms)", "speed-up"]


def default_bundle_dir(run_dir: Path) -> Path:
    """``<project>/exports/<run name>`` for runs in a project, else ``<run>-onnx`` beside it;
    a free name (``-2``, ``-3``, ...) when that folder is already taken."""
    run_dir = Path(run_dir)
    base = (run_dir.parent.parent / "exports" / run_dir.name if run_dir.parent.name == "runs"
            else run_dir.with_name(f"{run_dir.name}-onnx"))
    candidate, n = base, 2
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        candidate, n = base.with_name(f"{base.name}-{n}"), n + 1
    return candidate


def check_rows(report: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(check, passed, details) rows from an export report or a failure's partial report."""
    checks = report.get("checks", {})
    rows: list[tuple[str, bool, str]] = []
    checker = checks.get("onnx_checker")
    if checker is not None:
        detail = (f"opset {checker.get('opset')}, IR version {checker.get('ir_version')}"
                  if checker["passed"] else checker.get("error", ""))
        rows.append(("onnx.checker (full check)", bool(checker["passed"]), detail))
    p = checks.get("parity")
    if p is not None:
        rows.append(("onnxruntime vs PyTorch outputs", bool(p.get("outputs_close", p["passed"])),
                     f"max abs diff {p['max_abs_diff']:.2e}, max rel diff "
                     f"{p['max_rel_diff']:.2e} on {p['samples']} {p.get('split', 'validation')}"
                     f" samples (rtol {p['rtol']:g}, atol {p['atol']:g})"))
        rows.append(("batch sizes", True,
                     f"batch 1 and batch {p['batch_sizes'][1]} both ran in onnxruntime"))
        if "onnx_accuracy" in p:
            same = p["onnx_accuracy"] == p["torch_accuracy"]
            rows.append(("accuracy through onnxruntime", same,
                         f"onnxruntime {p['onnx_accuracy']:.4f}, PyTorch "
                         f"{p['torch_accuracy']:.4f}" + ("" if same else " (different)")))
        if "onnx_mae" in p:
            rows.append(("MAE through onnxruntime", bool(p["passed"]),
                         f"onnxruntime {p['onnx_mae']:.6g}, PyTorch {p['torch_mae']:.6g} "
                         f"(in the target's units)"))
    from workbench.export.int8_bundle import int8_check_rows

    rows += int8_check_rows(report)
    return rows


def describe_run(run_dir: Path) -> tuple[str, bool]:
    """(a line about the run, whether it has weights to export)."""
    from workbench.runs.run_store import RunStore

    try:
        run = RunStore.open(run_dir)
    except FileNotFoundError as exc:
        return str(exc), False
    from workbench.export.int8_bundle import is_int8_variant

    has_weights = ((run.path / "best.safetensors").is_file() or bool(run.checkpoints())
                   or is_int8_variant(run.path))
    dataset = run.config.get("dataset", {}).get("name", "?")
    summary = run.read_summary() or {}
    accuracy = summary.get("val_accuracy")
    text = f"Run {run.path.name} · dataset {dataset}"
    if isinstance(accuracy, (int, float)):
        text += f" · validation accuracy {accuracy:.4f}"
    elif isinstance(summary.get("val_mae"), (int, float)):
        r2 = summary.get("val_r2")
        text += f" · validation MAE {summary['val_mae']:.4g}" + (
            f", R² {r2:.3f}" if isinstance(r2, (int, float)) else "")
    if not has_weights:
        text += " · no saved weights yet: train it first"
    return text, has_weights


class _StageRelay(QtCore.QObject):
    """Lives in the GUI thread; emitted from the export thread, so delivery is queued."""

    stage = QtCore.Signal(str)


class ExportDialog(QtWidgets.QDialog):
    """Pick a folder and opset, export in the background, show checks and latency."""

    exported = QtCore.Signal(dict)      # the report, after the bundle was written
    exportFailed = QtCore.Signal(str)   # the reason; nothing was written

    def __init__(self, run_dir: Path, parent: QtWidgets.QWidget | None = None,
                 measure_latency: bool = True) -> None:
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self.measure_latency = measure_latency
        self.report: dict[str, Any] | None = None
        self._job: Any = None
        self._cancel = threading.Event()
        self._close_when_done = False
        self._relay = _StageRelay(self)
        self._relay.stage.connect(self._on_stage)
        self.setWindowTitle("Export to ONNX")
        self.resize(720, 560)
        self._build()

    def _build(self) -> None:
        info, has_weights = describe_run(self.run_dir)
        self.run_label = QtWidgets.QLabel(info)
        self.run_label.setWordWrap(True)
        self.out_edit = QtWidgets.QLineEdit(str(default_bundle_dir(self.run_dir)))
        self.out_edit.setToolTip("The bundle folder to create: model.onnx, model.json, "
                                 "predict.py and README.txt. It appears only when every check "
                                 "passes.")
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        out_row = QtWidgets.QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        self.opset = QtWidgets.QSpinBox()
        self.opset.setRange(MIN_OPSET, MAX_OPSET)
        self.opset.setValue(DEFAULT_OPSET)
        self.opset.setToolTip("ONNX operator set version; newer runtimes read newer opsets.")
        self.force = QtWidgets.QCheckBox("Replace the folder if it already holds files")
        self.allow_changed_data = QtWidgets.QCheckBox(
            "Export even if the run's data changed since training (recorded in the run)")
        form = QtWidgets.QFormLayout()
        form.addRow("Bundle folder", out_row)
        form.addRow("Opset", self.opset)
        form.addRow("", self.force)
        form.addRow("", self.allow_changed_data)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.status = QtWidgets.QLabel("Export writes the bundle only if every check passes.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.checks = self._table(["check", "result", "details"])
        self.latency = self._table(LATENCY_COLUMNS)
        self.export_button = QtWidgets.QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.setEnabled(has_weights)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QtWidgets.QPushButton("Cancel export")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QtWidgets.QPushButton("Open bundle folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_bundle)
        close = QtWidgets.QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.export_button, self.cancel_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.run_label)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(QtWidgets.QLabel("Checks"))
        layout.addWidget(self.checks, 2)
        layout.addWidget(QtWidgets.QLabel("Latency, median of repeated runs on this CPU"))
        layout.addWidget(self.latency, 1)
        layout.addLayout(buttons)

    @staticmethod
    def _table(headers: list[str]) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()  # headers readable before any row arrives
        return table

    # -- running -------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._job is not None

    def start_export(self) -> None:
        """Start the export on a background thread (no-op while one runs)."""
        from ui.workers import BackgroundCall
        from workbench.export.bundle import export_run

        if self.is_running():
            return
        out = self.out_edit.text().strip()
        if not out:
            self._show_failure("Choose a folder for the bundle.", {})
            return
        run_dir, out_dir = self.run_dir, Path(out).expanduser()
        opset, force, latency = self.opset.value(), self.force.isChecked(), self.measure_latency
        allow_changed = self.allow_changed_data.isChecked()
        self._cancel.clear()
        cancel, relay = self._cancel, self._relay

        def progress(stage: str) -> None:  # on the export thread
            if cancel.is_set():
                raise ExportCancelled("export cancelled; nothing was written")
            relay.stage.emit(stage)

        def work() -> dict[str, Any]:
            try:
                return export_run(run_dir, out_dir, opset=opset, force=force,
                                  measure_latency=latency, progress=progress,
                                  allow_changed_data=allow_changed)
            except ExportError as exc:
                return {"passed": False, "error": str(exc), **exc.report}

        self.report = None
        self.checks.setRowCount(0)
        self.latency.setRowCount(0)
        self._set_running(True)
        self.status.setStyleSheet("")
        self.status.setText("Starting the export…")
        self._job = BackgroundCall(work)
        self._job.worker.result.connect(self._on_result)
        self._job.worker.error.connect(self._on_error)
        self._job.thread.finished.connect(self._on_thread_finished)
        self._job.start()

    def cancel(self) -> None:
        """Stop the running export at its next stage; nothing is written."""
        if self.is_running():
            self._cancel.set()
            self.status.setText("Cancelling after the current stage…")

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the export thread has ended (tests, shutdown)."""
        return self._job is None or self._job.wait(timeout_ms)

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.export_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.out_edit.setEnabled(not running)
        self.opset.setEnabled(not running)
        self.force.setEnabled(not running)
        self.allow_changed_data.setEnabled(not running)
        if running:
            self.open_button.setEnabled(False)

    @QtCore.Slot(str)
    def _on_stage(self, stage: str) -> None:
        if not self._cancel.is_set():
            self.status.setText(f"{stage[:1].upper()}{stage[1:]}…")

    @QtCore.Slot(object)
    def _on_result(self, report: dict[str, Any]) -> None:
        self._fill_checks(report)
        if report.get("passed"):
            self.report = report
            self._fill_latency(report.get("latency", []))
            self.status.setStyleSheet("color: #1b7f3b;")
            self.status.setText(f"Bundle written to {report['out_dir']}: every check passed.")
            self.open_button.setEnabled(True)
            self.exported.emit(report)
        else:
            self._show_failure(report.get("error", "export failed"), report)

    @QtCore.Slot(str)
    def _on_error(self, message: str) -> None:
        self._show_failure(f"Export failed: {message}", {})

    def _show_failure(self, message: str, report: dict[str, Any]) -> None:
        self.status.setStyleSheet("color: #b3261e;")
        done = message.rstrip().endswith("nothing was written")
        self.status.setText(message if done else f"{message.rstrip('.')}. Nothing was written.")
        self.exportFailed.emit(message)

    @QtCore.Slot()
    def _on_thread_finished(self) -> None:
        self._job = None
        self._set_running(False)
        if self._close_when_done:
            super().reject()

    def _fill_checks(self, report: dict[str, Any]) -> None:
        rows = check_rows(report)
        self.checks.setRowCount(len(rows))
        for r, (name, ok, detail) in enumerate(rows):
            result = QtWidgets.QTableWidgetItem(PASSED if ok else FAILED)
            result.setForeground(QtGui.QColor("#1b7f3b" if ok else "#b3261e"))
            for c, item in enumerate((QtWidgets.QTableWidgetItem(name), result,
                                      QtWidgets.QTableWidgetItem(detail))):
                item.setToolTip(detail)
                self.checks.setItem(r, c, item)
        for column in (0, 1):  # the details column takes the rest (full text in the tooltip)
            self.checks.resizeColumnToContents(column)

    def _fill_latency(self, rows: list[dict[str, Any]]) -> None:
        self.latency.setRowCount(len(rows))
        for r, row in enumerate(rows):
            speedup = row.get("speedup")
            values = [str(row["batch"]), f"{row['torch_eager_ms']:.3f}",
                      f"{row['onnxruntime_ms']:.3f}",
                      f"{speedup:.2f}x" if speedup is not None else "–"]
            for c, value in enumerate(values):
                item = QtWidgets.QTableWidgetItem(value)
                item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                self.latency.setItem(r, c, item)
        self.latency.resizeColumnsToContents()

    # -- buttons -------------------------------------------------------------------------
    def _browse(self) -> None:
        current = Path(self.out_edit.text() or self.run_dir)
        folder = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Folder to hold the bundle", str(current.parent))
        if folder:
            self.out_edit.setText(str(Path(folder) / current.name))

    def _open_bundle(self) -> None:
        """Show the bundle in the file manager; where none can open it, say where it is (and
        put the path on the clipboard)."""
        if not self.report:
            return
        folder = str(self.report["out_dir"])
        if QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(folder)):
            return
        QtWidgets.QApplication.clipboard().setText(folder)
        self.status.setText(f"No file manager could open the bundle folder. It is at {folder} "
                            f"(the path is on the clipboard).")

    def reject(self) -> None:
        """Close; while an export runs, cancel it and close when its thread has ended."""
        if self.is_running():
            self._close_when_done = True
            self.cancel()
            return
        super().reject()


def open_export_dialog(run_dir: str | Path, parent: QtWidgets.QWidget | None = None
                       ) -> ExportDialog:
    """Show a non-modal ExportDialog for ``run_dir`` that deletes itself when closed."""
    dialog = ExportDialog(Path(run_dir), parent)
    dialog.setAttribute(QtCore.Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog
