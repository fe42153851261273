"""The project's runs: key final metrics and the settings that differ between them; select
runs to compare them side by side and overlay their curves.

``set_project_dir`` points the panel at a project folder and ``refresh`` (also called when a
run finishes) re-reads ``list_runs``. Columns: run, result, the final metrics that apply to the
runs listed (accuracy for classification, MAE / RMSE / R² for regression, see
``run_compare.key_metrics``), how often the test split was looked at (when any run was), and
every setting whose value differs between the listed runs (lr, optimizer, batch_size, dataset,
…). Click a header to sort. Selecting runs emits ``overlayRequested`` with
``[(label, metric records)]`` read from each run's ``metrics.jsonl`` (the dashboard draws
them); two or more selected show a side-by-side diff of their settings and final metrics.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.run_compare import (
    MetricColumn,
    diff_html,
    format_value,
    key_metrics,
    run_settings,
    setting_columns,
    task_of,
)

RUN_ROLE = QtCore.Qt.UserRole + 1


def describe_config(config: dict[str, Any]) -> str:
    """A few lines saying how the run was set up."""
    training = config.get("training", {})
    dataset = config.get("dataset", {})
    graph = config.get("graph", {})
    layers = [n.get("type", "?") for n in graph.get("nodes", [])]
    lines = [f"dataset: {dataset.get('name', '?')} {dataset.get('options') or ''}".rstrip(),
             f"network: {graph.get('name', '?')} ({len(layers)} nodes: "
             f"{', '.join(layers[:8])}{', …' if len(layers) > 8 else ''})"]
    keys = ("epochs", "batch_size", "optimizer", "lr", "weight_decay", "schedule", "loss",
            "early_stopping", "seed", "device")
    lines.append(", ".join(f"{k}={training[k]}" for k in keys if k in training))
    return "\n".join(lines)


class SortItem(QtWidgets.QTableWidgetItem):
    """A cell that sorts by a key (numbers numerically, missing values first), not by text."""

    def __init__(self, text: str, key: Any) -> None:
        super().__init__(text)
        self.key = (0, float(key)) if isinstance(key, (int, float)) and \
            not isinstance(key, bool) else (1, str(key))

    def __lt__(self, other: QtWidgets.QTableWidgetItem) -> bool:
        if isinstance(other, SortItem):
            return self.key < other.key
        return super().__lt__(other)


class RunInfo:
    """What the table shows of one run, read once per refresh."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self.summary = run.read_summary() or {}
        try:
            self.config = run.config
            self.tooltip = describe_config(self.config)
        except (ValueError, OSError) as exc:
            self.config, self.tooltip = {}, f"config unreadable: {exc}"
        self.settings = run_settings(self.config)
        self.task = task_of(self.summary)
        looks = getattr(run, "test_looks", None)
        try:
            self.test_looks: int | None = int(looks()) if callable(looks) else None
        except (ValueError, OSError):
            self.test_looks = None


