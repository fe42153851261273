"""Parallel coordinates of a study: one polyline per complete trial across the parameters'
axes (numbers scaled to their range, log when it spans >= 100x, categories evenly spaced),
coloured by the first objective's value (bright = better)."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6 import QtWidgets

from ui.panels.search_analysis import parallel_layout

AXIS_PEN = (90, 90, 90)
COLOURS = 24  # colour steps from the worst value to the best


class ParallelCoordinates(QtWidgets.QWidget):
    """The plot and a one-line note (shown instead when there is nothing to draw)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(150)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.getAxis("left").setTicks([[(0.0, "low"), (1.0, "high")]])
        self.plot.getAxis("left").setWidth(34)
        self.note = QtWidgets.QLabel("Parallel coordinates appear once a trial has completed.")
        self.note.setWordWrap(True)
        self.layout_data: dict[str, Any] = {"axes": [], "lines": []}  # for tests
        self._key: tuple | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self.plot.hide()

    def show_trials(self, trials: list[dict[str, Any]], metric: str, maximize: bool) -> None:
        """Redraw from the report's trial rows (only when the complete trials changed)."""
        data = parallel_layout(trials)
        key = (repr(data), metric, maximize)
        if key == self._key:
            return
        self._key, self.layout_data = key, data
        self.plot.clear()
        axes, lines = data["axes"], data["lines"]
        if not axes or not lines:
            self.note.setText("Parallel coordinates appear once a trial with parameters has "
                              "completed.")
            self.note.show()
            self.plot.hide()
            return
        self.note.hide()
        self.plot.show()
        values = [v for _n, _p, v in lines]
        low, high = min(values), max(values)
        cmap = pg.colormap.get("viridis")
        bins: dict[int, tuple[list[float], list[float]]] = {}  # one item per colour: fast
        for _number, positions, value in lines:
            share = 0.5 if high == low else (value - low) / (high - low)
            xs, ys = bins.setdefault(round((share if maximize else 1.0 - share) * COLOURS),
                                     ([], []))
            xs.extend([*range(len(positions)), math.nan])
            ys.extend([*(math.nan if p is None else p for p in positions), math.nan])
        for level in sorted(bins):  # the better trials drawn last (on top)
            xs, ys = bins[level]
            self.plot.plot(xs, ys, connect="finite", pen=pg.mkPen(
                cmap.map(level / COLOURS, mode="qcolor"), width=1.6))
        for i, axis in enumerate(axes):
            self.plot.addItem(pg.InfiniteLine(pos=i, angle=90, pen=pg.mkPen(AXIS_PEN)))
            for pos, label in axis["ticks"]:
                text = pg.TextItem(label, color=(40, 40, 40), anchor=(0, 0.5),
                                   fill=pg.mkBrush(255, 255, 255, 210))
                text.setPos(i, pos)
                self.plot.addItem(text)
        self.plot.getAxis("bottom").setTicks(
            [[(i, a["name"] + (" (log)" if a["kind"] == "log" else "")) for i, a in
              enumerate(axes)]])
        span = max(len(axes) - 1, 1)
        self.plot.setXRange(-0.06 * span, len(axes) - 1 + 0.14 * span, padding=0)
        self.plot.setYRange(-0.08, 1.08, padding=0)
        self.plot.setTitle(f"colour: {metric} (bright = better: "
                           f"{_fmt(high if maximize else low)}, dark: "
                           f"{_fmt(low if maximize else high)})")


def _fmt(value: float) -> str:
    return f"{value:.4g}"
