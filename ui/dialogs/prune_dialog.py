"""The "Prune" dialog: structured pruning of a run (``workbench.compress.prune_run.prune_run``,
the call ``workbench prune`` makes) into a smaller run listed under it as pruned-from.

It offers the CLI's settings (method, ratio, per-layer or global scope, steps, fine-tuning
epochs and learning rate, latency threads), shows the network's parameters and MACs before and
the predicted after: the core's ``prune_network`` run on the run's weights, loaded off the GUI
thread (l1 scores stand in for taylor; several steps reach about the same final size). A ratio
the core refuses (one that removes every channel of a layer) shows the core's message and
disables Prune. After the job: before / after with measured accuracy, size and latency, and
the runs written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.dialogs.compress_dialog import CompressDialog, number_item

TIPS = {
    "method": "How unimportant channels are found: l1 / l2 norm of their weights (BatchNorm "
              "folded in), or taylor: |w · dL/dw| on training samples.",
    "ratio": "Fraction of the prunable Conv channels and Linear units to remove (the layer "
             "feeding the Output is never pruned).",
    "scope": "Per layer: the ratio in every dependency group. Global: across the network, "
             "scores normalized per group (some layers lose more than others).",
    "steps": "Reach the ratio in N prune → fine-tune rounds (each round is a run).",
    "finetune": "Train each pruned network for this many epochs with the run's settings "
                "(a fine-tuned-from run under the pruned one); 0: no training.",
    "lr": "Fine-tuning learning rate; 0 uses the run's.",
    "threads": "onnxruntime intra-op threads for the latency figures (pinned).",
}
METHOD_TEXT = {"l1": "L1 norm", "l2": "L2 norm", "taylor": "Taylor (|w · grad|)"}


def _counts(before: dict[str, int], after: dict[str, int]) -> str:
    def part(key: str, label: str) -> str:
        cut = 1 - after[key] / before[key] if before[key] else 0.0
        return f"{after[key]:,} {label} (−{cut:.1%})"

    return f"{part('params', 'parameters')}, {part('macs', 'MACs')}"


class PruneDialog(CompressDialog):
    """Prune the run at ``run_dir``; ``variantCreated(report)`` when the runs are written."""

    title = "Prune Run"
    start_text = "Prune"
    previewed = QtCore.Signal(str)  # the predicted-after text (or the core's refusal)

    def __init__(self, run_dir: str, parent: QtWidgets.QWidget | None = None) -> None:
        from workbench.compress.prune import METHODS, SCOPES

        super().__init__(run_dir, parent)
        self.before: dict[str, int] | None = None
        self.state: dict[str, Any] | None = None
        self.preview_problem = ""
        self.method = QtWidgets.QComboBox()
        for method in METHODS:
            self.method.addItem(METHOD_TEXT.get(method, method), method)
        self.ratio = QtWidgets.QDoubleSpinBox()
        self.ratio.setRange(0.01, 1.0)
        self.ratio.setSingleStep(0.05)
        self.ratio.setDecimals(2)
        self.ratio.setValue(0.5)
        self.scope = QtWidgets.QComboBox()
        for scope in SCOPES:
            self.scope.addItem({"layer": "per layer", "global": "global"}.get(scope, scope),
                               scope)
        self.steps = QtWidgets.QSpinBox()
        self.steps.setRange(1, 20)
        self.finetune = QtWidgets.QSpinBox()
        self.finetune.setRange(0, 1000)
        self.lr = QtWidgets.QDoubleSpinBox()
        self.lr.setRange(0.0, 10.0)
        self.lr.setDecimals(5)
        self.lr.setSingleStep(0.0005)
        self.lr.setSpecialValueText("the run's")
        self.threads = QtWidgets.QSpinBox()
        self.threads.setRange(1, 64)
        self.after = QtWidgets.QLabel("after: loading the run's weights…")
        self.after.setObjectName("after")
        self.after.setWordWrap(True)
        for name, label in (("method", "Importance"), ("ratio", "Ratio to remove"),
                            ("scope", "Scope"), ("steps", "Steps"),
                            ("finetune", "Fine-tuning epochs per step"),
                            ("lr", "Fine-tuning learning rate"),
                            ("threads", "Latency threads")):
            widget = getattr(self, name)
            widget.setObjectName(name)
            widget.setToolTip(TIPS[name])
            self.form.addRow(label, widget)
        self.form.addRow("Predicted", self.after)
        self.finetune.valueChanged.connect(lambda _v: self.refresh_form())
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.update_preview)
        for signal in (self.ratio.valueChanged, self.scope.currentIndexChanged,
                       self.method.currentIndexChanged, self.steps.valueChanged):
            signal.connect(lambda *_: self._timer.start())
        self.table = QtWidgets.QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(["", "val", "params", "MACs", "size KB",
                                              "b1 ms", "b64 ms"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.summary = QtWidgets.QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.result_layout.addWidget(self.table)
        self.result_layout.addWidget(self.summary)
        self._show_header()
        self._load_weights()
        self.refresh_buttons()
        self.resize(620, 560)

    # before / predicted after ----------------------------------------------------------------
    def _show_header(self) -> None:
        from workbench.graph.shape_inference import analyze
        from workbench.graph.spec import GraphSpec

        if self.run is None:
            self.header.setText("<b>Run</b> (none)")
            return
        accuracy = (self.run.read_summary() or {}).get("val_accuracy")
        text = f"<b>Run</b> {self.run.path.name}" + (
            f" · val accuracy {accuracy:.4g}" if isinstance(accuracy, (int, float)) else "")
        try:
            analysis = analyze(GraphSpec.from_dict(self.run.config["graph"]))
            self.before = {"params": int(analysis.total_params),
                           "macs": int(analysis.total_macs)}
            text += (f"<br>before: {self.before['params']:,} parameters, "
                     f"{self.before['macs']:,} MACs")
        except (KeyError, ValueError, TypeError) as exc:
            self.problem = self.problem or f"the run's network cannot be read: {exc}"
            self.show_message(self.problem)
        self.header.setText(text)

    def _load_weights(self) -> None:
        from ui.workers import BackgroundCall

        if self.problem:
            self.after.setText("after: –")
            return
        run = self.run
        self._loader = BackgroundCall(lambda: run.load_weights()[0])
        self._loader.worker.result.connect(self._on_weights)
        self._loader.worker.error.connect(self._on_weights_error)
        self._loader.start()

    def _on_weights(self, state: dict[str, Any]) -> None:
        self.state = state
        self.update_preview()

    def _on_weights_error(self, message: str) -> None:
        self.after.setText("after: – (the weights could not be read)")
        self.problem = f"cannot read the run's weights: {message}"
        self.show_message(self.problem)
        self.refresh_buttons()

    def update_preview(self) -> str:
        """Prune the run's weights with the current settings (nothing written) and show the
        predicted parameters and MACs, or the core's refusal."""
        from workbench.compress.errors import CompressError
        from workbench.compress.prune import prune_network
        from workbench.graph.spec import GraphSpec

        if self.state is None or self.run is None:
            return self.after.text()
        method = self.method.currentData()
        try:
            result = prune_network(GraphSpec.from_dict(self.run.config["graph"]), self.state,
                                   self.ratio.value(), "l1" if method == "taylor" else method,
                                   self.scope.currentData())
        except CompressError as exc:
            self.preview_problem = " ".join(str(exc).split())
            self.after.setText("after: –")
        else:
            self.preview_problem = ""
            self.after.setText("after: " + _counts(result.before, result.after) + (
                " (l1 scores stand in for taylor)" if method == "taylor" else ""))
        if not self.is_running():
            self.show_message(self.problem or self.preview_problem)
        self.refresh_buttons()
        self.previewed.emit(self.preview_problem or self.after.text())
        return self.preview_problem or self.after.text()

    def settings_problem(self) -> str:
        return self.preview_problem

    def refresh_form(self) -> None:
        self.lr.setEnabled(self.finetune.value() > 0)

    def wait_preview(self, timeout_ms: int = 30_000) -> bool:
        """Block until the weights are loaded (tests)."""
        loader = getattr(self, "_loader", None)
        return loader is None or loader.wait(timeout_ms)

    # the job ---------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The CLI's options, as ``prune_run`` takes them."""
        return {"ratio": round(self.ratio.value(), 4), "method": self.method.currentData(),
                "scope": self.scope.currentData(), "steps": self.steps.value(),
                "finetune_epochs": self.finetune.value(),
                "finetune_lr": self.lr.value() if self.finetune.value() and self.lr.value()
                else None,
                "threads": self.threads.value(), "repeats": self.repeats}

    def make_work(self) -> Callable[[Callable[[str], None]], dict[str, Any]]:
        from workbench.compress.prune_run import prune_run

        run_dir, settings = str(self.run.path), self.settings()
        return lambda progress: prune_run(run_dir, progress=progress, **settings)

    def show_result(self, report: dict[str, Any]) -> None:
        key = "val_mae" if report["task"] == "regression" else "val_accuracy"
        self.table.setHorizontalHeaderItem(1, QtWidgets.QTableWidgetItem(
            "val MAE" if key == "val_mae" else "val acc"))
        self.table.setRowCount(2)
        for row, (label, prefix) in enumerate((("original", "original_"), ("pruned", ""))):
            self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(label))
            cells = [f"{report[prefix + key]:.4g}", f"{report[prefix + 'params']:,}",
                     f"{report[prefix + 'macs']:,}",
                     f"{report[prefix + 'file_bytes'] / 1024:.1f}",
                     f"{report[prefix + 'latency_ms']['1']:.3f}",
                     f"{report[prefix + 'latency_ms']['64']:.3f}"]
            for col, text in enumerate(cells, start=1):
                self.table.setItem(row, col, number_item(text, bold=row == 1))
        self.table.resizeColumnsToContents()
        speedup = report["speedup"]
        runs = "<br>".join(f"{r['relation']}: {r['run_dir']}" for r in report["runs"])
        self.summary.setText(
            f"MACs −{report['macs_reduction']:.1%}, parameters −{report['params_reduction']:.1%}"
            f"; speed-up ×{speedup['1']} at batch 1, ×{speedup['64']} at batch 64 "
            f"(onnxruntime CPU, {report['threads']} thread(s)).<br>Runs written:<br>{runs}")
