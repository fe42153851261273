"""The Explain panel's Mistakes tab: the misclassified validation samples, most confident
first (``workbench.explain.mistakes.find_mistakes``), with image thumbnails or the CSV row;
selecting one shows its probabilities, and Attribution explains it (one click). For
regression: the largest residuals."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.panels.explain_attributions import AttributionView
from ui.panels.explain_common import (
    BAR_COLOR,
    JobTab,
    fmt,
    gray_or_rgb,
    hbars,
    new_plot,
    rgb_pixmap,
)

THUMB = 40


def row_text(row: dict[str, Any] | None, width: int = 80) -> str:
    if not row:
        return ""
    text = ", ".join(f"{k}={v}" for k, v in row.items())
    return text if len(text) <= width else text[: width - 1] + "…"


class MistakesTab(JobTab):
    def __init__(self, queue: Any, memo: dict[tuple[str, str], Any]) -> None:
        super().__init__(queue, memo, "Find mistakes")
        self.result: dict[str, Any] | None = None
        self.limit = QtWidgets.QSpinBox()
        self.limit.setRange(5, 500)
        self.limit.setValue(50)
        self.limit.setToolTip("How many mistakes (or residuals) to list")
        self.controls.addWidget(QtWidgets.QLabel("show"))
        self.controls.addWidget(self.limit)
        self.finish_controls()
        self.table = QtWidgets.QTableWidget(0, 0)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setIconSize(QtCore.QSize(THUMB, THUMB))
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.detail = QtWidgets.QLabel("Select a mistake to see its probabilities.")
        self.detail.setWordWrap(True)
        self.probabilities = new_plot(bottom="probability")
        self.probabilities.setMaximumHeight(180)
        self.explain_button = QtWidgets.QPushButton("Attribution")
        self.explain_button.setToolTip("Explain the selected sample: integrated gradients "
                                       "(or the first method that fits the model)")
        self.explain_button.setEnabled(False)
        self.explain_button.clicked.connect(self.explain_selected)
        self.view = AttributionView(averages=False)
        right = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.detail)
        column.addWidget(self.probabilities)
        column.addWidget(self.explain_button, 0, QtCore.Qt.AlignLeft)
        column.addWidget(self.view, 1)
        split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([560, 440])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def clear(self) -> None:
        self.result = None
        self.table.setRowCount(0)
        self.probabilities.clear()
        self.view.clear()
        self.explain_button.setEnabled(False)

    def _key(self) -> str:
        return f"mistakes:{self.limit.value()}"

    def load(self) -> None:
        """Show the remembered list, else find it (one pass over the validation split)."""
        self.load_or_request(self._key(), self.show_result)

    def request(self) -> None:
        from workbench.explain.mistakes import find_mistakes

        run_dir, limit = self.run_dir, self.limit.value()
        self.submit("looking for mistakes on the validation split",
                    lambda progress, cancel: find_mistakes(run_dir, limit), self.show_result,
                    key=self._key())

    def rows(self) -> list[dict[str, Any]]:
        if not self.result:
            return []
        return self.result.get("mistakes") or self.result.get("residuals") or []

    def show_result(self, result: dict[str, Any]) -> None:
        self.result = result
        regression = result.get("task") == "regression"
        rows = self.rows()
        tabular = any(r.get("row") for r in rows)
        headers = ["", "index", "true", "predicted", "residual" if regression else "confidence"]
        if tabular:
            headers.append("row")
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            score = row.get("residual") if regression else row.get("confidence")
            cells = ["", str(row.get("index")), str(row.get("true")),
                     str(row.get("predicted")) if not regression else fmt(row.get("predicted")),
                     fmt(score)]
            if regression:
                cells[2] = fmt(row.get("true"))
            if tabular:
                cells.append(row_text(row.get("row")))
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if 1 <= c <= 4:
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                if c == len(cells) - 1 and tabular:
                    item.setToolTip("\n".join(f"{k}: {v}" for k, v in row["row"].items()))
                self.table.setItem(r, c, item)
            if row.get("image") is not None:
                icon = QtGui.QIcon(rgb_pixmap(gray_or_rgb(row["image"]), THUMB))
                self.table.item(r, 0).setIcon(icon)
                self.table.setRowHeight(r, THUMB + 4)
        self.table.resizeColumnsToContents()
        if regression:
            self.message.setText(f"The {len(rows)} validation samples with the largest "
                                 f"residuals (of {result.get('total')}), target "
                                 f"{result.get('target')}.")
        else:
            self.message.setText(f"{result.get('wrong')} of {result.get('total')} validation "
                                 f"samples misclassified; the most confident mistakes first.")
        if rows:
            self.table.selectRow(0)

    def selected(self) -> dict[str, Any] | None:
        picked = self.table.selectionModel().selectedRows()
        rows = self.rows()
        return rows[picked[0].row()] if picked and picked[0].row() < len(rows) else None

    def _on_selected(self) -> None:
        row = self.selected()
        self.explain_button.setEnabled(row is not None)
        if row is None:
            return
        probabilities = row.get("probabilities") or {}
        if probabilities:
            names = sorted(probabilities, key=lambda k: -probabilities[k])
            hbars(self.probabilities, names, [([probabilities[n] for n in names], BAR_COLOR)],
                  limit=10)
            self.detail.setText(f"#{row.get('index')}: true {row.get('true')}, predicted "
                                f"{row.get('predicted')} with probability "
                                f"{fmt(row.get('confidence'), '.2f')}.")
        else:
            self.probabilities.clear()
            self.detail.setText(f"#{row.get('index')}: true {fmt(row.get('true'))}, "
                                f"predicted {fmt(row.get('predicted'))} (residual "
                                f"{fmt(row.get('residual'))}).")

    def explain_selected(self) -> None:
        from workbench.explain.attributions import compute_attributions, methods_for

        row = self.selected()
        if row is None:
            return
        run_dir, index = self.run_dir, row["index"]

        def work(progress: Any, cancel: Any) -> dict[str, Any]:
            methods = methods_for(run_dir)
            method = "ig" if "ig" in methods else methods[0]
            return compute_attributions(run_dir, method, 1, indices=[index],
                                        progress=progress, cancel=cancel)

        self.submit(f"explaining sample #{index}", work, self._on_attribution)

    def _on_attribution(self, result: dict[str, Any]) -> None:
        self.view.show_result(result)
        sample = (result.get("samples") or [{}])[0]
        self.message.setText(f"Attribution of #{sample.get('index')} "
                             f"({result.get('method')}) towards its predicted class "
                             f"{sample.get('predicted')}.")
