"""Live training dashboard: loss, accuracy, learning rate, gradient norms, dead units, speed,
a layer histogram, and after the run the validation confusion matrix.

Data arrives through ``start_run / add_batches / add_epoch / set_histograms / finish_run``
(connected to a ``TrainingJob``'s signals by the training panel). Appends only fill buffers and
mark plots dirty; a ~30 Hz timer redraws dirty plots and stops itself when nothing changed.
The x axis is in epochs: a batch point sits at ``epoch + (batch+1)/batches``, an epoch's
summary at ``epoch + 1`` (epochs completed), so the health checks' 1-based epoch numbers line
up with the axis.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ui.panels.confusion_view import ConfusionView
from ui.panels.plot_histogram import HistogramPlot
from ui.panels.plot_live import LivePlot

TRAIN, VAL = (40, 110, 200), (230, 120, 20)
OVERLAY_COLORS = [(60, 160, 60), (170, 60, 170), (200, 50, 50), (90, 90, 90), (20, 160, 170)]
REDRAW_MS = 33          # fastest redraw: ~30 Hz
MAX_REDRAW_MS = 1000    # slowest redraw when painting is expensive
GUI_DUTY = 0.05         # painting may use at most this share of the GUI thread's time
LOG_PLOTS = ("loss", "lr", "grad_norm")
METRIC_PLOT = {"train_loss": "loss", "val_loss": "loss", "train_accuracy": "accuracy",
               "val_accuracy": "accuracy", "lr": "lr", "grad_norm": "grad_norm",
               "dead_fraction": "dead", "samples_per_second": "speed"}


def layer_color(index: int) -> Any:
    return pg.intColor(index, hues=9, values=1, maxValue=220)


class Dashboard(QtWidgets.QWidget):
    """The plots of one live run plus overlays of finished runs."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots: dict[str, LivePlot] = {
            "loss": LivePlot("Loss", y_label="loss"),
            "accuracy": LivePlot("Accuracy", y_label="accuracy", legend_bottom=True,
                                 y_range=(0.0, 1.0)),
            "grad_norm": LivePlot("Gradient norm per layer", y_label="L2 norm"),
            "dead": LivePlot("Dead units per layer", y_label="fraction", y_range=(0.0, 1.0)),
            "lr": LivePlot("Learning rate (per epoch)", y_label="lr", legend=False),
            "speed": LivePlot("Training throughput (per epoch)", y_label="samples/s",
                              legend=False),
        }
        for key in ("loss", "accuracy"):
            plot = self.plots[key]
            plot.add_curve("train_batch", "train (batch, smoothed)", (*TRAIN, 110),
                           width=1.0, smoothed=True)
            plot.add_curve("train_epoch", "train (epoch)", TRAIN, width=2.0, symbol="o")
            plot.add_curve("val_epoch", "validation (epoch)", VAL, width=2.0, symbol="s")
        self.plots["lr"].add_curve("lr", "learning rate (epoch)", (120, 60, 160), symbol="o")
        self.plots["speed"].add_curve("speed", "training samples/s (epoch)", (60, 140, 60),
                                      symbol="o")
        self.histogram = HistogramPlot()
        self.confusion = ConfusionView()
        self.status = QtWidgets.QLabel("No run yet. Press Start in the Training panel.")
        self._build_toolbar()
        grid = QtWidgets.QGridLayout()
        grid.setSpacing(4)
        order = ["loss", "accuracy", "grad_norm", "dead", "lr", "speed"]
        for i, key in enumerate(order):
            grid.addWidget(self.plots[key], i // 4, i % 4)
        grid.addWidget(self.histogram, 1, 2, 1, 2)
        curves = QtWidgets.QWidget()
        curves.setLayout(grid)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(curves, "Curves")
        self.tabs.addTab(self.confusion, "Validation metrics")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        self._layers: list[str] = []
        self._total_epochs = 0
        self.redraws = 0
        self._painted = 0.0
        self._pending_histograms: dict[str, Any] | None = None
        self._pending_status: str | None = None
        self._order = [*self.plots, "histogram"]
        self._last = self._order[-1]

    def _build_toolbar(self) -> None:
        self.log_box = QtWidgets.QCheckBox("Log scale")
        self.log_box.setToolTip("Logarithmic y axis for loss, learning rate and gradient norms: "
                                "shows slow late progress and gradients that differ by orders "
                                "of magnitude.")
        self.log_box.toggled.connect(self.set_log_scale)
        auto = QtWidgets.QPushButton("Auto-range")
        auto.setToolTip("Fit every plot to its data again after zooming or panning.")
        auto.clicked.connect(self.auto_range)
        csv_button = QtWidgets.QPushButton("Export CSV…")
        csv_button.setToolTip("Save every curve's points (plot, curve, x, y) to a CSV file.")
        csv_button.clicked.connect(self._ask_csv)
        png_button = QtWidgets.QToolButton()
        png_button.setText("Export PNG")
        png_button.setToolTip("Save one plot, or the whole dashboard, as a PNG image.")
        png_button.setPopupMode(QtWidgets.QToolButton.InstantPopup)
        menu = QtWidgets.QMenu(png_button)
        menu.addAction("Whole dashboard…", lambda: self._ask_png(None))
        for key, plot in self.plots.items():
            menu.addAction(f"{plot.title}…", lambda k=key: self._ask_png(k))
        menu.addAction("Layer histogram…", lambda: self._ask_png("histogram"))
        png_button.setMenu(menu)
        self.toolbar = QtWidgets.QHBoxLayout()
        for widget in (self.log_box, auto, csv_button, png_button):
            self.toolbar.addWidget(widget)
        self.toolbar.addStretch(1)

    # live data -------------------------------------------------------------------------------
    def start_run(self, info: dict[str, Any]) -> None:
        """A new live run: clear its curves (overlays stay) and show what is training."""
        for plot in self.plots.values():
            plot.clear_data(keep_prefix="overlay:")
            plot.remove_curves("layer:")
            plot.set_regions([])
        self._layers = []
        self.histogram.clear()
        self.confusion.clear()
        config = info.get("config", {})
        self._total_epochs = int(config.get("epochs", 0))
        self.status.setText(f"Training on {info.get('device', '?')}: {info.get('num_train', 0)}"
                            f" training / {info.get('num_val', 0)} validation samples, "
                            f"{info.get('batches_per_epoch', 0)} batches per epoch")
        self._schedule()

    def add_batches(self, points: list[dict[str, Any]]) -> None:
        if not points:
            return
        xs = [p["x"] for p in points]
        for key in ("loss", "accuracy"):
            self.plots[key].extend("train_batch", xs, [p[key] for p in points])
        self._schedule()

    def add_epoch(self, metrics: dict[str, Any]) -> None:
        x = metrics["x"]
        for key in ("loss", "accuracy"):
            self.plots[key].append("train_epoch", x, metrics.get(f"train_{key}"))
            self.plots[key].append("val_epoch", x, metrics.get(f"val_{key}"))
        # the lr point sits at the epoch's start (it applied to the whole epoch)
        self.plots["lr"].append("lr", x - 1, metrics.get("lr"))
        self.plots["speed"].append("speed", x, metrics.get("samples_per_second"))
        for plot_key, metric in (("grad_norm", "grad_norm"), ("dead", "dead_fraction")):
            for layer, value in (metrics.get(metric) or {}).items():
                self._layer_curve(plot_key, layer)
                self.plots[plot_key].append(f"layer:{layer}", x, value)
        total = f"/{self._total_epochs}" if self._total_epochs else ""
        self._pending_status = (
            f"Epoch {metrics['epoch'] + 1}{total}: train loss {metrics.get('train_loss', 0):.4g}"
            f", val loss {metrics.get('val_loss', 0):.4g}, val accuracy "
            f"{metrics.get('val_accuracy', 0):.1%}, {metrics.get('samples_per_second', 0):,.0f}"
            f" samples/s")
        self._schedule()

    def _layer_curve(self, plot_key: str, layer: str) -> None:
        if layer not in self._layers:
            self._layers.append(layer)
        color = layer_color(self._layers.index(layer))
        self.plots[plot_key].add_curve(f"layer:{layer}", layer, color, symbol="o")

    def set_histograms(self, payload: dict[str, Any]) -> None:
        """Keep the latest histograms; drawn at the next paced frame."""
        self._pending_histograms = payload
        self._schedule()

    def finish_run(self, summary: dict[str, Any]) -> None:
        """Final metrics and the confusion matrix; the last points are drawn by the paced
        ticks at full rate (the training thread no longer needs the GIL)."""
        self._pending_status = None
        self._catch_up()
        evaluation = summary.get("evaluation") or {}
        if "confusion" in evaluation:
            self.confusion.set_report(evaluation)
        elif evaluation.get("error"):
            self.confusion.show_error(evaluation["error"])
        reason = summary.get("stopped_reason", "?")
        acc = summary.get("val_accuracy")
        acc_text = f", val accuracy {acc:.1%}" if isinstance(acc, (int, float)) else ""
        self.status.setText(f"Finished ({reason}) after {summary.get('epochs_run', 0)} epochs"
                            f"{acc_text}.")

    def fail_run(self, message: str) -> None:
        self._pending_status = None
        self._catch_up()
        self.status.setText(f"Run failed: {message.splitlines()[0] if message else ''}")

    # past runs -------------------------------------------------------------------------------
    def set_overlays(self, runs: list[tuple[str, list[dict[str, Any]]]]) -> None:
        """Overlay finished runs' per-epoch train/val loss and accuracy (dashed / dotted)."""
        for key in ("loss", "accuracy"):
            self.plots[key].remove_curves("overlay:")
        for i, (label, records) in enumerate(runs):
            color = OVERLAY_COLORS[i % len(OVERLAY_COLORS)]
            epochs = [r for r in records if r.get("kind", "epoch") == "epoch" and "epoch" in r]
            xs = [r["epoch"] + 1 for r in epochs]
            for key in ("loss", "accuracy"):
                plot = self.plots[key]
                for split, style in (("train", QtCore.Qt.DotLine), ("val", QtCore.Qt.DashLine)):
                    curve_key = f"overlay:{label}:{split}"
                    plot.add_curve(curve_key, f"{label} {split}", color, width=2.0, style=style)
                    plot.extend(curve_key, xs, [r.get(f"{split}_{key}") for r in epochs])
        self._schedule()

    # evidence --------------------------------------------------------------------------------
    def highlight(self, evidence: dict[str, Any] | None) -> None:
        """Shade the epochs and emphasize the layer a health finding points at; None clears."""
        for plot in self.plots.values():
            plot.set_regions([])
            plot.emphasize(None)
        if not evidence:
            return
        spans: list[tuple[float, float]] = []
        if isinstance(evidence.get("epochs"), list) and len(evidence["epochs"]) == 2:
            first, last = evidence["epochs"]
            spans.append((float(first) - 1.0, float(last)))
        elif isinstance(evidence.get("epoch"), int):
            spans.append((float(evidence["epoch"]), float(evidence["epoch"]) + 1.0))
        targets = {METRIC_PLOT[m] for m in evidence.get("metrics", []) if m in METRIC_PLOT}
        layer = evidence.get("layer")
        for key in targets or {"loss"}:
            if spans:
                self.plots[key].set_regions(spans)
        if layer:
            for key in ("grad_norm", "dead"):
                if f"layer:{layer}" in self.plots[key].curves:
                    self.plots[key].emphasize({f"layer:{layer}"})
            self.histogram.select_layer(layer)
        self.tabs.setCurrentIndex(0)

    # view ------------------------------------------------------------------------------------
    def set_log_scale(self, on: bool) -> None:
        for key in LOG_PLOTS:
            self.plots[key].set_log_y(on)

    def auto_range(self) -> None:
        for plot in self.plots.values():
            plot.auto_range()
        self.histogram.plot.autoRange()

    def _catch_up(self) -> None:
        self._timer.setInterval(REDRAW_MS)
        self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _redraw(self) -> None:
        """One paced tick: redraw the next dirty plot (round-robin), so a tick costs one
        plot's paint, not the whole dashboard's; then set the next interval from its cost."""
        start = time.perf_counter()
        if self._pending_status is not None:
            self.status.setText(self._pending_status)
            self._pending_status = None
        pending = [k for k in self._order if self._is_dirty(k)]
        if not pending:
            self._timer.stop()
            return
        later = [k for k in pending if self._order.index(k) > self._order.index(self._last)]
        key = (later or pending)[0]
        self._draw(key)
        self._last = key
        self.redraws += 1
        painted = self._paint_total()
        cost = (painted - self._painted) + (time.perf_counter() - start)
        self._painted = painted
        interval = min(max(cost / GUI_DUTY * 1000.0, REDRAW_MS), MAX_REDRAW_MS)
        self._timer.setInterval(int(interval))

    def redraw_all(self) -> None:
        """Bring every plot up to date now (end of run, exports)."""
        for key in self._order:
            if self._is_dirty(key):
                self._draw(key)
        if self._pending_status is not None:
            self.status.setText(self._pending_status)
            self._pending_status = None

    def _is_dirty(self, key: str) -> bool:
        if key == "histogram":
            return self._pending_histograms is not None
        return self.plots[key].dirty

    def _draw(self, key: str) -> None:
        if key == "histogram":
            payload, self._pending_histograms = self._pending_histograms, None
            if payload is not None:
                self.histogram.set_histograms(payload)
        else:
            self.plots[key].refresh()

    def _paint_total(self) -> float:
        return sum(p.paint_seconds for p in self.plots.values()) + \
            self.histogram.plot.paint_seconds

    @property
    def redraw_interval_ms(self) -> int:
        return self._timer.interval()

    # export ----------------------------------------------------------------------------------
    def export_csv(self, path: str | Path) -> int:
        """Write every curve as rows (plot, curve, x, y); returns the number of points."""
        count = 0
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["plot", "curve", "x", "y"])
            for plot_key, plot in self.plots.items():
                for curve_key, series in plot.series.items():
                    xs, ys = series.data()
                    for x, y in zip(xs.tolist(), ys.tolist()):
                        writer.writerow([plot_key, curve_key, f"{x:.6g}", f"{y:.8g}"])
                        count += 1
        return count

    def export_png(self, path: str | Path, plot: str | None = None) -> None:
        """Save one plot (a key of ``plots`` or "histogram") or the whole dashboard."""
        self.redraw_all()
        widget: QtWidgets.QWidget = self
        if plot == "histogram":
            widget = self.histogram
        elif plot is not None:
            if plot not in self.plots:
                raise KeyError(f"no plot '{plot}'; plots: {', '.join(self.plots)}, histogram")
            widget = self.plots[plot]
        if not widget.grab().save(str(path), "PNG"):
            raise OSError(f"could not write the image {path}")

    def _ask_csv(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export curves", "curves.csv",
                                                        "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def _ask_png(self, plot: str | None) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export plot", "plot.png",
                                                        "PNG images (*.png)")
        if path:
            self.export_png(path, plot)
