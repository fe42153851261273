"""A layer on the canvas: name, type and key parameters, output shape, ports, error badge, a
lock badge when the layer is frozen (not trained), and a "varies" badge when the project's search
space varies it."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.graph.catalogue import get_layer

WIDTH = 176.0
HEIGHT = 66.0
PORT_RADIUS = 6.0
LOCK_ROOM = 40.0  # header width the lock badge takes from the node's name
CATEGORY_COLOURS = {
    "IO": "#5b8def", "Core": "#4caf7d", "Convolution": "#e0913a", "Pooling": "#c9a227",
    "Normalization": "#8e6fd8", "Recurrent": "#d5577d", "Activation": "#3aa7b5",
    "Merge": "#7f8c8d", "Shape": "#9c7b5b",
}


def param_summary(type_name: str, params: dict[str, Any], limit: int = 3) -> str:
    """The few parameters worth showing on the node, e.g. ``out_features=128``."""
    try:
        layer = get_layer(type_name)
    except KeyError:
        return ""
    resolved = layer.resolve_params(params)
    parts = []
    for spec in layer.params:
        value = resolved.get(spec.name)
        if spec.kind == "bool" and value == spec.default:
            continue
        if spec.name in ("in_features", "in_channels") and value == 0:
            continue
        if isinstance(value, list):
            value = "x".join(str(v) for v in value)
        parts.append(f"{spec.name}={value}")
        if len(parts) == limit:
            break
    return "  ".join(parts)


class PortItem(QtWidgets.QGraphicsEllipseItem):
    """An input or output port; wires start at outputs and land on inputs."""

    def __init__(self, node: NodeItem, name: str, is_input: bool) -> None:
        r = PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node)
        self.node = node
        self.name = name
        self.is_input = is_input
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.set_state("normal")
        self.setToolTip(f"{'input' if is_input else 'output'} '{name}' of {node.node_id}")

    def set_state(self, state: str) -> None:
        """normal | valid (a wire can land here) | invalid | hover."""
        colours = {"normal": ("#fafafa", "#555"), "valid": ("#7bd88f", "#1e7b34"),
                   "invalid": ("#d0d0d0", "#aaa"), "hover": ("#ffd54f", "#a67c00")}
        fill, pen = colours[state]
        self.setBrush(QtGui.QBrush(QtGui.QColor(fill)))
        self.setPen(QtGui.QPen(QtGui.QColor(pen), 1.5))
        self.state = state


class NodeItem(QtWidgets.QGraphicsObject):
    """Draws one node; its position is the spec's position (top-left corner)."""

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.type_name = ""
        self.summary = ""
        self.shape_text = ""
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.frozen = False
        self.searchable = False
        self.category = "Core"
        self.inputs: dict[str, PortItem] = {}
        self.outputs: dict[str, PortItem] = {}
        self.edges: list[Any] = []
        self.setFlags(QtWidgets.QGraphicsItem.ItemIsMovable
                      | QtWidgets.QGraphicsItem.ItemIsSelectable
                      | QtWidgets.QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)

    # data -----------------------------------------------------------------------------
    def update_from(self, type_name: str, params: dict[str, Any],
                    position: tuple[float, float], shape_text: str, errors: list[str],
                    warnings: list[str]) -> None:
        self.prepareGeometryChange()
        self.type_name = type_name
        try:
            layer = get_layer(type_name)
            self.category = layer.category
            in_ports, out_ports = layer.input_ports(params), layer.outputs
        except KeyError:
            in_ports, out_ports = ("in",), ("out",)
        self.summary = param_summary(type_name, params)
        self.shape_text = shape_text
        self.problems = errors
        self.warnings = warnings
        self._sync_ports(in_ports, out_ports)
        if (self.pos().x(), self.pos().y()) != tuple(position):
            self.setPos(QtCore.QPointF(*position))
        tip = [f"{type_name} '{self.node_id}'"] + [f"error: {m}" for m in errors] + \
              [f"warning: {m}" for m in warnings]
        self.setToolTip("\n".join(tip))
        self.update()

    def set_frozen(self, frozen: bool) -> None:
        """Show or hide the lock badge (the layer's parameters are not trained)."""
        if frozen != self.frozen:
            self.frozen = frozen
            self.update()

    def set_searchable(self, searchable: bool) -> None:
        """Show or hide the "varies" badge (the search space varies this layer)."""
        if searchable != self.searchable:
            self.searchable = searchable
            self.update()

    @property
    def has_search_badge(self) -> bool:
        return self.searchable

    def _sync_ports(self, in_ports: tuple[str, ...], out_ports: tuple[str, ...]) -> None:
        for ports, names, is_input in ((self.inputs, in_ports, True),
                                       (self.outputs, out_ports, False)):
            for gone in [n for n in ports if n not in names]:
                item = ports.pop(gone)
                item.setParentItem(None)
                if item.scene() is not None:
                    item.scene().removeItem(item)
            for i, name in enumerate(names):
                port = ports.get(name) or PortItem(self, name, is_input)
                ports[name] = port
                y = HEIGHT * (i + 1) / (len(names) + 1)
                port.setPos(0.0 if is_input else WIDTH, y)

    # painting -------------------------------------------------------------------------
    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        return QtCore.QRectF(-PORT_RADIUS - 2, -12, WIDTH + 2 * PORT_RADIUS + 4, HEIGHT + 22)

    def paint(self, painter: QtGui.QPainter, option: Any, widget: Any = None) -> None:
        painter.setRenderHint(QtGui.QPainter.Antialiasing)
        rect = QtCore.QRectF(0, 0, WIDTH, HEIGHT)
        colour = QtGui.QColor(CATEGORY_COLOURS.get(self.category, "#888"))
        border = QtGui.QColor("#d32f2f") if self.problems else (
            QtGui.QColor("#1565c0") if self.isSelected() else colour.darker(130))
        painter.setPen(QtGui.QPen(border, 3 if (self.isSelected() or self.problems) else 1.5))
        painter.setBrush(QtGui.QColor("#ffffff"))
        painter.drawRoundedRect(rect, 8, 8)
        header = QtCore.QRectF(0, 0, WIDTH, 22)
        path = QtGui.QPainterPath()
        path.setFillRule(QtCore.Qt.WindingFill)
        path.addRoundedRect(header, 8, 8)
        path.addRect(QtCore.QRectF(0, 12, WIDTH, 10))
        painter.fillPath(path, colour)
        painter.setPen(QtGui.QColor("white"))
        font = painter.font()
        font.setPointSizeF(9)
        font.setBold(True)
        painter.setFont(font)
        room = WIDTH - 16 - (LOCK_ROOM if self.frozen else 0)
        painter.drawText(header.adjusted(8, 0, -8, 0), QtCore.Qt.AlignVCenter | QtCore.Qt.AlignLeft,
                         painter.fontMetrics().elidedText(
                             f"{self.node_id}  ·  {self.type_name}", QtCore.Qt.ElideRight,
                             int(room)))
        if self.frozen:  # in the header, clear of the error badge on the corner
            paint_lock(painter, QtCore.QRectF(WIDTH - 44, 2, 18, 18))
        font.setBold(False)
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.setPen(QtGui.QColor("#333"))
        metrics = painter.fontMetrics()
        painter.drawText(QtCore.QRectF(10, 24, WIDTH - 20, 18),
                         QtCore.Qt.AlignVCenter | QtCore.Qt.AlignLeft,
                         metrics.elidedText(self.summary or " ", QtCore.Qt.ElideRight,
                                            int(WIDTH - 20)))
        painter.setPen(QtGui.QColor("#d32f2f") if self.problems else QtGui.QColor("#1b5e20"))
        shape = "shape error" if self.problems and not self.shape_text else self.shape_text
        painter.drawText(QtCore.QRectF(10, 43, WIDTH - 20, 18),
                         QtCore.Qt.AlignVCenter | QtCore.Qt.AlignLeft,
                         metrics.elidedText(f"→ {shape}" if shape else " ", QtCore.Qt.ElideRight,
                                            int(WIDTH - 20)))
        if self.problems or self.warnings:
            badge = QtCore.QRectF(WIDTH - 14, -10, 20, 20)
            painter.setPen(QtCore.Qt.NoPen)
            painter.setBrush(QtGui.QColor("#d32f2f" if self.problems else "#f9a825"))
            painter.drawEllipse(badge)
            painter.setPen(QtGui.QColor("white"))
            font.setBold(True)
            font.setPointSizeF(10)
            painter.setFont(font)
            painter.drawText(badge, QtCore.Qt.AlignCenter, "!")
        if self.searchable:
            paint_varies(painter, QtCore.QRectF(WIDTH - 58, HEIGHT - 7, 50, 15))

    @property
    def has_error_badge(self) -> bool:
        return bool(self.problems)

    @property
    def has_lock_badge(self) -> bool:
        return self.frozen

    def itemChange(self, change: Any, value: Any) -> Any:  # noqa: N802 - Qt API
        if change == QtWidgets.QGraphicsItem.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)


