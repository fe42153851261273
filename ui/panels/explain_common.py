"""What the Explain panel's tabs share: a tab that runs one core function at a time on the
panel's job queue (Run / Cancel / progress / a message line), heat-map pixmaps, and
horizontal bar charts with names on the left axis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ui.explain_jobs import ExplainJob, ExplainQueue, Work

BAR_COLOR = "#1c7ed6"
MEAN_COLOR = "#868e96"
NEGATIVE_COLOR = "#e8590c"
HEAT_MAP = "inferno"


class JobTab(QtWidgets.QWidget):
    """A tab whose work runs on the panel's queue; at most one job of its own at a time (a
    second request is refused with a message). Results of a run no longer selected are
    dropped; the latest result per (run, key) is remembered so re-selecting shows it."""

    shown = QtCore.Signal(dict)   # a result, once drawn
    failed = QtCore.Signal(str)

    def __init__(self, queue: ExplainQueue, memo: dict[tuple[str, str], Any],
                 run_label: str = "Run") -> None:
        super().__init__()
        self.queue, self.memo = queue, memo
        self.run_dir: Path | None = None
        self.job: ExplainJob | None = None
        self.run_button = QtWidgets.QPushButton(run_label)
        self.run_button.clicked.connect(self.request)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.controls = QtWidgets.QHBoxLayout()

    def finish_controls(self) -> None:
        """Put Run, Cancel and the progress bar at the end of the controls row."""
        self.controls.addStretch(1)
        for widget in (self.progress, self.run_button, self.cancel_button):
            self.controls.addWidget(widget)

    # the selected run ------------------------------------------------------------------
    def set_run(self, run_dir: Path | None) -> None:
        self.run_dir = run_dir
        self.clear()
        self.message.setText("" if run_dir else "Select one run in the Runs panel.")

    def clear(self) -> None:
        """Forget the shown result (override)."""

    def request(self) -> None:
        """Run the tab's computation for the selected run (override)."""

    def remembered(self, key: str) -> Any:
        return self.memo.get(memo_key(self.run_dir, key))

    def load_or_request(self, key: str, show: Callable[[Any], None]) -> None:
        """For tabs that load when shown: the remembered result for ``key``, else compute it
        (nothing while a result is shown, a job runs or no run is selected)."""
        if getattr(self, "result", None) is not None or self.busy() or self.run_dir is None:
            return
        remembered = self.remembered(key)
        if remembered is not None:
            show(remembered)
        else:
            self.request()

    # jobs ------------------------------------------------------------------------------
    def submit(self, title: str, work: Work, on_result: Callable[[Any], None],
               key: str | None = None) -> ExplainJob | None:
        """Queue ``work(progress, cancel)`` for the selected run; its value goes to
        ``on_result`` (and is remembered under ``key``) if that run is still selected."""
        if self.run_dir is None:
            self.message.setText("Select one run in the Runs panel first.")
            return None
        if self.job is not None and self.job.is_active():
            self.message.setText(f"Already {self.job.name} for this tab: wait for it or "
                                 f"press Cancel.")
            return None
        job = ExplainJob(title, work, run_dir=self.run_dir)
        self.job = job
        job.progress.connect(self._on_progress)
        job.result.connect(lambda value: self._on_result(job, value, on_result, key))
        job.failed.connect(lambda text: self._on_failed(job, text))
        job.cancelled.connect(lambda: self._on_cancelled(job))
        job.ended.connect(self._update_buttons)
        waiting = self.queue.busy()
        self.queue.submit(job)
        if job.is_active():
            self.message.setText(f"{title}…" + (" (queued after the panel's other work)"
                                                if waiting else ""))
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress.setVisible(job.is_active())
        self._update_buttons()
        return job

    def cancel(self) -> None:
        if self.job is not None and self.job.is_active():
            self.job.cancel()
            self.message.setText(f"Cancelling {self.job.name}…")

    def busy(self) -> bool:
        return self.job is not None and self.job.is_active()

    def _current(self, job: ExplainJob) -> bool:
        return job is self.job and job.run_dir == self.run_dir

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _on_result(self, job: ExplainJob, value: Any, on_result: Callable[[Any], None],
                   key: str | None) -> None:
        if key is not None:
            self.memo[memo_key(job.run_dir, key)] = value
        if not self._current(job):
            return
        self.message.setText("")
        on_result(value)
        if isinstance(value, dict):
            self.shown.emit(value)

    def _on_failed(self, job: ExplainJob, text: str) -> None:
        if self._current(job):
            self.message.setText(text)
            self.failed.emit(text)

    def _on_cancelled(self, job: ExplainJob) -> None:
        if self._current(job):
            self.message.setText(f"Cancelled: {job.name}; nothing was cached.")

    def _update_buttons(self) -> None:
        running = self.busy()
        self.cancel_button.setEnabled(running)
        self.run_button.setEnabled(not running)
        if not running:
            self.progress.hide()


