"""The Search panel's two plots: the best value so far per trial, and each trial's per-epoch
validation curve (pruned trials dashed and ending in a cross, so they read as cut short)."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ui.panels.search_reader import best_so_far

pg.setConfigOptions(antialias=False, foreground="#303030", background="w")

STATE_COLOURS = {"complete": (46, 125, 50), "pruned": (230, 81, 0), "failed": (198, 40, 40),
                 "running": (21, 101, 192), "waiting": (120, 120, 120)}


class SearchPlots(QtWidgets.QWidget):
    """Best-so-far (left) and learning curves (right), redrawn from a study report."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.best = pg.PlotWidget(title="Best so far")
        self.curves = pg.PlotWidget(title="Trials: validation per epoch")
        for plot, x_label in ((self.best, "trial"), (self.curves, "epoch")):
            plot.setMinimumHeight(150)
            plot.setLabel("bottom", x_label)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.getPlotItem().setClipToView(True)
            plot.getAxis("left").enableAutoSIPrefix(False)  # accuracy 0.7, not 700 x0.001
        self.best_curve = self.best.plot([], [], pen=pg.mkPen((21, 101, 192), width=2),
                                         symbol="o", symbolSize=6,
                                         symbolBrush=(21, 101, 192), stepMode=None)
        self.highlighted: int | None = None
        self._metric = ""
        self.drawn: dict[int, tuple[str, int]] = {}  # trial -> (state, points), for tests
        self._items: dict[int, tuple[Any, Any, Any]] = {}  # trial -> (drawn key, line, cross)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.best, 1)
        layout.addWidget(self.curves, 1)

    def show_report(self, report: dict[str, Any] | None, maximize: bool) -> None:
        """Redraw both plots from ``report`` (StudyReader.read()); None clears them."""
        trials = (report or {}).get("trials") or []
        metric = ((report or {}).get("objectives") or ["value"])[0]
        points = best_so_far(trials, maximize)
        self.best_curve.setData([p[0] for p in points], [p[1] for p in points])
        if metric != self._metric:
            self._metric = metric
            self.best.setLabel("left", metric)
            self.curves.setLabel("left", metric)
        seen = set()
        for row in trials:
            curve = row.get("curve") or []
            if curve:
                seen.add(row["number"])
                self._draw_trial(row["number"], row["state"], curve)
        for number in [n for n in self._items if n not in seen]:
            for item in self._items.pop(number)[1:]:
                self.curves.removeItem(item)
            self.drawn.pop(number, None)

    def _draw_trial(self, number: int, state: str, curve: list[float]) -> None:
        """Create or update one trial's curve (items are reused: creating them is the
        expensive part of a redraw)."""
        chosen = number == self.highlighted
        key = (state, tuple(curve), chosen)
        if number in self._items and self._items[number][0] == key:
            return
        colour = STATE_COLOURS.get(state, (120, 120, 120))
        pen = pg.mkPen(colour, width=3 if chosen else 1.2,
                       style=QtCore.Qt.DashLine if state == "pruned" else QtCore.Qt.SolidLine)
        if number not in self._items:
            line = self.curves.plot([], [], symbol="o", symbolSize=4, symbolPen=None)
            cut = self.curves.plot([], [], pen=None, symbol="x", symbolSize=10,
                                   symbolBrush=None)
            self._items[number] = (key, line, cut)
        _old, line, cut = self._items[number]
        xs = list(range(1, len(curve) + 1))
        line.setPen(pen)
        line.setSymbolBrush(colour)
        line.setData(xs, curve)
        line.setToolTip(f"trial {number} ({state})")
        if state in ("pruned", "failed"):  # where it was cut short
            cut.setSymbolPen(pg.mkPen(colour, width=2))
            cut.setData([xs[-1]], [curve[-1]])
        else:
            cut.setData([], [])
        self._items[number] = (key, line, cut)
        self.drawn[number] = (state, len(curve))

    def highlight(self, trial: int | None) -> None:
        self.highlighted = trial
