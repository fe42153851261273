"""Graph edits and the clipboard of the main window: add, connect, set a parameter, move,
delete, copy/cut/paste/duplicate, auto-arrange, focus, freeze a layer. Each edit is one
undoable document edit; deleting a node also takes it out of the frozen-layer settings."""

from __future__ import annotations

import json
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.editor.canvas_scene import paste_offset
from ui.editor.freeze_settings import with_frozen, without_missing
from workbench.graph import edits
from workbench.graph.layout import layered_positions
from workbench.project import Project

NODES_MIME = "application/x-workbench-nodes"


class EditActions:
    """Mixed into MainWindow; relies on ``self.document``, ``self.scene``, ``self.view``,
    ``self.inspector``, ``show_error`` and ``statusBar``."""

    def add_layer(self, type_name: str, scene_pos: QtCore.QPointF | None = None) -> str:
        pos = scene_pos or self.view.visible_center()
        created: list[str] = []
        self.document.edit(f"Add {type_name}", lambda p: created.append(
            edits.add_node(p.graph, type_name, (pos.x() - 88, pos.y() - 33))))
        self.scene.select_nodes(created)
        return created[0]

    def connect_ports(self, src: str, dst: str, port: str) -> None:
        errors: list[str] = []

        def apply(p: Project) -> None:
            error = edits.connect(p.graph, src, dst, port)
            if error:
                errors.append(error)

        self.document.edit(f"Connect {src} → {dst}", apply)
        if errors:
            self.show_error("Cannot connect", errors[0])

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        errors: list[str] = []

        def apply(p: Project) -> None:
            error = edits.set_param(p.graph, node_id, name, value)
            if error:
                errors.append(error)

        self.document.edit(f"Set {node_id}.{name}", apply, merge_key=("param", node_id, name))
        if errors:
            self.inspector.show_error(errors[0], name)

    def move_nodes(self, positions: dict[str, tuple[float, float]]) -> None:
        self.document.edit("Move", lambda p: edits.move_nodes(p.graph, positions),
                           merge_key=("move", tuple(sorted(positions))))

    def delete_selected(self) -> None:
        ids, keys = self.scene.selected_node_ids(), self.scene.selected_edge_keys()
        if not ids and not keys:
            return

        def apply(p: Project) -> None:
            edits.remove_edges(p.graph, keys)
            edits.remove_nodes(p.graph, ids)
            p.training = without_missing(p.training, {n.id for n in p.graph.nodes})

        self.document.edit("Delete", apply)

    def set_frozen(self, node_id: str, frozen: bool) -> None:
        """Freeze (or unfreeze) a layer: ``init.freeze`` of the training settings."""
        analysis = self.document.analyze_now()
        self.document.edit(f"{'Freeze' if frozen else 'Unfreeze'} {node_id}",
                           lambda p: setattr(p, "training", with_frozen(
                               p.training, analysis, node_id, frozen)))

    def select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def copy(self) -> None:
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        data = QtCore.QMimeData()
        payload = json.dumps(edits.copy_fragment(self.document.spec, ids))
        data.setData(NODES_MIME, QtCore.QByteArray(payload.encode("utf-8")))
        data.setText(payload)
        QtWidgets.QApplication.clipboard().setMimeData(data)

    def cut(self) -> None:
        self.copy()
        self.delete_selected()

    def paste(self, fragment: dict | None = None) -> list[str]:
        if fragment is None:
            data = QtWidgets.QApplication.clipboard().mimeData()
            if data is None or not data.hasFormat(NODES_MIME):
                self.statusBar().showMessage("The clipboard holds no layers to paste", 4000)
                return []
            fragment = json.loads(bytes(data.data(NODES_MIME)).decode("utf-8"))
        created: list[str] = []
        offset = paste_offset(self.document.spec, fragment)  # never on top of another node
        self.document.edit("Paste", lambda p: created.extend(
            edits.paste_fragment(p.graph, fragment, offset)))
        self.scene.select_nodes(created)
        return created

    def duplicate(self) -> None:
        ids = self.scene.selected_node_ids()
        if ids:
            self.paste(edits.copy_fragment(self.document.spec, ids))

    def auto_arrange(self) -> None:
        positions = layered_positions(self.document.spec)
        self.document.edit("Auto-arrange", lambda p: edits.move_nodes(p.graph, positions))
        self.view.zoom_to_fit()

    def focus_node(self, node_id: str) -> None:
        item = self.scene.nodes.get(node_id)
        if item is not None:
            self.scene.select_nodes([node_id])
            self.view.centerOn(item)
