"""Per-layer summary: output shape, parameters and multiply-accumulates, with totals.

A ``QTableView`` over ``SummaryModel``, a table model of plain row tuples. ``show_analysis``
builds the rows (cheap string work) and the model compares them with what it holds: when the
same layers are listed in the same order only the rows whose text changed are announced
(``dataChanged``), so a parameter edit on a 300-layer network repaints a row or two instead of
re-creating every cell; adding, removing or reordering layers resets the model once.
"""

from __future__ import annotations

import heapq
from typing import Any, NamedTuple

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.graph.layer_type import fmt_shape
from workbench.graph.shape_inference import Analysis
from workbench.graph.spec import GraphSpec

COLUMNS = ["Layer", "Type", "Output shape", "Parameters", "MACs"]
NUMERIC_FROM = 3  # columns from here on are right-aligned numbers
ERROR_COLOR = QtGui.QColor("#b71c1c")
# Qt's enums are slow to compare and combine in PySide6; data() is called per cell and role,
# so it works with plain ints.
DISPLAY = int(QtCore.Qt.DisplayRole.value)
ALIGNMENT = int(QtCore.Qt.TextAlignmentRole.value)
FOREGROUND = int(QtCore.Qt.ForegroundRole.value)
FONT = int(QtCore.Qt.FontRole.value)
RIGHT = int((QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter).value)


class SummaryRow(NamedTuple):
    layer: str
    type: str
    shape: str
    params: str
    macs: str
    has_error: bool = False


def _count(n: int) -> str:
    return f"{n:,}"


def summary_rows(spec: GraphSpec, analysis: Analysis) -> tuple[list[SummaryRow], SummaryRow]:
    """The per-layer rows (analysis order, then layers it could not order) and the total."""
    types = {n.id: n.type for n in spec.nodes}
    erroneous = {p.node_id for p in analysis.problems if p.severity == "error"}
    ordered = set(analysis.order)
    order = [i for i in analysis.order if i in types] + \
        [n.id for n in spec.nodes if n.id not in ordered]
    rows = []
    for node_id in order:
        info = analysis.nodes.get(node_id)
        shape = fmt_shape(info.output_shape) if info and info.output_shape is not None else "—"
        rows.append(SummaryRow(node_id, types[node_id], shape,
                               _count(info.params) if info else "—",
                               _count(info.macs) if info else "—", node_id in erroneous))
    total = SummaryRow("Total", f"{len(analysis.live)} layers in the model", "",
                       _count(analysis.total_params), _count(analysis.total_macs))
    return rows, total


class SummaryModel(QtCore.QAbstractTableModel):
    """Rows of ``SummaryRow`` plus a bold total row at the bottom; updated in place."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SummaryRow] = []
        self.total = SummaryRow("Total", "0 layers in the model", "", "0", "0")
        self.resets = 0  # how many times the whole table was rebuilt (tests, benchmarks)
        self._bold = QtGui.QFont()
        self._bold.setBold(True)

    # Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows) + 1

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()  # noqa: N802
                    ) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation,  # noqa: N802
                   role: int = QtCore.Qt.DisplayRole) -> Any:
        if role == QtCore.Qt.DisplayRole and orientation == QtCore.Qt.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QtCore.QModelIndex, role: int = DISPLAY) -> Any:
        role = int(role)
        if role == DISPLAY:
            return self.row_at(index.row())[index.column()]
        if role == ALIGNMENT:
            return RIGHT if index.column() >= NUMERIC_FROM else None
        if role == FOREGROUND:
            return ERROR_COLOR if self.row_at(index.row()).has_error else None
        if role == FONT and index.row() == len(self.rows):
            return self._bold
        return None

    # updates ----------------------------------------------------------------------------
    def row_at(self, row: int) -> SummaryRow:
        return self.rows[row] if row < len(self.rows) else self.total

    def update(self, rows: list[SummaryRow], total: SummaryRow) -> int:
        """Show these rows; returns how many rows were announced as changed (a reset counts
        every row)."""
        if [r.layer for r in rows] != [r.layer for r in self.rows]:
            self.beginResetModel()
            self.rows, self.total = list(rows), total
            self.endResetModel()
            self.resets += 1
            return len(rows) + 1
        changed = [i for i, (old, new) in enumerate(zip(self.rows, rows)) if old != new]
        self.rows = list(rows)
        if total != self.total:
            self.total = total
            changed.append(len(rows))
        last_column = len(COLUMNS) - 1
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        return len(changed)


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive indices grouped into (first, last) ranges."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class SummaryPanel(QtWidgets.QTableView):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_model = SummaryModel(self)
        self.setModel(self.summary_model)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        # ResizeToContents would measure every row on every change; widths are fitted to the
        # visible rows when the set of layers changes, and stay put for in-place updates.
        header.setSectionResizeMode(QtWidgets.QHeaderView.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(200)
        self.last_changed_rows = 0

    def show_analysis(self, spec: GraphSpec, analysis: Analysis) -> None:
        rows, total = summary_rows(spec, analysis)
        resets = self.summary_model.resets
        self.last_changed_rows = self.summary_model.update(rows, total)
        if self.summary_model.resets != resets:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Column widths from the longest texts, measured on a few candidates per column
        (``resizeColumnsToContents`` asks the model for every cell: 0.1 s at 300 layers)."""
        model = self.summary_model
        plain, bold = self.fontMetrics(), QtGui.QFontMetrics(model._bold)
        header = self.horizontalHeader().fontMetrics()
        for col, title in enumerate(COLUMNS[:-1]):  # the last column stretches
            longest = heapq.nlargest(5, (row[col] for row in model.rows), key=len)
            width = max([plain.horizontalAdvance(t) for t in longest] +
                        [bold.horizontalAdvance(model.total[col]),
                         header.horizontalAdvance(title) + 12])
            self.setColumnWidth(col, width + 16)

    def cell(self, row: int, column: int) -> str:
        """The text shown in a cell (row ``rowCount() - 1`` is the total)."""
        return self.summary_model.row_at(row)[column]

    def rowCount(self) -> int:  # noqa: N802 - mirrors QTableWidget for callers
        return self.summary_model.rowCount()

    def totals(self) -> tuple[str, str]:
        total = self.summary_model.total
        return total.params, total.macs
