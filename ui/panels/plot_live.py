"""One live pyqtgraph plot: named curves over growable buffers, redrawn only when dirty.

``LivePlot`` owns its curves' data (``Series``); appending marks a curve dirty and the
dashboard's timer calls ``refresh()`` at most ~30 times a second, which pushes only dirty
curves to pyqtgraph. Clip-to-view and peak downsampling keep long runs cheap. A crosshair and
a read-out label show the nearest point of each visible curve under the mouse.

There is no legend inside the plot (it would cover curves): ``legend_entries()`` describes the
curves that have data and ``legend_html`` renders them for a label beside the plot. Curves of
compared runs carry a ``group`` (the run: one colour each) and a ``style_name`` (train / val:
one line style each), so the legend lists runs by colour and splits by line style once.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from ui.panels.plot_series import Series, SmoothedSeries

pg.setConfigOptions(antialias=False, foreground="#303030", background="w")


STYLE_GLYPH = {QtCore.Qt.SolidLine: "━━", QtCore.Qt.DashLine: "╍╍", QtCore.Qt.DotLine: "┅┅"}


@dataclass(frozen=True)
class CurveStyle:
    """How a curve is drawn, for the legend."""

    name: str
    color: str  # #rrggbb
    style: Any = QtCore.Qt.SolidLine
    group: str | None = None       # a compared run: listed once, by colour
    style_name: str | None = None  # what the line style means (train / val): listed once


def legend_html(entries: list[tuple[str, str, Any]]) -> str:
    """Legend entries (text, #colour or "", pen style) as wrapping rich text."""
    parts = []
    for text, color, style in entries:
        glyph = STYLE_GLYPH.get(style, "■")
        colour = f" style='color:{color}'" if color else ""  # none: the theme's text colour
        parts.append(f"<span{colour}><b>{glyph}</b></span>&nbsp;"
                     f"{html.escape(text).replace(' ', '&nbsp;')}")
    return " &nbsp; ".join(parts)


class TimedPlotWidget(pg.PlotWidget):
    """A PlotWidget that adds up the time its paint events take (for frame pacing)."""

    paint_seconds = 0.0

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt API
        """Small preferred size: the dashboard grid shares out the room it has (a large hint
        made the scrolled dashboard several times taller than its dock)."""
        return QtCore.QSize(240, 180)

    def paintEvent(self, event: Any) -> None:
        start = time.perf_counter()
        super().paintEvent(event)
        self.paint_seconds += time.perf_counter() - start


class LivePlot(TimedPlotWidget):
    """A plot with keyed curves, dirty tracking, log-y toggle and hover read-out."""

    def __init__(self, title: str, x_label: str = "epoch", y_label: str = "",
                 parent: Any = None, y_range: tuple[float, float] | None = None) -> None:
        super().__init__(parent=parent)
        self.title = title
        self.setTitle(title, size="10pt")
        self.setLabel("bottom", x_label)
        if y_label:
            self.setLabel("left", y_label)
        self.showGrid(x=True, y=True, alpha=0.2)
        for axis in ("left", "bottom"):
            self.getAxis(axis).enableAutoSIPrefix(False)
        self.setClipToView(True)
        self.setDownsampling(auto=True, mode="peak")
        self.fixed_y = y_range
        if y_range is not None:
            self.setYRange(*y_range, padding=0.02)
            self.enableAutoRange(axis="y", enable=False)
        self.setMinimumSize(150, 150)
        self.series: dict[str, Series] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.styles: dict[str, CurveStyle] = {}
        self._dirty: set[str] = set()
        self._log_y = False
        self._regions: list[pg.LinearRegionItem] = []
        self._vline = pg.InfiniteLine(angle=90, movable=False,
                                      pen=pg.mkPen((120, 120, 120), style=QtCore.Qt.DashLine))
        self._readout = pg.TextItem(anchor=(0, 0), color=(20, 20, 20),
                                    fill=pg.mkBrush(255, 255, 255, 220))
        for item in (self._vline, self._readout):
            item.setZValue(100)
            item.hide()
            self.addItem(item, ignoreBounds=True)
        self._mouse_proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=30,
                                           slot=self._on_mouse_moved)

    # curves ----------------------------------------------------------------------------------
    def add_curve(self, key: str, name: str, color: Any, *, width: float = 1.5,
                  style: QtCore.Qt.PenStyle = QtCore.Qt.SolidLine, symbol: str | None = None,
                  smoothed: bool = False, group: str | None = None,
                  style_name: str | None = None) -> pg.PlotDataItem:
        """Create (or return) the curve ``key`` with its buffer."""
        if key in self.curves:
            return self.curves[key]
        self.series[key] = SmoothedSeries() if smoothed else Series()
        pen = pg.mkPen(color, width=width, style=style)
        self.styles[key] = CurveStyle(name, pen.color().name(), style, group, style_name)
        kwargs: dict[str, Any] = {"pen": pen, "name": name}
        if symbol:
            kwargs.update(symbol=symbol, symbolSize=6, symbolBrush=color, symbolPen=None)
        curve = self.plot([], [], **kwargs)
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")
        self.curves[key] = curve
        return curve

    def append(self, key: str, x: float, y: float) -> None:
        self.series[key].append(x, y)
        self._dirty.add(key)

    def extend(self, key: str, xs: Any, ys: Any) -> None:
        self.series[key].extend(xs, ys)
        self._dirty.add(key)

    def remove_curves(self, prefix: str = "") -> None:
        """Drop every curve whose key starts with ``prefix`` (all when empty)."""
        for key in [k for k in self.curves if k.startswith(prefix)]:
            curve = self.curves.pop(key)
            self.series.pop(key, None)
            self.styles.pop(key, None)
            self._dirty.discard(key)
            self.removeItem(curve)

    def clear_data(self, keep_prefix: str = "overlay:") -> None:
        """Empty every curve's buffer except those whose key starts with ``keep_prefix``."""
        for key, series in self.series.items():
            if not key.startswith(keep_prefix):
                series.clear()
                self._dirty.add(key)

    def legend_entries(self) -> list[tuple[str, str, Any]]:
        """(text, #colour, pen style) for the curves that have points: plain curves by name,
        compared runs once each by colour, then what each line style means."""
        plain, groups, styles = [], {}, {}
        for key, style in self.styles.items():
            if not len(self.series[key]) or not np.isfinite(self.series[key].data()[1]).any():
                continue
            if style.group is None:
                plain.append((style.name, style.color, style.style))
                continue
            groups.setdefault(style.group, (style.group, style.color, None))
            if style.style_name:
                styles.setdefault(style.style_name, (style.style_name, "", style.style))
        return plain + list(groups.values()) + list(styles.values())

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def refresh(self) -> None:
        """Push dirty buffers to their curves (a copy, since buffers may be reallocated)."""
        for key in self._dirty:
            x, y = self.series[key].data()
            if self._log_y:
                y = np.where(y > 0, y, np.nan)
            self.curves[key].setData(x.copy(), y.copy(), connect="finite")
        self._dirty.clear()
        if self.fixed_y is None and not self._log_y:
            self._widen_flat_range()

    def _widen_flat_range(self) -> None:
        """A constant curve (a fixed learning rate) gets a y range around its value."""
        values = [s.data()[1] for s in self.series.values() if len(s)]
        if not values:
            return
        y = np.concatenate(values)
        y = y[np.isfinite(y)]
        if y.size and float(y.max() - y.min()) <= 1e-9 * max(abs(float(y.max())), 1e-30):
            value = float(y.max())
            self.enableAutoRange(axis="y", enable=False)
            self.setYRange(min(0.0, 2 * value), max(0.0, 2 * value) or 1.0, padding=0.02)
        elif not self.getPlotItem().vb.autoRangeEnabled()[1]:
            self.enableAutoRange(axis="y", enable=True)

    # view ------------------------------------------------------------------------------------
    def set_log_y(self, on: bool) -> None:
        if on == self._log_y:
            return
        self._log_y = on
        self.setLogMode(x=False, y=on)
        self._dirty.update(self.curves)
        self.refresh()
        self.auto_range()

    def auto_range(self) -> None:
        """Follow the data again (autoRange() would fit once and then stop following)."""
        self.enableAutoRange(axis="xy", enable=True)
        if self.fixed_y is not None and not self._log_y:
            self.setYRange(*self.fixed_y, padding=0.02)  # turns off y auto-range only

    def emphasize(self, keys: set[str] | None) -> None:
        """Thicken the curves in ``keys`` and fade the rest; None restores all."""
        for key, curve in self.curves.items():
            pen = QtGui.QPen(curve.opts["pen"])
            color = pen.color()
            color.setAlpha(255 if keys is None or key in keys else 50)
            pen.setColor(color)
            pen.setWidthF(3.0 if keys and key in keys else 1.5)
            curve.setPen(pen)

    def set_regions(self, spans: list[tuple[float, float]]) -> None:
        """Shade these x-spans (evidence of a finding); an empty list clears them."""
        for region in self._regions:
            self.removeItem(region)
        self._regions = []
        for lo, hi in spans:
            region = pg.LinearRegionItem(values=(lo, hi), movable=False,
                                         brush=pg.mkBrush(230, 80, 60, 50))
            region.setZValue(-10)
            self.addItem(region)
            self._regions.append(region)

    @property
    def regions(self) -> list[tuple[float, float]]:
        return [tuple(r.getRegion()) for r in self._regions]

    def readout_text(self, x: float) -> str:
        """The read-out for data x: each non-empty curve's nearest point."""
        lines = [f"x = {x:.3g}"]
        for key, curve in self.curves.items():
            if not curve.isVisible():
                continue
            xs, ys = self.series[key].data()
            if xs.size == 0:
                continue
            i = int(np.clip(np.searchsorted(xs, x), 0, xs.size - 1))
            if i > 0 and abs(xs[i - 1] - x) < abs(xs[i] - x):
                i -= 1
            lines.append(f"{curve.name() or key}: {ys[i]:.4g}")
        return "\n".join(lines)

    def _on_mouse_moved(self, event: tuple[QtCore.QPointF]) -> None:
        pos = event[0]
        vb = self.getPlotItem().vb
        if not self.sceneBoundingRect().contains(pos) or not vb.sceneBoundingRect().contains(pos):
            self._vline.hide()
            self._readout.hide()
            return
        point = vb.mapSceneToView(pos)
        self._vline.setPos(point.x())
        self._readout.setText(self.readout_text(point.x()))
        self._readout.setPos(point.x(), point.y())
        self._vline.show()
        self._readout.show()
