"""Confusion matrix as a heat-map table, and per-class precision, recall and F1 beside it;
for a regression run, the validation errors in the target's units instead.

The matrix's cells share the width and height they get (stretched, down to a small minimum),
so up to a dozen or so classes fit a bottom dock without scrolling; beyond that it scrolls.
"""

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
        for header in (self.matrix.horizontalHeader(), self.matrix.verticalHeader()):
            header.setSectionResizeMode(QtWidgets.QHeaderView.Stretch)
            header.setMinimumSectionSize(22)
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
        self.split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        self.split.addWidget(self.matrix)
        self.split.addWidget(self.per_class)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.split, 1)
        self.report: dict[str, Any] | None = None

    def clear(self) -> None:
        self.report = None
        self.split.show()
        self.caption.setText("Validation metrics appear here when a run finishes.")
        self.matrix.clear()
        self.matrix.setRowCount(0)
        self.matrix.setColumnCount(0)
        self.per_class.setRowCount(0)

    def show_error(self, message: str) -> None:
        self.clear()
        self.caption.setText(message)

    def set_regression(self, report: dict[str, Any]) -> None:
        """A regression run's validation errors (keys mae, rmse, r2, loss; target, weights)."""
        self.clear()
        self.report = report
        self.split.hide()

        def number(key: str, fmt: str) -> str:
            value = report.get(key)
            return format(value, fmt) if isinstance(value, (int, float)) else "–"

        target = report.get("target") or "the target"
        self.caption.setText(
            f"<p>Validation split ({report.get('weights', 'saved weights')}), errors in the "
            f"units of <b>{target}</b>:</p><table cellpadding='4'>"
            f"<tr><td>mean absolute error (MAE)</td><td align='right'>{number('mae', '.4g')}"
            f"</td></tr><tr><td>root mean squared error (RMSE)</td><td align='right'>"
            f"{number('rmse', '.4g')}</td></tr><tr><td>R² (1 = perfect, 0 = no better than "
            f"predicting the mean)</td><td align='right'>{number('r2', '.3f')}</td></tr>"
            f"</table><p>A regression run has no confusion matrix: there are no classes.</p>")

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
            f"{report.get('accuracy', 0.0):.1%}, macro F1 {report.get('macro_f1', 0.0):.3f}. "
            f"Rows: true class; columns (→): predicted class.")
        k = len(labels)
        self.matrix.setRowCount(k)
        self.matrix.setColumnCount(k)
        self.split.show()
        self.matrix.setHorizontalHeaderLabels([f"→{x}" for x in labels])
        self.matrix.setVerticalHeaderLabels([f"{x}" for x in labels])
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
