"""Compression panel: one table comparing the selected run's family of variants (teacher,
students, pruned and int8 runs), an accuracy-vs-latency scatter with the Pareto front
highlighted, Export on a row, and "Prune…" / "Quantize…" for a float row (the window's
``ui.compress_actions`` opens the dialogs; a new variant's row is selected once measured).

The figures come from ``workbench.compress.compare.compare_runs`` (file size and onnxruntime
latency measured side by side, cached in each run folder), run off the GUI thread through
``ui.workers.BackgroundCall``. The family is the root of the selected run's ancestry and all
its descendants in the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

COLUMNS = ["run", "relation", "format", "val", "test", "params", "MACs", "size KB",
           "b1 ms", "b64 ms", "× b64", "× size"]
FRONT_COLOR = "#d9480f"
OTHER_COLOR = "#868e96"


def cell_texts(row: dict[str, Any]) -> list[str]:
    """The table cells of one compare row."""
    regression = row.get("task") == "regression"
    val = row.get("val_mae") if regression else row.get("val_accuracy")
    test = row.get("test_mae") if regression else row.get("test_accuracy")

    def num(value: Any, fmt: str = ".4g") -> str:
        return "–" if value is None else format(value, fmt)

    from workbench.compress.compare import short_name

    return [short_name(row["name"]), row["relation"], row["format"], num(val), num(test),
            num(row.get("params"), ","), num(row.get("macs"), ","),
            num(None if row["file_bytes"] is None else row["file_bytes"] / 1024, ".1f"),
            num(row["latency_ms"]["1"], ".3f"),
            num(row["latency_ms"]["64"], ".3f"), num(row["speedup"]["64"], ".2f"),
            num(row["size_reduction"], ".2f")]


class CompressionPanel(QtWidgets.QWidget):
    """Compare table + scatter for a family of runs; measuring runs on a worker thread."""

    exportRequested = QtCore.Signal(str)  # run folder of the chosen row
    pruneRequested = QtCore.Signal(str)   # run folder of the chosen (float) row
    quantizeRequested = QtCore.Signal(str)
    measured = QtCore.Signal(dict)        # the compare table, once shown
    failed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.table_data: dict[str, Any] | None = None
        self.front: list[int] = []
        self._job: Any = None
        self._pending: tuple[Path, bool] | None = None
        self._select_after: str | None = None  # a run folder whose row is selected once shown
        self.title = QtWidgets.QLabel("Select a run in the Runs panel to compare its variants.")
        self.title.setWordWrap(True)
        self.threads = QtWidgets.QSpinBox()
        self.threads.setRange(1, 64)
        self.threads.setToolTip("onnxruntime intra-op threads for the latency figures "
                                "(pinned; figures are cached per thread count)")
        self.measure_button = QtWidgets.QPushButton("Measure again")
        self.measure_button.setToolTip("Measure every run of the family again, side by side, "
                                       "instead of using the figures cached in the run folders")
        self.measure_button.clicked.connect(lambda: self.measure(remeasure=True))
        self.export_button = QtWidgets.QPushButton("Export…")
        self.export_button.setToolTip("Export the selected row as a verified ONNX bundle")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._request_export)
        self.prune_button = QtWidgets.QPushButton("Prune…")
        self.prune_button.setToolTip("Remove channels of the selected row's network (structured "
                                     "pruning) into a smaller run listed under it")
        self.quantize_button = QtWidgets.QPushButton("Quantize…")
        self.quantize_button.setToolTip("Make an int8 variant of the selected row with ONNX "
                                        "Runtime, measured on this machine")
        for button, signal in ((self.prune_button, self.pruneRequested),
                               (self.quantize_button, self.quantizeRequested)):
            button.setEnabled(False)
            button.clicked.connect(lambda _c=False, s=signal: self._request(s))
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QtWidgets.QLabel("threads"))
        top.addWidget(self.threads)
        top.addWidget(self.measure_button)
        top.addWidget(self.prune_button)
        top.addWidget(self.quantize_button)
        top.addWidget(self.export_button)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("×: speed-up at batch 64 and size reduction vs the first row "
                              "(the family's root); test scores only where the run was "
                              "evaluated on the test split. Bold: on the Pareto front.")
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setLabel("bottom", "latency at batch 64 (ms)")
        self.plot.setLabel("left", "validation accuracy")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen(None))
        self.front_line = pg.PlotDataItem(pen=pg.mkPen(FRONT_COLOR, width=1.5,
                                                       style=QtCore.Qt.DashLine))
        self.selected_marker = pg.ScatterPlotItem(size=16, brush=pg.mkBrush(None),
                                                  pen=pg.mkPen("#1c7ed6", width=2))
        for item in (self.front_line, self.scatter, self.selected_marker):
            self.plot.addItem(item)
        self.scatter.sigClicked.connect(self._on_point_clicked)
        self.labels: list[pg.TextItem] = []
        split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.plot)
        split.setSizes([640, 360])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    # which family --------------------------------------------------------------------------
    def set_run(self, run_dir: str | Path | None) -> None:
        """Show the family of ``run_dir`` (measured now when the panel is visible, else when
        it is shown)."""
        new = Path(run_dir) if run_dir else None
        if new == self.run_dir and self.table_data is not None:
            return
        self.run_dir = new
        if new is None:
            return
        if not self.isVisible():
            self.table_data = None  # measured when shown (showEvent)
        self.title.setText(f"Family of {new.name} (its root run and every variant made "
                           f"from it)")
        if self.isVisible():
            self.measure()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.run_dir is not None and self.table_data is None and not self.is_running():
            self.measure()

    # measuring -----------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._job is not None and self._job.is_running()

    def measure(self, remeasure: bool = False) -> None:
        """Compare the family on a worker thread; a request while one runs waits for it."""
        from ui.workers import BackgroundCall
        from workbench.compress.compare import compare_runs, family_of, open_run

        if self.run_dir is None:
            return
        if self.is_running():
            self._pending = (self.run_dir, remeasure)
            return
        run_dir, threads = self.run_dir, self.threads.value()

        def work() -> dict[str, Any]:
            root = family_of(open_run(run_dir), from_root=True)[0]
            return compare_runs([], family=root.path, threads=threads, remeasure=remeasure)

        self.status.setText(f"measuring file sizes and onnxruntime latency ({threads} "
                            f"thread(s)), side by side…")
        self.measure_button.setEnabled(False)
        self._job = BackgroundCall(work)
        self._job.worker.result.connect(self._on_result)
        self._job.worker.error.connect(self._on_error)
        self._job.thread.finished.connect(self._on_finished)
        self._job.start()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the running measurement has ended (tests)."""
        return self._job is None or self._job.wait(timeout_ms)

    def _on_finished(self) -> None:
        self.measure_button.setEnabled(True)
        if self._pending is not None:
            run_dir, remeasure = self._pending
            self._pending = None
            self.run_dir = run_dir
            self.measure(remeasure)

    def _on_error(self, message: str) -> None:
        self.status.setText(f"Cannot compare this family: {message}")
        self.failed.emit(message)

    def _on_result(self, table: dict[str, Any]) -> None:
        from workbench.compress.compare import pareto_front

        self.table_data = table
        rows = table["rows"]
        self.front = pareto_front(rows)
        self._fill_table(rows)
        self._fill_plot(rows)
        cached = sum(1 for r in rows if r["measured"] == "cached")
        self.status.setText(
            f"{len(rows)} run(s); onnxruntime CPU, {table['threads']} intra-op thread(s) "
            f"(pinned), median of interleaved rounds" +
            (f"; {cached} from the runs' cache (Measure again to refresh)" if cached else "") +
            ". Pareto front: no other run is both faster and more accurate.")
        if rows:
            self.title.setText(f"Family of {cell_texts(rows[0])[0]}: {len(rows)} run(s), the "
                               f"root and every variant made from it")
        if self._select_after is not None:
            wanted, self._select_after = Path(self._select_after).resolve(), None
            for r, row in enumerate(rows):
                if Path(row["run_dir"]).resolve() == wanted:
                    self.table.selectRow(r)
        self.measured.emit(table)

    def select_after_measure(self, run_dir: str | Path) -> None:
        """Select ``run_dir``'s row when the next table is shown (a variant just written)."""
        self._select_after = str(run_dir)

    # showing -------------------------------------------------------------------------------
    def _fill_table(self, rows: list[dict[str, Any]]) -> None:
        regression = bool(rows) and rows[0].get("task") == "regression"
        headers = list(COLUMNS)
        headers[3:5] = ["val MAE", "test MAE"] if regression else ["val acc", "test acc"]
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        bold = QtGui.QFont()
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(cell_texts(row)):
                item = QtWidgets.QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                if r in self.front:
                    item.setFont(bold)
                item.setToolTip(row["run_dir"] + (f"\nnot measured: {row['note']}"
                                                  if row.get("note") else ""))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def _fill_plot(self, rows: list[dict[str, Any]]) -> None:
        regression = bool(rows) and rows[0].get("task") == "regression"
        self.plot.setLabel("left", "validation MAE (lower is better)" if regression
                           else "validation accuracy")
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        spots = []
        xs = [r["latency_ms"]["64"] for r in rows if r["latency_ms"]["64"] is not None]
        middle = (min(xs) + max(xs)) / 2 if xs else 0.0
        for i, row in enumerate(rows):
            y = row.get("val_mae") if regression else row.get("val_accuracy")
            if y is None or row["latency_ms"]["64"] is None:
                continue
            on_front = i in self.front
            spots.append({"pos": (row["latency_ms"]["64"], y), "data": i,
                          "brush": pg.mkBrush(FRONT_COLOR if on_front else OTHER_COLOR),
                          "size": 12 if on_front else 9})
            right = row["latency_ms"]["64"] > middle  # labels stay inside the plot
            label = pg.TextItem(point_label(row, rows[0]),
                                color=FRONT_COLOR if on_front else OTHER_COLOR,
                                anchor=(1, 1) if right else (0, 1))
            label.setPos(row["latency_ms"]["64"], y)
            self.plot.addItem(label)
            self.labels.append(label)
        self.scatter.setData(spots)
        front = [rows[i] for i in self.front]
        key = "val_mae" if regression else "val_accuracy"
        self.front_line.setData([r["latency_ms"]["64"] for r in front], [r[key] for r in front])
        self.selected_marker.setData([])
        self.plot.getViewBox().autoRange(padding=0.15)

    def _on_row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.export_button.setEnabled(bool(rows))
        float_row = bool(rows) and self.table_data is not None and \
            self.table_data["rows"][rows[0].row()].get("format") == "float32"
        self.prune_button.setEnabled(float_row)
        self.quantize_button.setEnabled(float_row)
        if not rows or self.table_data is None:
            self.selected_marker.setData([])
            return
        row = self.table_data["rows"][rows[0].row()]
        regression = row.get("task") == "regression"
        y = row.get("val_mae") if regression else row.get("val_accuracy")
        x = row["latency_ms"]["64"]
        self.selected_marker.setData([] if y is None or x is None else [{"pos": (x, y)}])

    def _on_point_clicked(self, _item: Any, points: Any, *_: Any) -> None:
        if len(points):
            self.table.selectRow(int(points[0].data()))

    def selected_run_dir(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.table_data is None:
            return None
        return self.table_data["rows"][rows[0].row()]["run_dir"]

    def _request_export(self) -> None:
        self._request(self.exportRequested)

    def _request(self, signal: Any) -> None:
        run_dir = self.selected_run_dir()
        if run_dir is not None:
            signal.emit(run_dir)


def point_label(row: dict[str, Any], root: dict[str, Any]) -> str:
    """A point's label: the run name without its time stamp, and without the root's name
    for the root's variants ("cnn_digits-pruned-ft" -> "…-pruned-ft")."""
    from workbench.compress.compare import short_name

    name, base = short_name(row["name"]), short_name(root["name"])
    if row is not root and name.startswith(f"{base}-"):
        name = f"…{name[len(base):]}"
    return f" {name} "


def install_compression_panel(window: Any) -> CompressionPanel:
    """Add the Compression dock and View > Compression to ``window`` (a MainWindow after its
    training docks exist): follows the Runs panel's selection; Export opens the app's export
    dialog for the row; Prune / Quantize (Train menu, Runs panel, the dock's buttons) through
    ``ui.compress_actions`` (``panel.actions``)."""
    from ui.commands import Command
    from ui.compress_actions import install_compress_actions
    from ui.panels.run_dock import add_run_dock

    panel = CompressionPanel()
    show = add_run_dock(window, "compression", "Compression", panel, tab_with="problems")
    panel.exportRequested.connect(lambda run_dir: export_row(window, run_dir))
    window.registry.add(Command(
        "view.compression", "&Compression (compare variants)", show, None, "&View",
        tooltip="Compare the selected run's variants (distilled, pruned, int8): accuracy, "
                "size, MACs and measured latency, with the accuracy-vs-latency Pareto front"))
    panel.actions = install_compress_actions(window, panel)
    return panel


def export_row(window: Any, run_dir: str) -> Any:
    """Open the app's export dialog for ``run_dir``; an int8 variant (no safetensors, an int8
    ONNX file) is exportable too."""
    from workbench.export.int8_bundle import is_int8_variant

    dialog = window.training.export_run(run_dir)
    if dialog is not None and is_int8_variant(run_dir):
        dialog.export_button.setEnabled(True)
        dialog.run_label.setText(f"{dialog.run_label.text().split(' · no saved weights')[0]}"
                                 f" · int8 variant: exports its int8 ONNX model, verified "
                                 f"against its float parent")
    return dialog
