"""Live training dashboard: loss, accuracy (classification) or MAE and R² (regression),
learning rate, gradient norms, dead units, speed, a layer histogram, and after the run the
validation confusion matrix (classification) or error summary (regression).

Data arrives through ``start_run / add_batches / add_epoch / set_histograms / finish_run``
(connected to a ``TrainingJob``'s signals by the training panel). Appends only fill buffers and
mark plots dirty; a ~30 Hz timer redraws dirty plots and stops itself when nothing changed.
The x axis is in epochs: a batch point sits at ``epoch + (batch+1)/batches``, an epoch's
summary at ``epoch + 1`` (epochs completed), so the health checks' 1-based epoch numbers line
up with the axis.

Plots sit in cards (plot + legend below it, so legends never cover curves) in a grid that
reflows to the dock's width (no horizontal scrolling). ``set_overlays`` draws finished runs on
every plot (``dashboard_overlays``); ``reset`` clears the dashboard when another project opens.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ui.panels.confusion_view import ConfusionView
from ui.panels.dashboard_overlays import PREFIX, draw_overlays
from ui.panels.dashboard_terms import TERM, add_live_terms, draw_term_overlays, has_points
from ui.panels.plot_grid import PlotCard, PlotGrid
from ui.panels.plot_histogram import HistogramPlot
from ui.panels.plot_live import LivePlot

TRAIN, VAL = (40, 110, 200), (230, 120, 20)
REDRAW_MS = 33          # fastest redraw: ~30 Hz
MAX_REDRAW_MS = 1000    # slowest redraw when painting is expensive
GUI_DUTY = 0.05         # painting may use at most this share of the GUI thread's time
LOG_PLOTS = ("loss", "terms", "lr", "grad_norm")
METRIC_PLOT = {"train_loss": "loss", "val_loss": "loss", "train_accuracy": "accuracy",
               "val_accuracy": "accuracy", "train_mae": "mae", "val_mae": "mae",
               "val_rmse": "mae", "val_r2": "r2", "lr": "lr", "grad_norm": "grad_norm",
               "dead_fraction": "dead", "samples_per_second": "speed"}
TASK_PLOTS = {"classification": ("accuracy",), "regression": ("mae", "r2")}
PLOT_ORDER = ("loss", "terms", "accuracy", "mae", "r2", "lr", "grad_norm", "dead", "speed")
IDLE_STATUS = "No run yet. Press Train (F5) to start one."


def _number(value: Any, fmt: str) -> str | None:
    return format(value, fmt) if isinstance(value, (int, float)) and \
        not isinstance(value, bool) else None


def metrics_text(metrics: dict[str, Any], prefix: str = "val") -> str:
    """'val loss 0.41, val accuracy 87.0%' or the regression errors; missing values left out."""
    parts = [(f"{prefix} loss", _number(metrics.get(f"{prefix}_loss"), ".4g")),
             (f"{prefix} accuracy", _number(metrics.get(f"{prefix}_accuracy"), ".1%")),
             (f"{prefix} MAE", _number(metrics.get(f"{prefix}_mae"), ".4g")),
             (f"{prefix} R²", _number(metrics.get(f"{prefix}_r2"), ".3f"))]
    return ", ".join(f"{name} {text}" for name, text in parts if text is not None)


def layer_color(index: int) -> Any:
    return pg.intColor(index, hues=9, values=1, maxValue=220)


class Dashboard(QtWidgets.QWidget):
    """The plots of one live run plus overlays of finished runs."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots: dict[str, LivePlot] = {
            "loss": LivePlot("Loss", y_label="loss"),
            "terms": LivePlot("Loss terms (train)", y_label="loss"),
            "accuracy": LivePlot("Accuracy", y_label="accuracy", y_range=(0.0, 1.0)),
            "mae": LivePlot("MAE (target units)", y_label="MAE"),
            "r2": LivePlot("R² (validation)", y_label="R²"),
            "grad_norm": LivePlot("Gradient norm / layer", y_label="L2 norm"),
            "dead": LivePlot("Dead units / layer", y_label="fraction", y_range=(0.0, 1.0)),
            "lr": LivePlot("Learning rate", y_label="lr"),
            "speed": LivePlot("Throughput", y_label="samples/s"),
        }
        for key in ("loss", "accuracy"):
            self.plots[key].add_curve("train_batch", "train (batch, smoothed)", (*TRAIN, 110),
                                      width=1.0, smoothed=True)
        for key in ("loss", "accuracy", "mae"):
            plot = self.plots[key]
            plot.add_curve("train_epoch", "train (epoch)", TRAIN, width=2.0, symbol="o")
            plot.add_curve("val_epoch", "validation (epoch)", VAL, width=2.0, symbol="s")
        self.plots["r2"].add_curve("val_epoch", "validation (epoch)", VAL, width=2.0,
                                   symbol="s")
        self.plots["lr"].add_curve("lr", "learning rate (epoch)", (120, 60, 160), symbol="o")
        self.plots["speed"].add_curve("speed", "training samples/s (epoch)", (60, 140, 60),
                                      symbol="o")
        self.cards = {key: PlotCard(plot) for key, plot in self.plots.items()}
        self.histogram = HistogramPlot()
        self.confusion = ConfusionView()
        self.status = QtWidgets.QLabel(IDLE_STATUS)
        self.status.setWordWrap(True)
        self._build_toolbar()
        self.grid = PlotGrid()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.grid, "Curves")
        self.tabs.addTab(self.confusion, "Validation metrics")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self.live = False                 # a run is training (start_run .. finish/fail)
        self.live_task: str | None = None
        self.overlay_tasks: set[str] = set()
        self.task = ""
        self.set_task("classification")
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

    # task and layout -----------------------------------------------------------------------
    def set_task(self, task: str) -> None:
        """Show the plots of this task ('classification': accuracy; 'regression': MAE and
        R²); with compared runs of both kinds listed, both kinds of plot show."""
        tasks = {task} | self.overlay_tasks
        visible = {"loss", "lr", "grad_norm", "dead", "speed"}
        if has_points(self.plots["terms"]):  # an objective logs parts of its loss
            visible.add("terms")
        for name in tasks:
            visible.update(TASK_PLOTS.get(name, ()))
        self.task = task
        widgets: list[QtWidgets.QWidget] = [self.cards[k] for k in PLOT_ORDER if k in visible]
        self.grid.set_widgets([*widgets, self.histogram])
        self.tabs.setTabText(1, "Validation errors" if tasks == {"regression"}
                             else "Validation metrics")

    def visible_plots(self) -> list[str]:
        return [k for k, card in self.cards.items() if card in self.grid.widgets]

    def _update_task(self) -> None:
        """The task of the run whose live curves are shown, else of the compared runs."""
        self.set_task(self.live_task or (sorted(self.overlay_tasks)[0] if self.overlay_tasks
                                         else "classification"))

    # live data -------------------------------------------------------------------------------
    def start_run(self, info: dict[str, Any]) -> None:
        """A new live run: clear its curves (overlays stay) and show what is training."""
        self._clear_live()
        self.live = True
        self.live_task = info.get("task") or "classification"
        self._update_task()
        config = info.get("config", {})
        self._total_epochs = int(config.get("epochs", 0))
        target = f" (target: {info['target']})" if info.get("target") else ""
        self.status.setText(f"Training on {info.get('device', '?')}: {info.get('num_train', 0)}"
                            f" training / {info.get('num_val', 0)} validation samples, "
                            f"{info.get('batches_per_epoch', 0)} batches per epoch{target}")
        self._schedule()

    def _clear_live(self) -> None:
        for plot in self.plots.values():
            plot.clear_data(keep_prefix=PREFIX)
            plot.remove_curves("layer:")
            plot.remove_curves(TERM)
            plot.set_regions([])
        self._layers = []
        self.histogram.clear()
        self.confusion.clear()

    def add_batches(self, points: list[dict[str, Any]]) -> None:
        if not points:
            return
        xs = [p["x"] for p in points]
        self.plots["loss"].extend("train_batch", xs, [p.get("loss") for p in points])
        accuracy = [p.get("accuracy") for p in points]
        if any(a is not None for a in accuracy):
            self.plots["accuracy"].extend("train_batch", xs, accuracy)
        self._schedule()

    def add_epoch(self, metrics: dict[str, Any]) -> None:
        x = metrics["x"]
        if self.live_task != "regression" and metrics.get("val_mae") is not None:
            self.live_task = "regression"  # a run started before the task was announced
            self._update_task()
        for key in ("loss", "accuracy", "mae"):
            for curve, split in (("train_epoch", "train"), ("val_epoch", "val")):
                value = metrics.get(f"{split}_{key}")
                if value is not None or key == "loss":  # a task's metrics only where it has them
                    self.plots[key].append(curve, x, value)
        if metrics.get("val_r2") is not None:
            self.plots["r2"].append("val_epoch", x, metrics["val_r2"])
        # the lr point sits at the epoch's start (it applied to the whole epoch)
        self.plots["lr"].append("lr", x - 1, metrics.get("lr"))
        self.plots["speed"].append("speed", x, metrics.get("samples_per_second"))
        if add_live_terms(self.plots["terms"], x, metrics) and "terms" not in \
                self.visible_plots():
            self._update_task()  # the first term shows the plot
        for plot_key, metric in (("grad_norm", "grad_norm"), ("dead", "dead_fraction")):
            for layer, value in (metrics.get(metric) or {}).items():
                self._layer_curve(plot_key, layer)
                self.plots[plot_key].append(f"layer:{layer}", x, value)
        total = f"/{self._total_epochs}" if self._total_epochs else ""
        speed = _number(metrics.get("samples_per_second"), ",.0f")
        train = _number(metrics.get("train_loss"), ".4g")
        parts = [f"train loss {train}" if train else "", metrics_text(metrics, "val"),
                 f"{speed} samples/s" if speed else ""]
        self._pending_status = f"Epoch {metrics['epoch'] + 1}{total}: " + \
            ", ".join(p for p in parts if p)
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
        """Final metrics and the confusion matrix (or regression errors); the last points are
        drawn by the paced ticks at full rate (the training thread no longer needs the GIL)."""
        self._pending_status = None
        self.live = False
        self._catch_up()
        evaluation = summary.get("evaluation") or {}
        if "confusion" in evaluation:
            self.confusion.set_report(evaluation)
        elif evaluation.get("task") == "regression":
            self.confusion.set_regression(evaluation)
        elif evaluation.get("error"):
            self.confusion.show_error(evaluation["error"])
        reason = summary.get("stopped_reason", "?")
        final = metrics_text(summary)
        self.status.setText(f"Finished ({reason}) after {summary.get('epochs_run', 0)} epochs"
                            f"{': ' + final if final else ''}.")

    def fail_run(self, message: str) -> None:
        self._pending_status = None
        self.live = False
        self._catch_up()
        self.status.setText(f"Run failed: {message.splitlines()[0] if message else ''}")

    def reset(self) -> None:
        """Another project was opened: drop the compared runs and, unless a run is still
        training, the last run's curves, histogram, validation metrics and status."""
        self.set_overlays([])
        if not self.live:
            self._clear_live()
            self.live_task = None
            self._pending_status = None
            self.status.setText(IDLE_STATUS)
            self._update_task()
        self._schedule()

    # past runs -------------------------------------------------------------------------------
    def set_overlays(self, runs: list[tuple[str, list[dict[str, Any]]]]) -> None:
        """Draw finished runs on every plot (runs by colour, train/validation by line style);
        a regression run brings the MAE and R² plots."""
        self.overlay_tasks = draw_overlays(self.plots, runs)
        draw_term_overlays(self.plots["terms"], runs)
        self._update_task()
        if not self.live and self.status.text().startswith(("No run yet", "Comparing")):
            self.status.setText(f"Comparing {len(runs)} finished run(s) from the Runs panel."
                                if runs else IDLE_STATUS)
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
            self.cards[key].update_legend()

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
            widget = self.cards[plot]  # the plot with its legend
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
