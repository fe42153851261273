"""A wire between two ports, drawn as a curve and labelled with the tensor shape it carries."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from ui.editor.node_item import PortItem
from ui.theme import edge_label_colour


def wire_path(start: QtCore.QPointF, end: QtCore.QPointF) -> QtGui.QPainterPath:
    path = QtGui.QPainterPath(start)
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(start + QtCore.QPointF(dx, 0), end - QtCore.QPointF(dx, 0), end)
    return path


class EdgeItem(QtWidgets.QGraphicsPathItem):
    """Follows its two ports; selectable so it can be deleted."""

    def __init__(self, key: tuple[str, str, str, str], source: PortItem,
                 target: PortItem) -> None:
        super().__init__()
        self.key = key
        self.source = source
        self.target = target
        self.setFlags(QtWidgets.QGraphicsItem.ItemIsSelectable)
        self.setZValue(0)
        self.label = QtWidgets.QGraphicsSimpleTextItem(self)
        font = self.label.font()
        font.setPointSizeF(8)
        self.label.setFont(font)
        self.label.setBrush(QtGui.QColor(edge_label_colour()))  # readable in either theme
        self.set_shape_text("")
        self.update_path()

    def set_shape_text(self, text: str) -> None:
        self.label.setText(text)
        self.setToolTip(f"{self.key[0]} → {self.key[2]}.{self.key[3]}" +
                        (f"\ncarries {text}" if text else ""))
        self._place_label()

    def update_path(self) -> None:
        self.setPath(wire_path(self.source.scenePos(), self.target.scenePos()))
        self._place_label()

    def _place_label(self) -> None:
        mid = self.path().pointAtPercent(0.5)
        rect = self.label.boundingRect()
        self.label.setPos(mid.x() - rect.width() / 2, mid.y() - rect.height() - 2)

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        colour = QtGui.QColor("#1565c0") if self.isSelected() else QtGui.QColor("#607d8b")
        self.setPen(QtGui.QPen(colour, 2.5 if self.isSelected() else 1.8))
        option.state &= ~QtWidgets.QStyle.State_Selected
        super().paint(painter, option, widget)