def paint_varies(painter: QtGui.QPainter, badge: QtCore.QRectF) -> None:
    """A violet "varies" pill on the bottom edge (the search space varies this layer)."""
    painter.save()
    painter.setPen(QtGui.QPen(QtGui.QColor("white"), 1.0))
    painter.setBrush(QtGui.QColor("#6a1b9a"))
    painter.drawRoundedRect(badge, 7, 7)
    font = painter.font()
    font.setPointSizeF(7.5)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(badge, QtCore.Qt.AlignCenter, "varies")
    painter.restore()


def paint_lock(painter: QtGui.QPainter, badge: QtCore.QRectF) -> None:
    """A white padlock on a dark round badge (a frozen layer)."""
    painter.save()
    painter.setPen(QtGui.QPen(QtGui.QColor("white"), 1.2))
    painter.setBrush(QtGui.QColor("#37474f"))
    painter.drawEllipse(badge)
    c = badge.center()
    shackle = QtCore.QRectF(c.x() - 3.2, c.y() - 6.0, 6.4, 7.0)
    painter.setPen(QtGui.QPen(QtGui.QColor("white"), 1.6))
    painter.setBrush(QtCore.Qt.NoBrush)
    painter.drawArc(shackle, 0, 180 * 16)
    painter.drawLine(QtCore.QPointF(shackle.left(), c.y() - 2.5),
                     QtCore.QPointF(shackle.left(), c.y()))
    painter.drawLine(QtCore.QPointF(shackle.right(), c.y() - 2.5),
                     QtCore.QPointF(shackle.right(), c.y()))
    painter.setPen(QtCore.Qt.NoPen)
    painter.setBrush(QtGui.QColor("white"))
    painter.drawRoundedRect(QtCore.QRectF(c.x() - 5.0, c.y() - 0.5, 10.0, 7.0), 1.5, 1.5)
    painter.restore()
