"""Confusion matrix as a heat-map table, and per-class precision, recall and F1 beside it."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets


def heat_color(fraction: float) -> QtGui.QColor:
    """White (0) to deep blue (1)."""
    f = min(max(fraction, 0.0), 1.0)
    return QtGui.QColor(int(255 - 205 * f), int(255 - 155 * f), int(255 - 55 * f))


class ConfusionView(QtWidgets.QWidget):
    """Shows a ``classification_report`` dict (labels, confusion, per_class, accuracy)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QtWidgets.QLabel("Validation metrics appear here when a run finishes.")
        self.caption.setWordWrap(True)
        self.matrix = QtWidgets.QTableWidget()
        self.matrix.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.matrix.setToolTip("Rows: true class. Columns: predicted class. Off-diagonal cells "
                               "are mistakes; a dark cell off the diagonal is a pair of classes "
                               "the network confuses.")
        self.per_class = QtWidgets.QTableWidget()
        self.per_class.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.per_class.setColumnCount(5)
        self.per_class.setHorizontalHeaderLabels(["class", "precision", "recall", "F1",
                                                  "support"])
        self.per_class.verticalHeader().setVisible(False)
        self.per_class.setToolTip("Precision: of the samples predicted as this class, the share "
                                  "that are. Recall: of this class's samples, the share found. "
                                  "F1: their harmonic mean. A low value here can hide behind a "
                                  "high overall accuracy.")
        split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        split.addWidget(self.matrix)
        split.addWidget(self.per_class)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(split, 1)
        self.report: dict[str, Any] | None = None

    def clear(self) -> None:
        self.report = None
        self.caption.setText("Validation metrics appear here when a run finishes.")
        self.matrix.clear()
        self.matrix.setRowCount(0)
        self.matrix.setColumnCount(0)
        self.per_class.setRowCount(0)

    def show_error(self, message: str) -> None:
        self.clear()
        self.caption.setText(message)

    def set_report(self, report: dict[str, Any]) -> None:
        """Fill both tables from a classification report."""
        labels = [str(x) for x in report["labels"]]
        confusion = report["confusion"]
        if len(confusion) != len(labels) or any(len(r) != len(labels) for r in confusion):
            raise ValueError(f"confusion matrix must be {len(labels)}x{len(labels)} for "
                             f"{len(labels)} labels, found {len(confusion)} rows")
        self.report = report
        self.caption.setText(
            f"Validation split ({report.get('weights', 'saved weights')}): accuracy "
            f"{report.get('accuracy', 0.0):.1%}, macro F1 {report.get('macro_f1', 0.0):.3f}")
        k = len(labels)
        self.matrix.setRowCount(k)
        self.matrix.setColumnCount(k)
        self.matrix.setHorizontalHeaderLabels([f"pred {x}" for x in labels])
        self.matrix.setVerticalHeaderLabels([f"true {x}" for x in labels])
        for i, row in enumerate(confusion):
            total = max(sum(row), 1)
            for j, count in enumerate(row):
                item = QtWidgets.QTableWidgetItem(str(count))
                item.setTextAlignment(QtCore.Qt.AlignCenter)
                fraction = count / total
                item.setBackground(heat_color(fraction))
                item.setForeground(QtGui.QColor("white" if fraction > 0.6 else "black"))
                item.setToolTip(f"true {labels[i]}, predicted {labels[j]}: {count} "
                                f"({fraction:.0%} of true {labels[i]})")
                self.matrix.setItem(i, j, item)
        self.matrix.resizeColumnsToContents()
        rows = report.get("per_class", [])
        self.per_class.setRowCount(len(rows))
        for r, entry in enumerate(rows):
            values = [entry["label"], f"{entry['precision']:.3f}", f"{entry['recall']:.3f}",
                      f"{entry['f1']:.3f}", str(entry["support"])]
            for c, value in enumerate(values):
                item = QtWidgets.QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                if c == 3:
                    item.setBackground(heat_color(entry["f1"] * 0.8))
                self.per_class.setItem(r, c, item)
        self.per_class.resizeColumnsToContents()

    def cell_count(self, true_index: int, predicted_index: int) -> int:
        item = self.matrix.item(true_index, predicted_index)
        return int(item.text()) if item is not None else 0
