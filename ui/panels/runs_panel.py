"""The project's runs: config and final metrics of each; select runs to overlay their curves.

``set_project_dir`` points the panel at a project folder and ``refresh`` (also called when a
run finishes) re-reads ``list_runs``. Selecting runs emits ``overlayRequested`` with
``[(label, metric records)]`` read from each run's ``metrics.jsonl``; the dashboard draws them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

COLUMNS = ["run", "result", "epochs", "val accuracy", "val loss", "dataset", "optimizer"]


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


def _number(value: Any, fmt: str) -> str:
    return format(value, fmt) if isinstance(value, (int, float)) else "–"


class RunsPanel(QtWidgets.QWidget):
    """A table of runs with a details box; multi-selection drives the overlays."""

    overlayRequested = QtCore.Signal(list)
    exportRequested = QtCore.Signal(str)  # run folder

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_dir: Path | None = None
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip("Runs of this project. Select two or more (Ctrl/Shift-click) to "
                              "overlay their training and validation curves on the dashboard.")
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.details = QtWidgets.QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select a run to see its settings and final metrics.")
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
        split.setSizes([200, 100])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.runs: list[Any] = []

    def set_project_dir(self, project_dir: str | Path | None) -> None:
        self.project_dir = Path(project_dir) if project_dir else None
        self.refresh()

    def refresh(self) -> None:
        """Re-read the runs, keeping the selection where the runs still exist."""
        from workbench.runs.run_store import list_runs

        selected = {r.path for r in self.selected_runs()}
        self.runs = list(reversed(list_runs(self.project_dir))) if self.project_dir else []
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.runs))
        for row, run in enumerate(self.runs):
            self._fill_row(row, run)
        self.table.clearSelection()
        for row, run in enumerate(self.runs):
            if run.path in selected:
                self._add_row(row)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        where = str(self.project_dir) if self.project_dir else "no project folder"
        self.note.setText(f"{len(self.runs)} run(s) in {where}")
        self._on_selection()

    def _add_row(self, row: int) -> None:
        model = self.table.selectionModel()
        index = self.table.model().index(row, 0)
        model.select(index, QtCore.QItemSelectionModel.Select | QtCore.QItemSelectionModel.Rows)

    def _fill_row(self, row: int, run: Any) -> None:
        summary = run.read_summary() or {}
        try:
            config = run.config
            tooltip = describe_config(config)
        except (ValueError, OSError) as exc:
            config, tooltip = {}, f"config unreadable: {exc}"
        result = summary.get("stopped_reason", "running or interrupted")
        values = [run.path.name, result, str(summary.get("epochs_run", "–")),
                  _number(summary.get("val_accuracy"), ".1%"),
                  _number(summary.get("val_loss"), ".4f"),
                  config.get("dataset", {}).get("name", "?"),
                  config.get("training", {}).get("optimizer", "?")]
        for col, value in enumerate(values):
            item = QtWidgets.QTableWidgetItem(value)
            item.setToolTip(tooltip)
            self.table.setItem(row, col, item)

    def selected_runs(self) -> list[Any]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.runs[r] for r in rows if r < len(self.runs)]

    def select_runs(self, run_dirs: list[str | Path]) -> None:
        """Select these runs (by folder) and overlay them."""
        wanted = {Path(p).resolve() for p in run_dirs}
        self.table.blockSignals(True)
        self.table.clearSelection()
        for row, run in enumerate(self.runs):
            if run.path.resolve() in wanted:
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

    def _on_selection(self) -> None:
        runs = self.selected_runs()
        self.export_button.setEnabled(len(runs) == 1 and runs[0].has_weights())
        if len(runs) == 1:
            run = runs[0]
            summary = run.read_summary() or {}
            try:
                config_text = describe_config(run.config)
            except (ValueError, OSError) as exc:
                config_text = f"config unreadable: {exc}"
            shown = {k: v for k, v in summary.items() if k != "findings"}
            self.details.setPlainText(f"{run.path}\n{config_text}\n\nsummary: "
                                      f"{json.dumps(shown, indent=1, default=str)}")
        elif runs:
            self.details.setPlainText("\n".join(f"{r.path.name}" for r in runs))
        else:
            self.details.clear()
        self.overlayRequested.emit([(r.path.name, r.metrics.read()) for r in runs])
