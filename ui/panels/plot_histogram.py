"""Histogram of one chosen layer's weights and gradients, at the latest checkpoint."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from ui.panels.plot_live import TimedPlotWidget

WEIGHT_COLOR = (40, 110, 200)
GRAD_COLOR = (220, 110, 30)


class HistogramPlot(QtWidgets.QWidget):
    """A layer combo over two step-histograms (weights left axis, gradients right view)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setToolTip("Layer whose weight and gradient distributions are shown. "
                                    "Weights piling up at zero or exploding, or gradients "
                                    "collapsing to a spike at zero, show up here first.")
        self.layer_combo.currentTextChanged.connect(self._redraw)
        self.what = QtWidgets.QComboBox()
        self.what.addItems(["weights", "gradients"])
        self.what.setToolTip("Weights: the layer's parameter values. Gradients: the loss "
                             "gradient on one fixed training batch at the checkpoint.")
        self.what.currentTextChanged.connect(self._redraw)
        self.plot = TimedPlotWidget()
        self.plot.setTitle("Layer histogram", size="10pt")
        self.plot.setLabel("left", "count")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.setMinimumSize(150, 150)
        self.curve = self.plot.plot([0, 1], [0], stepMode="center", fillLevel=0,
                                    brush=(*WEIGHT_COLOR, 120), pen=pg.mkPen(WEIGHT_COLOR))
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Layer"))
        top.addWidget(self.layer_combo, 1)
        top.addWidget(self.what)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self.latest: dict[str, Any] = {}
        self.epoch: int | None = None

    def clear(self) -> None:
        self.latest = {}
        self.epoch = None
        self.layer_combo.clear()
        self.curve.setData([0, 1], [0])

    def set_histograms(self, payload: dict[str, Any]) -> None:
        """Payload from TrainingWorker.histograms: {"epoch", "layers": {layer: {...}}}.
        Draws at once; the dashboard calls this from its paced redraw."""
        self.latest = payload.get("layers", {})
        self.epoch = payload.get("epoch")
        current = self.layer_combo.currentText()
        names = list(self.latest)
        if names != [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())]:
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            self.layer_combo.addItems(names)
            if current in names:
                self.layer_combo.setCurrentText(current)
            self.layer_combo.blockSignals(False)
        self._redraw()

    def select_layer(self, layer: str) -> None:
        if layer in self.latest:
            self.layer_combo.setCurrentText(layer)

    def _redraw(self) -> None:
        layer, what = self.layer_combo.currentText(), self.what.currentText()
        hist = self.latest.get(layer, {}).get(what, {})
        edges, counts = hist.get("edges", []), hist.get("counts", [])
        color = WEIGHT_COLOR if what == "weights" else GRAD_COLOR
        self.curve.setPen(pg.mkPen(color))
        self.curve.setBrush(pg.mkBrush(*color, 120))
        if len(edges) == len(counts) + 1 and counts:
            self.curve.setData(np.asarray(edges, float), np.asarray(counts, float))
            epoch = "" if self.epoch is None else f", epoch {self.epoch + 1}"
            self.plot.setTitle(f"{layer} {what}{epoch}", size="10pt")
            self.plot.setLabel("bottom", "gradient" if what == "gradients" else "weight")
        else:
            self.curve.setData([0, 1], [0])
            self.plot.setTitle("Layer histogram (after the first checkpoint)", size="10pt")
