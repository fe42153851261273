"""The dashboard's "Loss terms" plot: an objective's parts of the training loss per epoch.

An objective that logs parts of its loss (distillation: ``loss_soft``, ``loss_hard``,
``loss_hint``; any objective's ``loss_<term>``) puts them in the epoch records next to
``train_loss``. ``add_live_terms`` draws them for the live run (``term:<name>`` curves);
``draw_term_overlays`` for the compared finished runs (``overlay:<run>:term:<name>``, dashed by
term, in the run's colour). The plot shows only while some curve of it has points.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore

from ui.panels.dashboard_overlays import PREFIX, overlay_color
from ui.panels.plot_live import LivePlot

TERM = "term:"
TERM_COLORS = [(200, 60, 60), (40, 110, 200), (60, 150, 60), (150, 90, 30), (130, 60, 170)]
TERM_STYLES = [QtCore.Qt.SolidLine, QtCore.Qt.DashLine, QtCore.Qt.DotLine,
               QtCore.Qt.DashDotLine]


def loss_terms(record: dict[str, Any]) -> dict[str, float]:
    """``{term: value}`` of a record's numeric ``loss_<term>`` keys, in the record's order."""
    return {key[len("loss_"):]: float(value) for key, value in record.items()
            if key.startswith("loss_") and len(key) > len("loss_")
            and isinstance(value, (int, float)) and not isinstance(value, bool)}


def add_live_terms(plot: LivePlot, x: float, metrics: dict[str, Any]) -> bool:
    """Append the live run's terms at ``x``; True when a new term's curve was created."""
    created = False
    for name, value in loss_terms(metrics).items():
        key = f"{TERM}{name}"
        if key not in plot.curves:
            index = sum(k.startswith(TERM) for k in plot.curves)
            plot.add_curve(key, f"{name} (train, epoch)", TERM_COLORS[index % len(TERM_COLORS)],
                           width=2.0, symbol="o")
            created = True
        plot.append(key, x, value)
    return created


def draw_term_overlays(plot: LivePlot, runs: list[tuple[str, list[dict[str, Any]]]]) -> None:
    """Draw the terms of the compared runs (their overlay curves were removed by
    ``draw_overlays``)."""
    for i, (label, records) in enumerate(runs):
        epochs = [r for r in records if r.get("kind", "epoch") == "epoch" and "epoch" in r]
        names: list[str] = []
        for record in epochs:
            names += [n for n in loss_terms(record) if n not in names]
        for j, name in enumerate(names):
            key = f"{PREFIX}{label}:{TERM}{name}"
            style = TERM_STYLES[j % len(TERM_STYLES)]
            plot.add_curve(key, f"{label} {name}", overlay_color(i), width=2.0, style=style,
                           group=label, style_name=name)
            xs = [r["epoch"] + 1 for r in epochs]
            plot.extend(key, xs, [loss_terms(r).get(name) for r in epochs])


def has_points(plot: LivePlot) -> bool:
    return any(len(series) for series in plot.series.values())
