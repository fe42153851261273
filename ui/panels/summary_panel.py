"""Per-layer summary: output shape, parameters and multiply-accumulates, with totals."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.graph.layer_type import fmt_shape
from workbench.graph.shape_inference import Analysis
from workbench.graph.spec import GraphSpec

COLUMNS = ["Layer", "Type", "Output shape", "Parameters", "MACs"]


def _count(n: int) -> str:
    return f"{n:,}"


class SummaryPanel(QtWidgets.QTableWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def show_analysis(self, spec: GraphSpec, analysis: Analysis) -> None:
        types = {n.id: n.type for n in spec.nodes}
        order = [i for i in analysis.order if i in types] + \
            [n.id for n in spec.nodes if n.id not in analysis.order]
        self.setRowCount(len(order) + 1)
        for row, node_id in enumerate(order):
            info = analysis.nodes.get(node_id)
            shape = fmt_shape(info.output_shape) if info and info.output_shape is not None \
                else "—"
            cells = [node_id, types[node_id], shape, _count(info.params) if info else "—",
                     _count(info.macs) if info else "—"]
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                if analysis.problems_for(node_id) and any(
                        p.severity == "error" for p in analysis.problems_for(node_id)):
                    item.setForeground(QtGui.QColor("#b71c1c"))
                self.setItem(row, col, item)
        total = ["Total", f"{len(analysis.live)} layers in the model", "",
                 _count(analysis.total_params), _count(analysis.total_macs)]
        font = self.font()
        font.setBold(True)
        for col, text in enumerate(total):
            item = QtWidgets.QTableWidgetItem(text)
            item.setFont(font)
            if col >= 3:
                item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
            self.setItem(len(order), col, item)

    def totals(self) -> tuple[str, str]:
        last = self.rowCount() - 1
        return self.item(last, 3).text(), self.item(last, 4).text()
