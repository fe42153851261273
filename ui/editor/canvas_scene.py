"""The canvas scene: renders the document's spec and turns mouse gestures into edit requests.

It never edits the spec itself: it emits ``connect_requested`` and ``nodes_moved`` and the
main window turns those into undoable document edits, after which the scene re-syncs.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.editor.edge_item import EdgeItem, wire_path
from ui.editor.node_item import NodeItem, PortItem
from workbench.graph.edits import connection_error
from workbench.graph.layer_type import fmt_shape
from workbench.graph.shape_inference import Analysis
from workbench.graph.spec import GraphSpec


class CanvasScene(QtWidgets.QGraphicsScene):
    connect_requested = QtCore.Signal(str, str, str)  # src, dst, dst_port
    connect_refused = QtCore.Signal(str)
    nodes_moved = QtCore.Signal(dict)  # node id -> (x, y)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str, str, str], EdgeItem] = {}
        self.spec = GraphSpec()
        self._wire: QtWidgets.QGraphicsPathItem | None = None
        self._wire_source: PortItem | None = None
        self._press_positions: dict[str, tuple[float, float]] = {}
        self._synced: dict[str, tuple] = {}  # node id -> what its item last showed
        self._edge_shapes: dict[tuple[str, str, str, str], Any] = {}  # edge key -> label's
        self.setBackgroundBrush(QtGui.QColor("#f4f6f8"))

    # sync from the spec ---------------------------------------------------------------
    def sync(self, spec: GraphSpec, analysis: Analysis | None) -> None:
        self.spec = spec
        ids = {n.id for n in spec.nodes}
        for gone in [i for i in self.nodes if i not in ids]:
            self.removeItem(self.nodes.pop(gone))
            self._synced.pop(gone, None)
        by_node: dict[str, list[Any]] = {}
        for problem in analysis.problems if analysis else []:
            by_node.setdefault(problem.node_id, []).append(problem)
        touched: set[str] = set()
        for node in spec.nodes:
            item = self.nodes.get(node.id)
            if item is None:
                item = NodeItem(node.id)
                self.nodes[node.id] = item
                self.addItem(item)
                self._synced.pop(node.id, None)
            info = analysis.nodes.get(node.id) if analysis else None
            problems = by_node.get(node.id, [])
            state = (node.type, repr(node.params), tuple(node.position),
                     info.output_shape if info else None,
                     tuple(p.message for p in problems if p.severity == "error"),
                     tuple(p.message for p in problems if p.severity != "error"))
            if self._synced.get(node.id) == state:  # unchanged: skip (cheap per-edit sync)
                continue
            self._synced[node.id] = state
            touched.add(node.id)
            item.update_from(node.type, node.params, node.position,
                             fmt_shape(state[3]) if state[3] is not None else "",
                             list(state[4]), list(state[5]))
        keys = {e.key for e in spec.edges}
        for gone in [k for k in self.edges if k not in keys]:
            edge = self.edges.pop(gone)
            for end in (edge.source.node, edge.target.node):
                if edge in end.edges:
                    end.edges.remove(edge)
            self.removeItem(edge)
            self._edge_shapes.pop(gone, None)
        for e in spec.edges:
            edge = self.edges.get(e.key)
            if edge is None or e.src in touched or e.dst in touched:  # new, or an end changed
                src, dst = self.nodes.get(e.src), self.nodes.get(e.dst)
                if src is None or dst is None or e.src_port not in src.outputs or \
                        e.dst_port not in dst.inputs:
                    continue
                if edge is None or edge.source is not src.outputs[e.src_port] or \
                        edge.target is not dst.inputs[e.dst_port]:
                    if edge is not None:
                        self.removeItem(edge)
                    edge = EdgeItem(e.key, src.outputs[e.src_port], dst.inputs[e.dst_port])
                    self.edges[e.key] = edge
                    src.edges.append(edge)
                    dst.edges.append(edge)
                    self.addItem(edge)
                    self._edge_shapes.pop(e.key, None)
                edge.update_path()
            shape = analysis.edge_shapes.get(e.key) if analysis else None
            if self._edge_shapes.get(e.key, ()) != shape:
                self._edge_shapes[e.key] = shape
                edge.set_shape_text(fmt_shape(shape) if shape is not None else "")

    def set_frozen(self, node_ids: list[str] | set[str]) -> None:
        """Lock badges on exactly these nodes (frozen layers), off on the others."""
        frozen = set(node_ids)
        for node_id, item in self.nodes.items():
            item.set_frozen(node_id in frozen)

    def frozen_node_ids(self) -> list[str]:
        return [i for i, item in self.nodes.items() if item.frozen]

    # selection helpers ----------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edge_keys(self) -> list[tuple[str, str, str, str]]:
        return [i.key for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, ids: list[str]) -> None:
        self.clearSelection()
        for node_id in ids:
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)

    # wiring ---------------------------------------------------------------------------
    def _port_at(self, pos: QtCore.QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def begin_wire(self, source: PortItem) -> None:
        self._wire_source = source
        self._wire = QtWidgets.QGraphicsPathItem()
        self._wire.setPen(QtGui.QPen(QtGui.QColor("#1565c0"), 2, QtCore.Qt.DashLine))
        self._wire.setZValue(3)
        self.addItem(self._wire)
        for node in self.nodes.values():
            for port in node.inputs.values():
                ok = connection_error(self.spec, source.node.node_id, node.node_id,
                                      port.name) is None
                port.set_state("valid" if ok else "invalid")

    def end_wire(self, pos: QtCore.QPointF) -> None:
        source = self._wire_source
        if self._wire is not None:
            self.removeItem(self._wire)
        self._wire, self._wire_source = None, None
        for node in self.nodes.values():
            for port in node.inputs.values():
                port.set_state("normal")
        target = self._port_at(pos)
        if source is None or target is None or not target.is_input:
            return
        error = connection_error(self.spec, source.node.node_id, target.node.node_id,
                                 target.name)
        if error:
            self.connect_refused.emit(error)
        else:
            self.connect_requested.emit(source.node.node_id, target.node.node_id, target.name)

    def mousePressEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == QtCore.Qt.LeftButton:
            port = self._port_at(event.scenePos())
            if port is not None and not port.is_input:
                self.begin_wire(port)
                self._update_wire(event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        self._press_positions = {i: (n.pos().x(), n.pos().y()) for i, n in self.nodes.items()}

    def mouseMoveEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._wire is not None:
            self._update_wire(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._wire is not None:
            self.end_wire(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        moved = {i: (n.pos().x(), n.pos().y()) for i, n in self.nodes.items()
                 if self._press_positions.get(i) not in (None, (n.pos().x(), n.pos().y()))}
        self._press_positions = {}
        if moved:
            self.nodes_moved.emit(moved)

    def _update_wire(self, pos: QtCore.QPointF) -> None:
        if self._wire is None or self._wire_source is None:
            return
        self._wire.setPath(wire_path(self._wire_source.scenePos(), pos))
        hovered = self._port_at(pos)
        for node in self.nodes.values():
            for port in node.inputs.values():
                if port is hovered and port.state == "valid":
                    port.set_state("hover")
                elif port.state == "hover":
                    port.set_state("valid")

    def items_bounding_rect(self) -> QtCore.QRectF:
        rect = QtCore.QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def node_at_center(self, node_id: str) -> Any:
        return self.nodes.get(node_id)


def paste_offset(spec: GraphSpec, fragment: dict[str, Any], step: float = 40.0
                 ) -> tuple[float, float]:
    """Where a pasted fragment goes relative to its source: one step down-right, or further
    along that diagonal until no pasted node would land on a node already there (so pasting
    twice, or duplicating a duplicate, never stacks nodes on top of each other)."""
    taken = [n.position for n in spec.nodes]
    sources = [tuple(n.get("position", (0.0, 0.0))) for n in fragment.get("nodes", [])]
    for k in range(1, 200):
        dx = dy = step * k
        if not any(abs(x + dx - tx) < step / 2 and abs(y + dy - ty) < step / 2
                   for x, y in sources for tx, ty in taken):
            return dx, dy
    return step, step
