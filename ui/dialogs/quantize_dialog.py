"""The "Quantize" dialog: an int8 variant of a float run with ONNX Runtime
(``workbench.compress.quantize.quantize_run``, the call ``workbench quantize`` makes), listed
under the run as quantized-from.

It offers the CLI's settings: mode (static / dynamic), format (QDQ, QOperator, or measure every
format on this machine), activation x weight types, calibration (MinMax / Entropy / Percentile)
on N training samples, per-channel weights, the accuracy drop allowed and the latency threads.
After the job it shows the measured formats table (float32 first; the recommended row in bold),
the recommendation and why, the nodes kept in float, and the variant written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.dialogs.compress_dialog import CompressDialog, number_item

TIPS = {
    "mode": "static: activations calibrated on training samples (usually faster); dynamic: "
            "int8 weights, activations quantized on the fly (no calibration).",
    "fmt": "QDQ: float model with Quantize/DequantizeLinear pairs; QOperator: int8 operators. "
           "Measure every format: try them all (and dynamic) on this machine and recommend the "
           "fastest that keeps accuracy — int8 is not always faster.",
    "types": "activations x weights: U8S8 (usual on x86) or S8S8 (dynamic: the weights' "
             "type).",
    "calibration": "How the activations' ranges are found on the calibration samples.",
    "samples": "Training samples used for calibration (with the run's saved preprocessing).",
    "per_channel": "One scale per output channel of each weight (more accurate), instead of "
                   "one per tensor.",
    "first_float": "Keep the first layer (and what comes before the second) in float: a "
                   "first convolution over few channels is often slower in int8. 'Measure "
                   "every format' tries both.",
    "max_drop": "Largest accuracy drop allowed, in accuracy points (regression: % MAE "
                "increase); beyond it the most sensitive nodes are kept in float.",
    "threads": "onnxruntime intra-op threads for the latency figures (pinned).",
}
FORMAT_TEXT = {"qdq": "QDQ", "qoperator": "QOperator", "auto": "measure every format"}
COLUMNS = ["model", "val", "drop", "size KB", "b1 ms", "b64 ms", "× b1", "× b64"]


class QuantizeDialog(CompressDialog):
    """Quantize the run at ``run_dir``; ``variantCreated(report)`` when the variant exists."""

    title = "Quantize Run (int8)"
    start_text = "Quantize"

    def __init__(self, run_dir: str, parent: QtWidgets.QWidget | None = None) -> None:
        from workbench.compress.onnx_quantize import CALIBRATIONS, MODES, TYPES
        from workbench.compress.quantize import DEFAULT_SAMPLES

        super().__init__(run_dir, parent)
        self.mode = QtWidgets.QComboBox()
        for mode in MODES:
            self.mode.addItem(mode, mode)
        self.fmt = QtWidgets.QComboBox()
        for fmt in ("qdq", "qoperator", "auto"):
            self.fmt.addItem(FORMAT_TEXT[fmt], fmt)
        self.types = QtWidgets.QComboBox()
        for types in TYPES:
            self.types.addItem(types, types)
        self.calibration = QtWidgets.QComboBox()
        for calibration in CALIBRATIONS:
            self.calibration.addItem(calibration, calibration)
        self.samples = QtWidgets.QSpinBox()
        self.samples.setRange(1, 1_000_000)
        self.samples.setValue(DEFAULT_SAMPLES)
        self.per_channel = QtWidgets.QCheckBox("per output channel")
        self.per_channel.setChecked(True)
        self.first_float = QtWidgets.QCheckBox("first layer in float")
        self.max_drop = QtWidgets.QDoubleSpinBox()
        self.max_drop.setRange(0.0, 100.0)
        self.max_drop.setDecimals(2)
        self.max_drop.setSingleStep(0.1)
        self.max_drop.setValue(0.5)
        self.threads = QtWidgets.QSpinBox()
        self.threads.setRange(1, 64)
        for name, label in (("mode", "Mode"), ("fmt", "Format"), ("types", "Types"),
                            ("calibration", "Calibration"),
                            ("samples", "Calibration samples"),
                            ("per_channel", "Weight scales"),
                            ("first_float", "First layer"),
                            ("max_drop", "Accuracy drop allowed"),
                            ("threads", "Latency threads")):
            widget = getattr(self, name)
            widget.setObjectName(name)
            widget.setToolTip(TIPS[name])
            self.form.addRow(label, widget)
        for combo in (self.mode, self.fmt):
            combo.currentIndexChanged.connect(lambda _i: self.refresh_form())
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setToolTip("Measured here with onnxruntime: drop in accuracy points vs "
                              "float32; ×: speed-up vs float32. Bold: the recommendation.")
        self.recommendation = QtWidgets.QLabel()
        self.recommendation.setObjectName("recommendation")
        self.recommendation.setWordWrap(True)
        self.recommendation.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.result_layout.addWidget(self.table)
        self.result_layout.addWidget(self.recommendation)
        self._show_header()
        self.refresh_buttons()
        self.resize(700, 700)

    def _show_header(self) -> None:
        if self.run is None:
            self.header.setText("<b>Run</b> (none)")
            return
        accuracy = (self.run.read_summary() or {}).get("val_accuracy")
        self.header.setText(f"<b>Run</b> {self.run.path.name}" + (
            f" · float32 val accuracy {accuracy:.4g}" if isinstance(accuracy, (int, float))
            else ""))

    def refresh_form(self) -> None:
        auto = self.fmt.currentData() == "auto"
        static = self.mode.currentData() == "static"
        self.mode.setEnabled(not auto)
        self.types.setEnabled(not auto)  # dynamic: the weights' type
        self.calibration.setEnabled(auto or static)
        self.samples.setEnabled(auto or static)
        self.first_float.setEnabled(static and not auto)
        self.fmt.setToolTip(TIPS["fmt"] + ("" if static or auto else
                                           " (dynamic mode writes QOperator)"))

    # the job ---------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The CLI's options, as ``quantize_run`` takes them."""
        return {"mode": self.mode.currentData(), "fmt": self.fmt.currentData(),
                "types": self.types.currentData(), "per_channel": self.per_channel.isChecked(),
                "calibration": self.calibration.currentData(), "samples": self.samples.value(),
                "max_accuracy_drop": self.max_drop.value(), "threads": self.threads.value(),
                "first_float": self.first_float.isChecked() and self.first_float.isEnabled(),
                "repeats": self.repeats}

    def make_work(self) -> Callable[[Callable[[str], None]], dict[str, Any]]:
        from workbench.compress.quantize import quantize_run

        run_dir, settings = str(self.run.path), self.settings()
        return lambda progress: quantize_run(run_dir, progress=progress, **settings)

    def show_result(self, report: dict[str, Any]) -> None:
        key = "val_mae" if report["task"] == "regression" else "val_accuracy"
        self.table.setHorizontalHeaderItem(1, QtWidgets.QTableWidgetItem(
            "val MAE" if key == "val_mae" else "val acc"))
        rows = report["formats"]
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            bold = row["label"] == report["recommend"]
            drop = "–" if row["drop"] is None else f"{row['drop']:.2f}"
            cells = [f"{row[key]:.4g}", drop, f"{row['file_bytes'] / 1024:.1f}",
                     f"{row['latency_ms']['1']:.3f}", f"{row['latency_ms']['64']:.3f}",
                     f"{row['speedup']['1']:.2f}", f"{row['speedup']['64']:.2f}"]
            name = number_item(row["label"], bold)
            name.setTextAlignment(QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter)
            self.table.setItem(r, 0, name)
            for c, text in enumerate(cells, start=1):
                self.table.setItem(r, c, number_item(text, bold))
        self.table.resizeColumnsToContents()
        lines = [f"<b>Recommendation:</b> {report['recommend']} — {report['reason']}"]
        kept = report.get("nodes_in_float") or []
        lines.append("Kept in float (most sensitive): " + (", ".join(kept) if kept else
                                                            "none"))
        if report["file_bytes"] >= report["float_file_bytes"]:
            lines.append("The int8 file is not smaller than float32 (scales and zero points "
                         "outweigh the weights of so small a network).")
        if not report["within_threshold"]:
            lines.append(f"<span style='color:#c62828'>{report['chosen']} loses "
                         f"{report['accuracy_drop']} {report['drop_unit']}, more than "
                         f"allowed.</span>")
        lines.append(f"int8 variant ({report['chosen']}) written to {report['run_dir']}")
        self.recommendation.setText("<br>".join(lines))
