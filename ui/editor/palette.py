"""The layer palette: layers grouped by category, a search box, a tooltip per layer.

Drag a layer onto the canvas, or double-click it to add it at the centre of the view.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ui.editor.canvas_view import LAYER_MIME
from workbench.graph.catalogue import layers_by_category

TYPE_ROLE = QtCore.Qt.UserRole + 1


class _LayerTree(QtWidgets.QTreeWidget):
    def mimeData(self, items: list[QtWidgets.QTreeWidgetItem]) -> QtCore.QMimeData:  # noqa: N802
        data = QtCore.QMimeData()
        if items and items[0].data(0, TYPE_ROLE):
            name = str(items[0].data(0, TYPE_ROLE))
            data.setData(LAYER_MIME, QtCore.QByteArray(name.encode("utf-8")))
            data.setText(name)
        return data

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [LAYER_MIME]


class Palette(QtWidgets.QWidget):
    layer_activated = QtCore.Signal(str)  # double-click / Enter: add this layer

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QtWidgets.QLineEdit(placeholderText="Search layers…")
        self.search.setClearButtonEnabled(True)
        self.tree = _LayerTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QtWidgets.QAbstractItemView.DragOnly)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)

    def _populate(self) -> None:
        for category, layers in layers_by_category().items():
            group = QtWidgets.QTreeWidgetItem([category])
            group.setFlags(QtCore.Qt.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for layer in layers:
                item = QtWidgets.QTreeWidgetItem([layer.name])
                item.setData(0, TYPE_ROLE, layer.name)
                item.setToolTip(0, f"<b>{layer.name}</b><br>{layer.doc}")
                item.setFlags(QtCore.Qt.ItemIsEnabled | QtCore.Qt.ItemIsSelectable
                              | QtCore.Qt.ItemIsDragEnabled)
                group.addChild(item)
        self.tree.expandAll()

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                match = not needle or needle in item.text(0).lower() or \
                    needle in item.toolTip(0).lower()
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)

    def visible_layers(self) -> list[str]:
        names = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            names += [group.child(j).text(0) for j in range(group.childCount())
                      if not group.child(j).isHidden() and not group.isHidden()]
        return names

    def _activated(self, item: QtWidgets.QTreeWidgetItem, _column: int = 0) -> None:
        name = item.data(0, TYPE_ROLE)
        if name:
            self.layer_activated.emit(str(name))

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802
        return QtCore.QSize(190, 400)


