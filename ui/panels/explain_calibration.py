"""The Explain panel's Calibration tab: a reliability diagram (accuracy per confidence bin
against the diagonal) and the expected calibration error on the validation split
(``workbench.explain.calibration.calibration_report``); Fit temperature fits temperature
scaling on validation (``fit_temperature``), stores it with the run, and shows the
calibrated diagram: export then divides the logits by that temperature."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ui.panels.explain_common import JobTab, fmt, new_plot

BEFORE_COLOR = "#1c7ed6"
AFTER_COLOR = "#2f9e44"


class CalibrationTab(JobTab):
    def __init__(self, queue: Any, memo: dict[tuple[str, str], Any]) -> None:
        super().__init__(queue, memo, "Measure")
        self.result: dict[str, Any] | None = None
        self.bins = QtWidgets.QSpinBox()
        self.bins.setRange(2, 50)
        self.bins.setValue(10)
        self.bins.setToolTip("Confidence bins of the reliability diagram")
        self.fit_button = QtWidgets.QPushButton("Fit temperature")
        self.fit_button.setToolTip("Fit temperature scaling on the validation split and store "
                                   "it with the run; export's predict.py then divides the "
                                   "logits by it (calibrated probabilities, same predictions)")
        self.fit_button.clicked.connect(self.fit)
        self.controls.addWidget(QtWidgets.QLabel("bins"))
        self.controls.addWidget(self.bins)
        self.controls.addWidget(self.fit_button)
        self.finish_controls()
        self.summary = QtWidgets.QLabel("")
        self.summary.setWordWrap(True)
        self.plot = new_plot(bottom="confidence (probability of the predicted class)",
                             left="accuracy")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.addLegend(offset=(10, 10))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 1)

    def clear(self) -> None:
        self.result = None
        self.summary.setText("")
        self.plot.clear()

    def _key(self) -> str:
        return f"calibration:{self.bins.value()}"

    def load(self) -> None:
        self.load_or_request(self._key(), self.show_result)

    def request(self) -> None:
        from workbench.explain.calibration import calibration_report

        run_dir, bins = self.run_dir, self.bins.value()
        self.submit("measuring calibration on the validation split",
                    lambda progress, cancel: calibration_report(run_dir, bins),
                    self.show_result, key=self._key())

    def fit(self) -> None:
        from workbench.explain.calibration import calibration_report, fit_temperature

        run_dir, bins = self.run_dir, self.bins.value()

        def work(progress: Any, cancel: Any) -> dict[str, Any]:
            fitted = fit_temperature(run_dir)
            return {**calibration_report(run_dir, bins), "fitted": fitted}

        self.submit("fitting the temperature on the validation split", work,
                    self.show_result, key=self._key())

    def _update_buttons(self) -> None:
        super()._update_buttons()
        self.fit_button.setEnabled(not self.busy())

    def show_result(self, result: dict[str, Any]) -> None:
        self.result = result
        self.plot.clear()
        self.plot.plot([0, 1], [0, 1], pen=pg.mkPen("#495057", width=1, style=QtCore.Qt.DashLine),
                       name="perfectly calibrated")
        self._bars(result.get("bins") or [], BEFORE_COLOR, "accuracy per bin", 0)
        calibrated = result.get("bins_calibrated")
        if calibrated:
            self._bars(calibrated, AFTER_COLOR, f"after temperature "
                       f"{fmt(result.get('temperature'), '.2f')}", 1)
        self.plot.setXRange(0, 1, padding=0.02)
        self.plot.setYRange(0, 1, padding=0.02)
        temperature = result.get("temperature")
        words = (f"Expected calibration error (ECE) {fmt(result.get('ece'))}: the average gap "
                 f"between confidence and accuracy, weighted by the samples per bin.")
        if temperature is not None:
            words += (f" With the stored temperature {fmt(temperature, '.3f')}: ECE "
                      f"{fmt(result.get('ece_calibrated'))}. Export uses it: predict.py divides "
                      f"the logits by {fmt(temperature, '.3f')} (calibrated probabilities, "
                      f"same predictions).")
        else:
            words += " No temperature is stored: Fit temperature to calibrate."
        self.summary.setText(words)

    def _bars(self, bins: list[dict[str, Any]], color: str, name: str, slot: int) -> None:
        shown = [b for b in bins if b.get("count")]
        if not shown:
            return
        width = [(b["hi"] - b["lo"]) * 0.45 for b in shown]
        x = [b["lo"] + (b["hi"] - b["lo"]) * (0.275 + 0.45 * slot) for b in shown]
        bars = pg.BarGraphItem(x=x, height=[b["accuracy"] for b in shown], width=width,
                               brush=pg.mkBrush(color), pen=pg.mkPen(None), name=name)
        self.plot.addItem(bars)
        self.plot.plot([b["confidence"] for b in shown], [b["accuracy"] for b in shown],
                       pen=None, symbol="o", symbolSize=5, symbolBrush=color)