def memo_key(run_dir: Path | None, key: str) -> tuple[str, str]:
    """What a result is remembered under: the run, the arguments, and the best weights' size
    and time (a resumed run's new weights are not explained by the old result)."""
    try:
        stat = (Path(run_dir) / "best.safetensors").stat() if run_dir else None
    except OSError:
        stat = None
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else "-"
    return str(run_dir), f"{key}@{stamp}"


def gray_or_rgb(image: Any) -> np.ndarray:
    """H x W x 3 floats in [0, 1] from a C x H x W image (1 channel: grey)."""
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 2:
        array = array[None]
    array = np.clip(array, 0.0, 1.0)
    rgb = np.repeat(array[:1], 3, axis=0) if array.shape[0] != 3 else array
    return np.ascontiguousarray(np.transpose(rgb, (1, 2, 0)))


def heat_colors(attribution: Any, scale: float | None = None) -> np.ndarray:
    """H x W x 3 floats in [0, 1]: |attribution| / scale through the heat colour map."""
    values = np.abs(np.asarray(attribution, dtype=np.float32))
    top = float(scale) if scale else float(values.max(initial=0.0))
    normed = values / top if top > 0 else values
    lookup = pg.colormap.get(HEAT_MAP).getLookupTable(0.0, 1.0, 256, alpha=False)
    index = np.clip((normed * 255).astype(np.int64), 0, 255)
    return lookup[index][..., :3].astype(np.float32) / 255.0


def rgb_pixmap(rgb: np.ndarray, size: int) -> QtGui.QPixmap:
    """A square-ish pixmap ``size`` pixels high of an H x W x 3 [0, 1] array (pixels kept
    sharp: small images are scaled up without smoothing)."""
    data = np.ascontiguousarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))
    h, w = data.shape[:2]
    image = QtGui.QImage(data.data, w, h, 3 * w, QtGui.QImage.Format_RGB888).copy()
    return QtGui.QPixmap.fromImage(image).scaledToHeight(size, QtCore.Qt.FastTransformation)


def overlay_pixmap(image: Any, attribution: Any, size: int, alpha: float = 0.55,
                   scale: float | None = None) -> QtGui.QPixmap:
    """The image with its attribution's heat map laid over it (or the heat map alone)."""
    heat = heat_colors(attribution, scale)
    if image is None:
        return rgb_pixmap(heat, size)
    base = gray_or_rgb(image)
    if base.shape[:2] != heat.shape[:2]:
        return rgb_pixmap(heat, size)
    return rgb_pixmap((1 - alpha) * base + alpha * heat, size)


def new_plot(bottom: str = "", left: str = "") -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setBackground("w")
    plot.showGrid(x=True, y=False, alpha=0.3)
    for side, text in (("bottom", bottom), ("left", left)):
        plot.setLabel(side, text)
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.setMenuEnabled(False)
    return plot


def hbars(plot: pg.PlotWidget, names: Sequence[str], series: Sequence[tuple[Sequence[float],
          str]], errors: Sequence[float] | None = None, limit: int = 30) -> list[Any]:
    """Horizontal bars, first name at the top; ``series`` is (values, colour) pairs drawn
    side by side per name; ``errors`` (one per name) are error bars on the first series."""
    plot.clear()
    names = list(names)[:limit]
    n, k = len(names), max(1, len(series))
    height = 0.8 / k
    items: list[Any] = []
    ys = np.arange(n, dtype=float)[::-1]  # first name on top
    for j, (values, color) in enumerate(series):
        values = np.asarray(list(values)[:n], dtype=float)
        offset = (k - 1) / 2 * height - j * height
        bars = pg.BarGraphItem(x0=np.minimum(values, 0), y=ys + offset, height=height * 0.9,
                               width=np.abs(values), brush=pg.mkBrush(color),
                               pen=pg.mkPen(None))
        plot.addItem(bars)
        items.append(bars)
        if j == 0 and errors is not None:
            err = np.asarray(list(errors)[:n], dtype=float)
            bar = pg.ErrorBarItem(x=values, y=ys + offset, left=err, right=err, beam=0.2,
                                  pen=pg.mkPen("#212529", width=1.2))
            plot.addItem(bar)
            items.append(bar)
    plot.getAxis("left").setTicks([[(float(y), short(name)) for y, name in zip(ys, names)]])
    plot.addLine(x=0, pen=pg.mkPen("#495057", width=1))
    plot.getViewBox().autoRange(padding=0.08)
    return items


def short(text: Any, width: int = 22) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def fmt(value: Any, spec: str = ".3f") -> str:
    return "–" if value is None else format(value, spec)
