"""Plot cards (a plot with its legend below it) in a grid that reflows to the width it gets.

``PlotCard`` puts a legend label under a ``LivePlot``: the legend wraps instead of clipping
names and never covers a curve. ``PlotGrid`` lays out the visible cards in as many columns as
fit (``CELL_WIDTH`` each, at most ``MAX_COLUMNS``), so the dashboard never needs a horizontal
scroll bar: a narrow dock gets fewer columns and more rows (scrolled vertically).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ui.panels.plot_live import LivePlot, legend_html

CELL_WIDTH = 200     # a column per this many pixels of width
MAX_COLUMNS = 4
CELL_MIN_HEIGHT = 160


class PlotCard(QtWidgets.QWidget):
    """A LivePlot over its legend."""

    def __init__(self, plot: LivePlot, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self.legend = QtWidgets.QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.RichText)
        self.legend.setStyleSheet("font-size: 8pt;")  # text colour from the theme
        self.legend.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(plot, 1)
        layout.addWidget(self.legend)
        self.setMinimumHeight(CELL_MIN_HEIGHT)
        self._legend_text = ""

    def update_legend(self) -> None:
        """Show the curves that have data (and only those)."""
        text = legend_html(self.plot.legend_entries())
        if text != self._legend_text:
            self._legend_text = text
            self.legend.setText(text)
            self.legend.setVisible(bool(text))


class PlotGrid(QtWidgets.QWidget):
    """Widgets in reading order, in as many columns as the width allows."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QtWidgets.QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        self.widgets: list[QtWidgets.QWidget] = []
        self.columns = 0

    def set_widgets(self, widgets: list[QtWidgets.QWidget]) -> None:
        """Show these widgets (others added before are hidden), in this order."""
        for widget in self.widgets:
            if widget not in widgets:
                self.grid.removeWidget(widget)
                widget.hide()
        self.widgets = list(widgets)
        self.columns = 0
        self._relayout(self.width())

    def columns_for(self, width: int) -> int:
        return max(1, min(MAX_COLUMNS, width // CELL_WIDTH, len(self.widgets) or 1))

    def resizeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._relayout(event.size().width())

    def _relayout(self, width: int) -> None:
        columns = self.columns_for(width)
        if columns == self.columns:
            return
        self.columns = columns
        for widget in self.widgets:
            self.grid.removeWidget(widget)
        for i in range(MAX_COLUMNS):
            self.grid.setColumnStretch(i, 1 if i < columns else 0)
        for i, widget in enumerate(self.widgets):
            self.grid.addWidget(widget, i // columns, i % columns)
            widget.show()