class RunsPanel(QtWidgets.QWidget):
    """A sortable table of runs over a details / comparison view; selection drives overlays."""

    overlayRequested = QtCore.Signal(list)
    exportRequested = QtCore.Signal(str)  # run folder

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_dir: Path | None = None
        self.table = QtWidgets.QTableWidget(0, 0)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSortIndicator(-1, QtCore.Qt.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setToolTip("Runs of this project with their final metrics and the settings "
                              "that differ between them; click a header to sort. Select two or "
                              "more (Ctrl/Shift-click) to compare them and overlay their "
                              "curves on the dashboard.")
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.details = QtWidgets.QTextBrowser()
        self.details.setPlaceholderText("Select a run to see its settings and final metrics; "
                                        "select two or more to compare them.")
        refresh = QtWidgets.QPushButton("Refresh")
        refresh.setToolTip("Read the project's run folders again.")
        refresh.clicked.connect(self.refresh)
        self.export_button = QtWidgets.QPushButton("Export to ONNX…")
        self.export_button.setToolTip("Export the selected run's best weights as a verified "
                                      "ONNX model with a deployment bundle.")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._request_export)
        self.note = QtWidgets.QLabel("")
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.export_button)
        top.addWidget(refresh)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([120, 200])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.runs: list[Any] = []
        self.infos: list[RunInfo] = []
        self.columns: list[str] = []

    # project ---------------------------------------------------------------------------------
    def set_project_dir(self, project_dir: str | Path | None) -> None:
        """Show this project's runs (a different project drops the old selection)."""
        new = Path(project_dir) if project_dir else None
        if new != self.project_dir:
            self.table.clearSelection()
        self.project_dir = new
        self.refresh()

    def reset(self) -> None:
        """No project: an empty table and no overlays."""
        self.set_project_dir(None)

    def refresh(self) -> None:
        """Re-read the runs, keeping the selection where the runs still exist."""
        from workbench.runs.run_store import list_runs

        selected = {r.path for r in self.selected_runs()}
        self.runs = list(reversed(list_runs(self.project_dir))) if self.project_dir else []
        self.infos = [RunInfo(run) for run in self.runs]
        metrics = key_metrics([i.task for i in self.infos])
        looks = any(i.test_looks for i in self.infos)
        settings = setting_columns([i.settings for i in self.infos]) if self.infos else []
        headers = ["run", "result"] + [m.header for m in metrics] + \
            (["test looks"] if looks else []) + settings
        self.columns = headers
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.clearSelection()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        for col, metric in enumerate(metrics, start=2):
            self.table.horizontalHeaderItem(col).setToolTip(metric.tooltip)
        for col in range(len(headers) - len(settings), len(headers)):
            self.table.horizontalHeaderItem(col).setToolTip(
                "A setting whose value differs between the listed runs.")
        self.table.setRowCount(len(self.runs))
        for row, info in enumerate(self.infos):
            self._fill_row(row, row, info, metrics, looks, settings)
        self.table.setSortingEnabled(True)
        for row in range(self.table.rowCount()):
            if self._run_at(row).path in selected:
                self._add_row(row)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        where = str(self.project_dir) if self.project_dir else "no project folder"
        self.note.setText(f"{len(self.runs)} run(s) in {where}")
        self._on_selection()

    def _fill_row(self, row: int, index: int, info: RunInfo, metrics: list[MetricColumn],
                  looks: bool, settings: list[str]) -> None:
        summary = info.summary
        cells: list[tuple[str, Any]] = [
            (info.run.path.name, info.run.path.name),
            (summary.get("stopped_reason", "running or interrupted"),
             summary.get("stopped_reason", ""))]
        cells += [(m.text(summary), m.sort_key(summary)) for m in metrics]
        if looks:
            cells.append((format_value(info.test_looks), info.test_looks or 0))
        for name in settings:
            value = info.settings.get(name)
            cells.append((format_value(value), value if value is not None else ""))
        for col, (text, key) in enumerate(cells):
            item = SortItem(text, key)
            item.setToolTip(info.tooltip)
            if col >= 2 and col < 2 + len(metrics):
                item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
            if col == 0:
                item.setData(RUN_ROLE, index)
            self.table.setItem(row, col, item)

    def _run_at(self, row: int) -> Any:
        item = self.table.item(row, 0)
        return self.runs[int(item.data(RUN_ROLE))]

    def _add_row(self, row: int) -> None:
        model = self.table.selectionModel()
        index = self.table.model().index(row, 0)
        model.select(index, QtCore.QItemSelectionModel.Select | QtCore.QItemSelectionModel.Rows)

    def column_texts(self, header: str) -> list[str]:
        """The texts of one column, top to bottom (as shown, after any sort)."""
        col = self.columns.index(header)
        return [self.table.item(r, col).text() for r in range(self.table.rowCount())]

    # selection -------------------------------------------------------------------------------
    def selected_runs(self) -> list[Any]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._run_at(r) for r in rows if r < self.table.rowCount()]

    def select_runs(self, run_dirs: list[str | Path]) -> None:
        """Select these runs (by folder) and overlay them."""
        wanted = {Path(p).resolve() for p in run_dirs}
        self.table.blockSignals(True)
        self.table.clearSelection()
        for row in range(self.table.rowCount()):
            if self._run_at(row).path.resolve() in wanted:
                self._add_row(row)
        self.table.blockSignals(False)
        self._on_selection()

    def exportable_run(self) -> Any | None:
        """The run an export would use: the one selected, else the newest with weights."""
        selected = self.selected_runs()
        candidates = selected if len(selected) == 1 else ([] if selected else self.runs)
        return next((r for r in candidates if r.has_weights()), None)

    def _request_export(self) -> None:
        run = self.exportable_run()
        if run is not None:
            self.exportRequested.emit(str(run.path))

    def _info(self, run: Any) -> RunInfo:
        return next((i for i in self.infos if i.run is run), None) or RunInfo(run)

    def _on_selection(self) -> None:
        runs = self.selected_runs()
        self.export_button.setEnabled(len(runs) == 1 and runs[0].has_weights())
        if len(runs) == 1:
            info = self._info(runs[0])
            shown = {k: v for k, v in info.summary.items() if k != "findings"}
            looks = "" if info.test_looks is None else \
                f"\ntest split looked at: {info.test_looks} times"
            self.details.setPlainText(f"{info.run.path}\n{info.tooltip}{looks}\n\nsummary: "
                                      f"{json.dumps(shown, indent=1, default=str)}")
        elif runs:
            infos = [self._info(r) for r in runs]
            self.details.setHtml(diff_html([i.run.path.name for i in infos],
                                           [i.settings for i in infos],
                                           [i.summary for i in infos],
                                           [i.test_looks for i in infos]))
        else:
            self.details.clear()
        self.overlayRequested.emit([(r.path.name, r.metrics.read()) for r in runs])
