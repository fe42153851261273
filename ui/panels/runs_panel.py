"""The project's runs as a tree (each run under the run it was made from): key final metrics
and the settings that differ between them; select runs to compare them side by side and
overlay their curves.

``set_project_dir`` points the panel at a project folder and ``refresh`` (also called when a
run finishes) re-reads ``list_runs``. Columns: run, result, the final metrics that apply to the
runs listed (accuracy for classification, MAE / RMSE / R² for regression, see
``run_compare.key_metrics``), how often the test split was looked at (when any run was), and
every setting whose value differs between the listed runs (lr, optimizer, batch_size, dataset,
…), and "relation" (fine-tuned-from, pruned-from, ...) when any run has a parent. Newest
first at every level; click a header to sort siblings. Selecting runs emits
``overlayRequested`` with ``[(label, metric records)]`` read from each run's ``metrics.jsonl``
(the dashboard draws them); two or more selected show a side-by-side diff of their settings
and final metrics; one selected shows its ancestry (root → … → run, with relations). The
context menu's "Fine-tune from run…" emits ``fine_tune_requested(run folder)``, "Distill from
run…" ``distill_requested(run folder)``, "Prune…" ``prune_requested(run folder)`` and
"Quantize…" ``quantize_requested(run folder)`` (both only for a float run with weights).
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
from ui.panels.run_tree import RUN_ROLE, SORT_ROLE, RunItem, RunTree, ancestry_text


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


def is_float_run(run: Any) -> bool:
    """Whether ``run`` has float weights to prune or quantize (not an int8 variant)."""
    from workbench.export.int8_bundle import is_int8_variant

    return run.has_weights() and not is_int8_variant(run.path)


def can_export(run: Any) -> bool:
    """Whether ``run`` has something to export: saved weights, or an int8 model artifact."""
    from workbench.export.int8_bundle import is_int8_variant

    return run.has_weights() or is_int8_variant(run.path)


class RunsPanel(QtWidgets.QWidget):
    """A sortable tree of runs over their ancestry and a details / comparison view; selection
    drives overlays."""

    overlayRequested = QtCore.Signal(list)
    exportRequested = QtCore.Signal(str)  # run folder
    fine_tune_requested = QtCore.Signal(str)  # run folder whose weights start a new run
    distill_requested = QtCore.Signal(str)  # run folder of the teacher to distill from
    prune_requested = QtCore.Signal(str)  # run folder to prune into a smaller run
    quantize_requested = QtCore.Signal(str)  # run folder to quantize to int8

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_dir: Path | None = None
        self.table = RunTree()
        self.table.setToolTip("Runs of this project, each under the run it was made from, with "
                              "their final metrics and the settings that differ between them; "
                              "click a header to sort. Select two or more (Ctrl/Shift-click) "
                              "to compare them and overlay their curves on the dashboard; "
                              "right-click a run to fine-tune from it.")
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.ancestry = QtWidgets.QLabel("")
        self.ancestry.setWordWrap(True)
        self.ancestry.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.ancestry.setToolTip("Where the selected run comes from: the root run first, each "
                                 "later run with how it was made from the one before.")
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
        lower = QtWidgets.QWidget()
        lower_layout = QtWidgets.QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.ancestry)
        lower_layout.addWidget(self.details, 1)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([120, 200])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.runs: list[Any] = []  # newest first by creation time (not the tree's order)
        self.infos: list[RunInfo] = []
        self.columns: list[str] = []
        self.nodes: dict[Path, Any] = {}  # run path -> workbench.runs.lineage.TreeNode

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
        from workbench.runs.lineage import build_tree
        from workbench.runs.run_store import list_runs

        selected = {r.path for r in self.selected_runs()}
        roots = build_tree(list_runs(self.project_dir)) if self.project_dir else []
        ordered = _newest_first(roots)
        self.nodes = {node.run.path: node for node in ordered}
        # newest first by creation, as before the tree (callers take runs[0] as the newest)
        self.runs = sorted((node.run for node in ordered),
                           key=lambda r: (r.created, r.path.name), reverse=True)
        self.infos = [RunInfo(run) for run in self.runs]
        position = {run.path: i for i, run in enumerate(self.runs)}
        metrics = key_metrics([i.task for i in self.infos])
        looks = any(i.test_looks for i in self.infos)
        relations = any(node.relation for node in ordered)
        settings = setting_columns([i.settings for i in self.infos]) if self.infos else []
        headers = ["run"] + (["relation"] if relations else []) + ["result"] + \
            [m.header for m in metrics] + (["test looks"] if looks else []) + settings
        self.columns = headers
        first_metric = headers.index("result") + 1
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHeaderLabels(headers)
        header_item = self.table.headerItem()
        for col, metric in enumerate(metrics, start=first_metric):
            header_item.setToolTip(col, metric.tooltip)
        for col in range(len(headers) - len(settings), len(headers)):
            header_item.setToolTip(col, "A setting whose value differs between the listed runs.")
        items: dict[Path, QtWidgets.QTreeWidgetItem] = {}
        for node in ordered:
            index = position[node.run.path]
            info = self.infos[index]
            holder = items.get(node.parent.path) if node.parent is not None else None
            item = RunItem(holder) if holder is not None else RunItem(self.table)
            self._fill_item(item, index, info, node, metrics, looks, relations, settings,
                            first_metric)
            items[node.run.path] = item
        self.table.expandAll()
        self.table.setSortingEnabled(True)
        for path, item in items.items():
            if path in selected:
                item.setSelected(True)
        self.table.blockSignals(False)
        self.table.resize_columns()
        where = str(self.project_dir) if self.project_dir else "no project folder"
        self.note.setText(f"{len(self.runs)} run(s) in {where}")
        self._on_selection()

    def _fill_item(self, item: QtWidgets.QTreeWidgetItem, index: int, info: RunInfo,
                   node: Any, metrics: list[MetricColumn], looks: bool, relations: bool,
                   settings: list[str], first_metric: int) -> None:
        summary = info.summary
        cells: list[tuple[str, Any]] = [(info.run.path.name, info.run.path.name)]
        if relations:
            cells.append((node.relation or "–", node.relation))
        cells.append((summary.get("stopped_reason", "running or interrupted"),
                       summary.get("stopped_reason", "")))
        cells += [(m.text(summary), m.sort_key(summary)) for m in metrics]
        if looks:
            cells.append((format_value(info.test_looks), info.test_looks or 0))
        for name in settings:
            value = info.settings.get(name)
            cells.append((format_value(value), value if value is not None else ""))
        tooltip = info.tooltip + (f"\n{node.note}" if node.note else "")
        for col, (text, key) in enumerate(cells):
            item.setText(col, text)
            item.setData(col, SORT_ROLE, key)
            item.setToolTip(col, tooltip)
            if first_metric <= col < first_metric + len(metrics):
                item.setTextAlignment(col, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
        item.setData(0, RUN_ROLE, index)

    def _run_of(self, item: QtWidgets.QTreeWidgetItem) -> Any:
        return self.runs[int(item.data(0, RUN_ROLE))]

    def column_texts(self, header: str) -> list[str]:
        """The texts of one column, top to bottom (as shown, after any sort)."""
        col = self.columns.index(header)
        return [item.text(col) for item in self.table.row_items()]

    # selection -------------------------------------------------------------------------------
    def selected_runs(self) -> list[Any]:
        """The selected runs, top to bottom as shown."""
        return [self._run_of(item) for item in self.table.row_items() if item.isSelected()]

    def select_runs(self, run_dirs: list[str | Path]) -> None:
        """Select these runs (by folder) and overlay them."""
        wanted = {Path(p).resolve() for p in run_dirs}
        self.table.blockSignals(True)
        self.table.clearSelection()
        for item in self.table.row_items():
            if self._run_of(item).path.resolve() in wanted:
                item.setSelected(True)
        self.table.blockSignals(False)
        self._on_selection()

    def exportable_run(self) -> Any | None:
        """The run an export would use: the one selected, else the newest with weights."""
        selected = self.selected_runs()
        candidates = selected if len(selected) == 1 else ([] if selected else self.runs)
        return next((r for r in candidates if can_export(r)), None)

    def _request_export(self) -> None:
        run = self.exportable_run()
        if run is not None:
            self.exportRequested.emit(str(run.path))

    # context menu ----------------------------------------------------------------------------
    def context_menu(self, run: Any) -> QtWidgets.QMenu:
        """The menu for ``run``: fine-tune or distill from it (when it has weights), prune or
        quantize it (a float run with weights), export it."""
        menu = QtWidgets.QMenu(self)
        fine_tune = menu.addAction("Fine-tune from run…")
        fine_tune.setToolTip("Start a new run whose first weights are this run's best weights; "
                             "it is listed under this run as fine-tuned-from.")
        fine_tune.setEnabled(run.has_weights())
        fine_tune.triggered.connect(lambda: self.fine_tune_requested.emit(str(run.path)))
        distill = menu.addAction("Distill from run…")
        distill.setToolTip("Train the network on the canvas (or a smaller copy of this run's) "
                           "to follow this run's predictions; listed under it as "
                           "distilled-from.")
        distill.setEnabled(run.has_weights())
        distill.triggered.connect(lambda: self.distill_requested.emit(str(run.path)))
        float_run = is_float_run(run)
        prune = menu.addAction("Prune…")
        prune.setToolTip("Remove the least important channels of this run's network into a "
                         "smaller run (optionally fine-tuned); listed under it as pruned-from.")
        prune.setEnabled(float_run)
        prune.triggered.connect(lambda: self.prune_requested.emit(str(run.path)))
        quantize = menu.addAction("Quantize…")
        quantize.setToolTip("Make an int8 variant of this run with ONNX Runtime, measured on "
                            "this machine; listed under it as quantized-from.")
        quantize.setEnabled(float_run)
        quantize.triggered.connect(lambda: self.quantize_requested.emit(str(run.path)))
        export = menu.addAction("Export to ONNX…")
        export.setEnabled(can_export(run))
        export.triggered.connect(lambda: self.exportRequested.emit(str(run.path)))
        return menu

    def _show_context_menu(self, pos: QtCore.QPoint) -> None:
        item = self.table.itemAt(pos)
        if item is None:
            return
        menu = self.context_menu(self._run_of(item))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def ancestry_of(self, run: Any) -> str:
        """The ancestry line for ``run`` (rich text; see run_tree.ancestry_text)."""
        from workbench.runs.lineage import ancestry

        node = self.nodes.get(run.path)
        chain = ancestry(run, self.runs)
        relations = {n.run.path: n.relation for n in self.nodes.values()}
        return ancestry_text(chain, relations, node.note if node is not None else "")

    def _info(self, run: Any) -> RunInfo:
        return next((i for i in self.infos if i.run is run), None) or RunInfo(run)

    def _on_selection(self) -> None:
        runs = self.selected_runs()
        self.export_button.setEnabled(len(runs) == 1 and can_export(runs[0]))
        self.ancestry.setText(self.ancestry_of(runs[0]) if len(runs) == 1 else "")
        self.ancestry.setVisible(len(runs) == 1)
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


def _newest_first(roots: list[Any]) -> list[Any]:
    """Tree nodes in display order: newest first at every level, parents before children."""
    out: list[Any] = []
    stack = list(roots)  # build_tree gives oldest first: popping from the end is newest first
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out
