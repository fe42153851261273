"""Edits of a GraphSpec as plain functions: what the editor's undoable commands apply.

Each returns an error message (str) instead of raising when the edit is not allowed, so the GUI
can show it where the user acted; the spec is unchanged in that case.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from workbench.graph.catalogue import get_layer
from workbench.graph.spec import Edge, GraphSpec, Node


def add_node(spec: GraphSpec, type_name: str, position: tuple[float, float] = (0.0, 0.0),
             params: dict[str, Any] | None = None, node_id: str | None = None) -> str:
    """Add a layer with default parameters; returns its new id."""
    get_layer(type_name)  # KeyError naming the known layers
    new_id = node_id if node_id and not _has(spec, node_id) else spec.new_node_id(type_name)
    spec.nodes.append(Node(new_id, type_name, dict(params or {}),
                           (float(position[0]), float(position[1]))))
    return new_id


def remove_nodes(spec: GraphSpec, ids: Iterable[str]) -> None:
    """Remove nodes and every edge touching them."""
    doomed = set(ids)
    spec.nodes = [n for n in spec.nodes if n.id not in doomed]
    spec.edges = [e for e in spec.edges if e.src not in doomed and e.dst not in doomed]


def remove_edges(spec: GraphSpec, keys: Iterable[tuple[str, str, str, str]]) -> None:
    doomed = set(keys)
    spec.edges = [e for e in spec.edges if e.key not in doomed]


def _has(spec: GraphSpec, node_id: str) -> bool:
    return any(n.id == node_id for n in spec.nodes)


def reaches(spec: GraphSpec, start: str, target: str) -> bool:
    """True when ``target`` can be reached from ``start`` along edges."""
    succs: dict[str, list[str]] = {}
    for e in spec.edges:
        succs.setdefault(e.src, []).append(e.dst)
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(succs.get(node, []))
    return False


def connection_error(spec: GraphSpec, src: str, dst: str, dst_port: str) -> str | None:
    """Why src -> dst.dst_port may not be connected, or None when it may."""
    if not _has(spec, src) or not _has(spec, dst):
        return "both ends must be layers in this network"
    src_node, dst_node = spec.node(src), spec.node(dst)
    if not get_layer(src_node.type).outputs:
        return f"{src_node.type} '{src}' has no output to connect"
    ports = get_layer(dst_node.type).input_ports(dst_node.params)
    if dst_port not in ports:
        return f"{dst_node.type} '{dst}' has no input port '{dst_port}' (ports: " \
               f"{', '.join(ports) or 'none'})"
    if src == dst:
        return "a layer cannot feed itself"
    if any(e.dst == dst and e.dst_port == dst_port for e in spec.edges):
        return f"input '{dst_port}' of '{dst}' is already connected"
    if reaches(spec, dst, src):
        return f"connecting '{src}' to '{dst}' would make a cycle"
    return None


def connect(spec: GraphSpec, src: str, dst: str, dst_port: str = "in") -> str | None:
    error = connection_error(spec, src, dst, dst_port)
    if error is None:
        spec.edges.append(Edge(src, dst, "out", dst_port))
    return error


def set_param(spec: GraphSpec, node_id: str, name: str, value: Any) -> str | None:
    """Set one parameter after checking it against the catalogue."""
    node = spec.node(node_id)
    layer = get_layer(node.type)
    try:
        param = layer.param(name)
    except KeyError as exc:
        return str(exc.args[0])
    error = param.check(value)
    if error:
        return f"{node.type} '{node_id}': {error}"
    node.params = {**node.params, name: param.coerce(value)}
    if layer.variadic_inputs and name == "num_inputs":  # drop wires to ports that are gone
        ports = set(layer.input_ports(node.params))
        spec.edges = [e for e in spec.edges if e.dst != node_id or e.dst_port in ports]
    return None


def move_nodes(spec: GraphSpec, positions: dict[str, tuple[float, float]]) -> None:
    for node in spec.nodes:
        if node.id in positions:
            x, y = positions[node.id]
            node.position = (float(x), float(y))


def copy_fragment(spec: GraphSpec, ids: Iterable[str]) -> dict[str, Any]:
    """Selected nodes and the edges between them, as JSON-able data for the clipboard."""
    chosen = set(ids)
    return {"nodes": [n.to_dict() for n in spec.nodes if n.id in chosen],
            "edges": [e.to_dict() for e in spec.edges if e.src in chosen and e.dst in chosen]}


def paste_fragment(spec: GraphSpec, fragment: dict[str, Any],
                   offset: tuple[float, float] = (40.0, 40.0)) -> list[str]:
    """Add a copied fragment with fresh ids where needed; returns the new ids."""
    renamed: dict[str, str] = {}
    for data in fragment.get("nodes", []):
        node = Node.from_dict(copy.deepcopy(data))
        x, y = node.position
        renamed[node.id] = add_node(spec, node.type, (x + offset[0], y + offset[1]), node.params,
                                    node_id=node.id)
    for data in fragment.get("edges", []):
        edge = Edge.from_dict(data)
        if edge.src in renamed and edge.dst in renamed:
            connect(spec, renamed[edge.src], renamed[edge.dst], edge.dst_port)
    return list(renamed.values())


def fit_io(spec: GraphSpec, input_shape: Iterable[int], input_dtype: str,
           num_classes: int, task: str = "classification") -> None:
    """Set every Input's shape/dtype and every Output's size (dataset selector).

    For a "regression" task ``num_classes`` is the number of target values: the Output gets
    ``num_outputs`` and its ``num_classes`` is cleared (and the other way round).
    """
    regression = task == "regression"
    for node in spec.nodes:
        if node.type == "Input":
            node.params = {**node.params, "shape": [int(d) for d in input_shape],
                           "dtype": input_dtype}
        elif node.type == "Output":
            params = {**node.params, "num_classes": 0 if regression else int(num_classes)}
            if regression:
                params["num_outputs"] = int(num_classes)
            else:
                params.pop("num_outputs", None)
            node.params = params
