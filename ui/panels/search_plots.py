"""The Search panel's plots: the best value so far per trial, each trial's per-epoch
validation curve (pruned trials dashed and ending in a cross, so they read as cut short),
parameter importance as ranked bars, and the Pareto front of two objectives."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ui.panels.search_analysis import objective_points, pareto_front
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


class ImportancePlot(QtWidgets.QWidget):
    """Parameter importance as horizontal bars, the most important at the top."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(150)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "share of the objective's variance")
        self.note = QtWidgets.QLabel("Parameter importance appears after 2 complete trials.")
        self.note.setWordWrap(True)
        self.ranked: list[tuple[str, float]] = []  # for tests
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self.plot.hide()

    def show_importance(self, importance: dict[str, Any] | None, metric: str) -> None:
        """Draw ``report["importance"]`` (ImportanceCache); a note when it is empty."""
        ranked = list((importance or {}).get("ranked") or [])
        if ranked == self.ranked and ranked:
            return
        self.ranked = ranked
        self.plot.clear()
        if not ranked:
            problem = (importance or {}).get("problem")
            self.note.setText("Parameter importance: " + (problem or "appears after 2 complete "
                                                          "trials") + ".")
            self.note.show()
            self.plot.hide()
            return
        self.note.hide()
        self.plot.show()
        ys = list(range(len(ranked)))[::-1]  # the first (most important) at the top
        self.plot.addItem(pg.BarGraphItem(x0=0, y=ys, height=0.6,
                                          width=[v for _k, v in ranked],
                                          brush=(21, 101, 192), pen=None))
        axis = self.plot.getAxis("left")
        axis.setTicks([[(y, name) for y, (name, _v) in zip(ys, ranked)]])
        width = max(QtGui.QFontMetrics(axis.font()).horizontalAdvance(n) for n, _ in ranked)
        axis.setWidth(min(width + 14, 260))
        self.plot.setXRange(0, max(v for _k, v in ranked) * 1.05 or 1.0, padding=0)
        self.plot.setYRange(-0.6, len(ranked) - 0.4, padding=0)
        self.plot.setTitle(f"Importance for {metric} ({importance.get('evaluator')})")


class ParetoPlot(pg.PlotWidget):
    """Objective 1 against objective 2 for each complete trial, the Pareto front highlighted
    (filled, joined by a line)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):
            self.getAxis(side).enableAutoSIPrefix(False)
        self.others = self.plot([], [], pen=None, symbol="o", symbolSize=7,
                                symbolBrush=(170, 170, 170), symbolPen=None)
        self.front_line = self.plot([], [], pen=pg.mkPen((198, 40, 40), width=1.5),
                                    symbol="o", symbolSize=9, symbolBrush=(198, 40, 40))
        self.front: list[int] = []  # trial numbers on the front, for tests

    def show_points(self, trials: list[dict[str, Any]], objectives: list[str],
                    maximize: tuple[bool, bool]) -> None:
        points = objective_points(trials)
        front = pareto_front(points, maximize)
        self.front = sorted(front)
        rest = [p for p in points if p[0] not in front]
        on = sorted((p for p in points if p[0] in front), key=lambda p: p[1])
        self.others.setData([p[1] for p in rest], [p[2] for p in rest])
        self.front_line.setData([p[1] for p in on], [p[2] for p in on])
        if len(objectives) >= 2:
            self.setLabel("bottom", objectives[0])
            self.setLabel("left", objectives[1])
            self.setTitle(f"Pareto front ({len(on)} of {len(points)} trials, red)")
