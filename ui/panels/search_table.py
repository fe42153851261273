"""The Search panel's trials table: one row per trial, sortable (numbers sort as numbers),
pruned and failed rows tinted and marked. Rows are updated in place, and only those whose
content changed, so a live study costs little per refresh."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.panels.search_plots import STATE_COLOURS

COLUMNS = ("trial", "state", "value", "epochs", "time (s)", "parameters")
ROW_TINTS = {"pruned": "#fff3e0", "failed": "#ffebee", "running": "#e3f2fd"}
MARKS = {"pruned": "✂ pruned", "failed": "✖ failed"}


class TrialsTable(QtWidgets.QTableWidget):
    """Trials of one study; ``show_trials(rows)`` with StudyReader rows."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setStretchLastSection(True)
        self.setWordWrap(False)
        self.setSortingEnabled(True)
        self.sortItems(0, QtCore.Qt.AscendingOrder)
        self._rows: dict[int, tuple[tuple, list[QtWidgets.QTableWidgetItem]]] = {}

    def show_trials(self, trials: list[dict[str, Any]]) -> None:
        numbers = {row["number"] for row in trials}
        if set(self._rows) - numbers:  # trials vanished (another study): start over
            self.setRowCount(0)
            self._rows = {}
        shown = [(row, cells(row)) for row in trials]
        changed = [(row, content) for row, content in shown
                   if self._rows.get(row["number"], ((),))[0] != content]
        if not changed:
            return
        self.setSortingEnabled(False)
        added = False
        for row, content in changed:
            entry = self._rows.get(row["number"])
            if entry is None:
                items = [QtWidgets.QTableWidgetItem() for _ in COLUMNS]
                at = self.rowCount()
                self.insertRow(at)
                for c, item in enumerate(items):
                    self.setItem(at, c, item)
                added = True
            else:
                items = entry[1]
            fill(items, row, content)
            self._rows[row["number"]] = (content, items)
        self.setSortingEnabled(True)
        if added:
            self.resizeColumnsToContents()
            self.horizontalHeader().setStretchLastSection(True)

    def clear_trials(self) -> None:
        self.setRowCount(0)
        self._rows = {}

    def selected_trial(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.item(rows[0].row(), 0)
        return int(item.data(QtCore.Qt.DisplayRole)) if item is not None else None

    def select_trial(self, number: int) -> None:
        entry = self._rows.get(number)
        if entry is not None:
            self.selectRow(entry[1][0].row())

    def state_of(self, number: int) -> str | None:
        """The state text shown for trial ``number`` (tests)."""
        entry = self._rows.get(number)
        return entry[1][1].text() if entry else None


def cells(row: dict[str, Any]) -> tuple:
    """What one trial row shows, in column order."""
    values = row.get("values") or []
    params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in (row.get("params") or {}).items())
    seconds = row.get("seconds")
    return (row["number"], MARKS.get(row["state"], row["state"]),
            round(values[0], 4) if values else None, row.get("epochs_run"),
            round(seconds, 1) if seconds is not None else None, row.get("problem") or params)


def fill(items: list[QtWidgets.QTableWidgetItem], row: dict[str, Any], content: tuple) -> None:
    state = row["state"]
    tint = QtGui.QColor(ROW_TINTS.get(state, "#ffffff"))
    tip = str(content[-1])
    for item, value in zip(items, content):
        item.setData(QtCore.Qt.DisplayRole, value)
        item.setBackground(tint)
        item.setToolTip(tip)
    items[1].setForeground(QtGui.QColor(*STATE_COLOURS.get(state, (60, 60, 60))))
