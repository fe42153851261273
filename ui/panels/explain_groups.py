"""The Explain panel's Groups tab: metrics per value of a CSV column (an input or a column
kept out of the model), the fairness differences and the findings in plain words
(``workbench.explain.subgroups.group_columns`` / ``subgroup_report``)."""

from __future__ import annotations

import html
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.explain_common import JobTab, fmt

METRICS = ["accuracy", "precision", "recall", "f1", "selection_rate", "support"]
HEADERS = ["value", "accuracy", "precision", "recall", "F1", "selection rate", "support"]


class GroupsTab(JobTab):
    def __init__(self, queue: Any, memo: dict[tuple[str, str], Any]) -> None:
        super().__init__(queue, memo, "Compare groups")
        self.result: dict[str, Any] | None = None
        self.columns: list[str] | None = None
        self.group = QtWidgets.QComboBox()
        self.group.setMinimumWidth(140)
        self.group.setToolTip("A CSV column: one of the model's inputs or one kept out of "
                              "them (e.g. a protected attribute)")
        self.min_support = QtWidgets.QSpinBox()
        self.min_support.setRange(1, 10_000)
        self.min_support.setValue(20)
        self.min_support.setToolTip("Groups with fewer validation samples are listed but "
                                    "raise no finding")
        self.controls.addWidget(QtWidgets.QLabel("group by"))
        self.controls.addWidget(self.group)
        self.controls.addWidget(QtWidgets.QLabel("min. support"))
        self.controls.addWidget(self.min_support)
        self.finish_controls()
        self.table = QtWidgets.QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.fairness = QtWidgets.QLabel("")
        self.fairness.setWordWrap(True)
        self.findings = QtWidgets.QLabel("")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(QtCore.Qt.RichText)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.fairness)
        layout.addWidget(self.findings)

    def clear(self) -> None:
        self.result = None
        self.columns = None
        self.group.clear()
        self.table.setRowCount(0)
        self.fairness.setText("")
        self.findings.setText("")

    def load(self) -> None:
        """List the group columns of the selected run (off the GUI thread)."""
        from workbench.explain.subgroups import group_columns

        if self.columns is not None or self.busy() or self.run_dir is None:
            return
        run_dir = self.run_dir
        self.submit("listing the columns to group by",
                    lambda progress, cancel: group_columns(run_dir), self._on_columns)

    def _on_columns(self, columns: list[str]) -> None:
        self.columns = list(columns)
        self.group.clear()
        self.group.addItems(self.columns)
        if not self.columns:
            self.message.setText("This run's data have no column to group by (groups need "
                                 "a CSV dataset).")
        for column in self.columns:  # show a remembered report at once
            remembered = self.remembered(f"groups:{column}")
            if remembered is not None:
                self.group.setCurrentText(column)
                self.show_result(remembered)
                break

    def _update_buttons(self) -> None:
        super()._update_buttons()
        self.run_button.setEnabled(not self.busy() and bool(self.columns))

    def request(self) -> None:
        from workbench.explain.subgroups import subgroup_report

        group = self.group.currentText()
        if not group:
            self.message.setText("Pick a column to group by (only CSV datasets have them).")
            return
        run_dir, support = self.run_dir, self.min_support.value()
        self.submit(f"measuring each value of {group!r}",
                    lambda progress, cancel: subgroup_report(run_dir, group,
                                                             min_support=support),
                    self.show_result, key=f"groups:{group}")

    def show_result(self, result: dict[str, Any]) -> None:
        self.result = result
        rows = [{"value": "(all)", **result.get("overall", {})}, *result.get("groups", [])]
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [str(row.get("value"))] + [
                str(row.get(m)) if m == "support" else fmt(row.get(m)) for m in METRICS]
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.fairness.setText(
            f"Grouped by <b>{html.escape(str(result.get('group')))}</b>, positive class "
            f"<b>{html.escape(str(result.get('positive')))}</b>. Demographic-parity "
            f"difference {fmt(result.get('demographic_parity_difference'))} (largest gap in "
            f"selection rate between groups); equalized-odds difference "
            f"{fmt(result.get('equalized_odds_difference'))} (largest gap in true- or "
            f"false-positive rate). 0 is parity."
            + "".join(f"<br><i>{html.escape(n)}.</i>" for n in result.get("notes") or []))
        findings = result.get("findings") or []
        if findings:
            self.findings.setText("".join(
                f"<p><b>{html.escape(str(f.get('title', f.get('code', ''))))}</b>: "
                f"{html.escape(str(f.get('message', f.get('explanation', ''))))} "
                f"<i>{html.escape(str(f.get('fix', f.get('suggestion', '')) or ''))}</i></p>"
                for f in findings))
        else:
            gaps = result.get("largest_gaps") or []
            words = "; ".join(f"{g['metric']} {fmt(g['value'])} for {g['group_value']} vs "
                              f"{fmt(g['overall'])} overall ({g['support']} samples)"
                              for g in gaps[:3])
            self.findings.setText("No group with enough support does much worse than the "
                                  "rest." + (f" Largest gaps: {html.escape(words)}." if words
                                             else ""))
