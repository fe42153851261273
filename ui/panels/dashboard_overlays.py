"""Finished runs drawn over the dashboard's plots: every plot, every run, one colour per run.

``draw_overlays(plots, runs)`` replaces the ``overlay:`` curves of every plot with those of
``runs`` (``[(label, metric records)]``, the records of each run's ``metrics.jsonl``): loss and
the task's metrics (accuracy, or MAE and R²) for train (solid) and validation (dashed), the
learning rate, throughput, and per-layer gradient norms and dead-unit fractions (thin, in the
run's colour; the hover read-out names the layer). A metric a run never recorded (accuracy of a
regression run) draws nothing, so it has no legend entry. Returns the tasks of the runs.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore

from ui.panels.plot_live import LivePlot
from ui.panels.run_compare import task_of

OVERLAY_COLORS = [(46, 139, 60), (170, 60, 170), (200, 50, 50), (90, 90, 90), (20, 160, 170),
                  (150, 110, 20), (60, 60, 200), (230, 100, 160)]
SPLITS = (("train", "train", QtCore.Qt.SolidLine), ("val", "validation", QtCore.Qt.DashLine))
SPLIT_METRICS = {"loss": "loss", "accuracy": "accuracy", "mae": "mae"}  # plot -> metric stem
SINGLE_METRICS = {"r2": ("val_r2", QtCore.Qt.DashLine, "validation"),
                  "lr": ("lr", QtCore.Qt.SolidLine, None),
                  "speed": ("samples_per_second", QtCore.Qt.SolidLine, None)}
LAYER_METRICS = {"grad_norm": "grad_norm", "dead": "dead_fraction"}
PREFIX = "overlay:"


def overlay_color(index: int) -> tuple[int, int, int]:
    return OVERLAY_COLORS[index % len(OVERLAY_COLORS)]


def _has_values(values: list[Any]) -> bool:
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def draw_overlays(plots: dict[str, LivePlot], runs: list[tuple[str, list[dict[str, Any]]]]
                  ) -> set[str]:
    """Replace every plot's overlay curves with these runs'; the set of their tasks."""
    for plot in plots.values():
        plot.remove_curves(PREFIX)
    tasks: set[str] = set()
    for i, (label, records) in enumerate(runs):
        color = overlay_color(i)
        epochs = [r for r in records if r.get("kind", "epoch") == "epoch" and "epoch" in r]
        tasks.add(task_of(None, epochs))
        xs = [r["epoch"] + 1 for r in epochs]
        for plot_key, stem in SPLIT_METRICS.items():
            for split, words, style in SPLITS:
                ys = [r.get(f"{split}_{stem}") for r in epochs]
                if plot_key in plots and _has_values(ys):
                    _curve(plots[plot_key], f"{PREFIX}{label}:{split}", f"{label} {words}",
                           color, style, label, words, xs, ys)
        for plot_key, (metric, style, words) in SINGLE_METRICS.items():
            ys = [r.get(metric) for r in epochs]
            if plot_key in plots and _has_values(ys):
                shift = -1 if metric == "lr" else 0  # an epoch's lr applied from its start
                _curve(plots[plot_key], f"{PREFIX}{label}:{metric}", f"{label} {metric}",
                       color, style, label, words, [x + shift for x in xs], ys)
        for plot_key, metric in LAYER_METRICS.items():
            layers: list[str] = []
            for record in epochs:
                layers += [k for k in (record.get(metric) or {}) if k not in layers]
            for layer in layers:
                ys = [(r.get(metric) or {}).get(layer) for r in epochs]
                if plot_key in plots and _has_values(ys):
                    _curve(plots[plot_key], f"{PREFIX}{label}:layer:{layer}",
                           f"{label} {layer}", color, QtCore.Qt.SolidLine, label, None, xs,
                           ys, width=1.2)
    return tasks


def _curve(plot: LivePlot, key: str, name: str, color: tuple[int, int, int], style: Any,
           group: str, style_name: str | None, xs: list[float], ys: list[Any],
           width: float = 2.0) -> None:
    plot.add_curve(key, name, color, width=width, style=style, group=group,
                   style_name=style_name)
    plot.extend(key, xs, ys)
