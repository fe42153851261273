"""Structural choices on a graph spec: skip an optional node, repeat a block (a chain of
nodes) k times. Pure functions on a GraphSpec copy; torch-free."""

from __future__ import annotations

from typing import Any

from workbench.graph.spec import Edge, GraphSpec, Node


class StructureError(ValueError):
    """A node or block that cannot be skipped or repeated; the message says why."""


def check_skippable(graph: GraphSpec, node_id: str) -> None:
    """StructureError unless ``node_id`` has one input port and one output port (it can be
    taken out and its input wired straight to its consumers)."""
    from workbench.graph.catalogue import get_layer

    layer = get_layer(graph.node(node_id).type)
    if layer.name in ("Input", "Output") or layer.variadic_inputs or len(layer.inputs) != 1 \
            or len(layer.outputs) != 1:
        raise StructureError(f"node '{node_id}' ({layer.name}) cannot be optional: only a "
                             f"layer with one input and one output can be skipped")
    if sum(e.dst == node_id for e in graph.edges) != 1:
        raise StructureError(f"node '{node_id}' cannot be optional: it needs exactly one "
                             f"incoming wire")


def check_block(graph: GraphSpec, block: tuple[str, ...]) -> None:
    """StructureError unless ``block`` is a chain: each node skippable, each wired only to the
    next, the first fed from outside by one wire."""
    for node_id in block:
        check_skippable(graph, node_id)
    members = set(block)
    for a, b in zip(block, block[1:]):
        outs = [e for e in graph.edges if e.src == a]
        if [e.dst for e in outs] != [b]:
            raise StructureError(f"block {'+'.join(block)}: '{a}' must feed only '{b}' (a "
                                 f"chain), found {sorted(e.dst for e in outs)}")
    if any(e.src in members for e in graph.edges if e.dst == block[0]):
        raise StructureError(f"block {'+'.join(block)} loops back into its first node")


def skip_node(graph: GraphSpec, node_id: str) -> None:
    """Take ``node_id`` out of ``graph`` (in place), wiring its input to its consumers."""
    incoming = [e for e in graph.edges if e.dst == node_id]
    outgoing = [e for e in graph.edges if e.src == node_id]
    graph.edges = [e for e in graph.edges if node_id not in (e.src, e.dst)]
    graph.nodes = [n for n in graph.nodes if n.id != node_id]
    for source in incoming[:1]:
        for out in outgoing:
            graph.edges.append(Edge(source.src, out.dst, source.src_port, out.dst_port))


def repeat_block(graph: GraphSpec, block: tuple[str, ...], times: int) -> None:
    """Chain ``times`` copies of ``block`` (in place); copies are ``<id>_2``, ``<id>_3``..."""
    if times <= 1:
        return
    taken = {n.id for n in graph.nodes}
    last = block[-1]
    leaving = [e for e in graph.edges if e.src == last]
    graph.edges = [e for e in graph.edges if e.src != last]
    first_port = next(e.dst_port for e in graph.edges if e.dst == block[0])
    previous = last
    for copy_number in range(2, times + 1):
        names = {node_id: _free_id(f"{node_id}_{copy_number}", taken) for node_id in block}
        for node_id in block:
            node = graph.node(node_id)
            graph.nodes.append(Node(names[node_id], node.type, _deep(node.params),
                                    (node.position[0], node.position[1] + 130.0 *
                                     (copy_number - 1))))
        graph.edges.append(Edge(previous, names[block[0]], "out", first_port))
        for a, b in zip(block, block[1:]):
            graph.edges.append(Edge(names[a], names[b], "out", "in"))
        previous = names[last]
    for e in leaving:
        graph.edges.append(Edge(previous, e.dst, e.src_port, e.dst_port))


def _free_id(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}_{n}"
    taken.add(name)
    return name


def _deep(params: dict[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(params)
