"""The runs panel's tree: runs nested under the run they were made from, sortable by value.

``RunTree`` is a QTreeWidget that also answers the few table calls the rest of the app makes
(``rowCount``, ``selectRow``, ``row_items``: rows counted top to bottom as shown, children
included). Sorting orders siblings, so a child always stays under its parent.
``ancestry_text`` is the line shown for a selected run: root -> ... -> run, with relations.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6 import QtCore, QtWidgets

RUN_ROLE = QtCore.Qt.UserRole + 1
SORT_ROLE = QtCore.Qt.UserRole + 2


def sort_key(key: Any) -> tuple[int, Any]:
    """Numbers sort numerically, missing values and texts after them by text."""
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        return (0, float(key))
    return (1, str(key))


class RunItem(QtWidgets.QTreeWidgetItem):
    """One run's row: each column sorts by the key stored with it, not by its text."""

    def __lt__(self, other: QtWidgets.QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        col = tree.sortColumn() if tree is not None else 0
        mine, theirs = self.data(col, SORT_ROLE), other.data(col, SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return sort_key(mine) < sort_key(theirs)


class RunTree(QtWidgets.QTreeWidget):
    """Runs as a tree with table-like helpers (rows are the items shown, top to bottom)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.ExtendedSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setIndentation(14)
        self.setAlternatingRowColors(True)
        self.header().setStretchLastSection(True)
        self.header().setSortIndicator(-1, QtCore.Qt.AscendingOrder)
        self.setSortingEnabled(True)
        self.setContextMenuPolicy(QtCore.Qt.CustomContextMenu)

    def row_items(self) -> list[QtWidgets.QTreeWidgetItem]:
        """Every item, in the order shown (parents before their children)."""
        items = []
        iterator = QtWidgets.QTreeWidgetItemIterator(self)
        while iterator.value():
            items.append(iterator.value())
            iterator += 1
        return items

    def rowCount(self) -> int:  # noqa: N802 - the QTableWidget name callers use
        return len(self.row_items())

    def selectRow(self, row: int) -> None:  # noqa: N802 - the QTableWidget name
        """Select only the run shown at ``row`` (counted top to bottom)."""
        items = self.row_items()
        if 0 <= row < len(items):
            self.setCurrentItem(items[row], 0,
                                QtCore.QItemSelectionModel.ClearAndSelect |
                                QtCore.QItemSelectionModel.Rows)

    def resize_columns(self) -> None:
        for col in range(self.columnCount()):
            self.resizeColumnToContents(col)


def ancestry_text(chain: list[Any], relations: dict[Any, str], note: str = "") -> str:
    """Rich text: ``root → child (fine-tuned-from) → grandchild (pruned-from)``, the selected
    run in bold, then any note (a parent not found). ``relations``: run path -> relation."""
    parts = []
    for i, run in enumerate(chain):
        name = html.escape(run.path.name)
        part = f"<b>{name}</b>" if i == len(chain) - 1 else name
        if i and relations.get(run.path):
            part += f" <span style='color:#666'>({html.escape(relations[run.path])})</span>"
        parts.append(part)
    text = "Ancestry: " + " → ".join(parts)
    if len(chain) == 1:
        text += " <span style='color:#666'>(a root run: made from no other run)</span>"
    if note:
        text += f" <span style='color:#a60'>({html.escape(note)})</span>"
    return text
