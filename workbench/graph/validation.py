"""Structural validation of a graph spec (no torch).

:func:`check_structure` finds what is wrong with the wiring itself: duplicate ids, unknown layer
types, bad parameter values, edges to missing nodes or ports, unconnected inputs, missing or
extra Input/Output nodes, cycles, and nodes that never reach the Output. Shape problems come from
``shape_inference.analyze``, which runs these checks first. Every message names the node
(``"Linear 'fc2' ..."``) and says what was expected and what was found.
"""

from __future__ import annotations

import difflib
import heapq
from dataclasses import dataclass, field

from workbench.graph.catalogue import CATALOGUE
from workbench.graph.spec import Edge, GraphSpec, Node


@dataclass
class Problem:
    """One thing wrong with a graph; ``node_id`` is None for whole-graph problems."""

    node_id: str | None
    message: str
    severity: str = "error"   # or "warning"

    def __str__(self) -> str:
        return self.message


class GraphError(ValueError):
    """A graph that cannot be compiled; ``problems`` lists every error."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        lines = "\n".join(f"  - {p.message}" for p in errors)
        super().__init__(f"the network has {len(errors)} problem"
                         f"{'' if len(errors) == 1 else 's'}:\n{lines}")


@dataclass
class Structure:
    """What the structural checks learned about the wiring."""

    problems: list[Problem] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)        # first node of each id
    order: list[str] = field(default_factory=list)              # topological, cycles left out
    inputs: dict[str, dict[str, Edge]] = field(default_factory=dict)   # dst -> port -> edge
    edges: list[Edge] = field(default_factory=list)             # edges between known ports
    live: set[str] = field(default_factory=set)                 # nodes that reach the Output
    bad_params: set[str] = field(default_factory=set)           # unknown type or bad params


def label(node: Node) -> str:
    """``"Linear 'fc1'"``: how a node is named in messages."""
    return f"{node.type} '{node.id}'"


def check_structure(spec: GraphSpec) -> Structure:
    """Run every structural check; never raises."""
    s = Structure()
    _check_nodes(spec, s)
    _check_edges(spec, s)
    _check_io_counts(s)
    _check_unconnected(s)
    _order_and_cycles(s)
    _check_reaches_output(s)
    return s


def _check_nodes(spec: GraphSpec, s: Structure) -> None:
    counts: dict[str, int] = {}
    for node in spec.nodes:
        counts[node.id] = counts.get(node.id, 0) + 1
        if counts[node.id] > 1:
            continue
        s.nodes[node.id] = node
        layer = CATALOGUE.get(node.type)
        if layer is None:
            close = difflib.get_close_matches(node.type, list(CATALOGUE), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            s.problems.append(Problem(node.id, f"Node '{node.id}' has unknown layer type "
                                               f"'{node.type}'{hint}"))
            s.bad_params.add(node.id)
            continue
        for message in layer.check_params(node.params):
            s.problems.append(Problem(node.id, f"{label(node)}: {message}"))
            s.bad_params.add(node.id)
        unknown = layer.unknown_params(node.params)
        if unknown:
            known = ", ".join(p.name for p in layer.params) or "none"
            s.problems.append(Problem(
                node.id, f"{label(node)}: unknown parameter{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(repr(u) for u in unknown)} ignored (parameters: {known})",
                "warning"))
    for node_id, count in counts.items():
        if count > 1:
            s.problems.append(Problem(node_id, f"{count} nodes share the id '{node_id}'; "
                                               "every node needs its own id"))


def _ports(node: Node) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    layer = CATALOGUE.get(node.type)
    if layer is None:
        return None
    return layer.input_ports(node.params), layer.outputs


def _check_edges(spec: GraphSpec, s: Structure) -> None:
    for edge in spec.edges:
        src, dst = s.nodes.get(edge.src), s.nodes.get(edge.dst)
        if src is None or dst is None:
            missing = [n for n in (edge.src, edge.dst) if n not in s.nodes]
            known = dst if src is None else src
            s.problems.append(Problem(
                known.id if known is not None else None,
                f"Edge from '{edge.src}' to '{edge.dst}' refers to missing node "
                f"{' and '.join(repr(m) for m in missing)}"))
            continue
        src_ports, dst_ports = _ports(src), _ports(dst)   # None for unknown layer types
        if src_ports is not None and edge.src_port not in src_ports[1]:
            have = ", ".join(src_ports[1]) or "none"
            s.problems.append(Problem(src.id, f"{label(src)} has no output port "
                                              f"'{edge.src_port}' (output ports: {have})"))
            continue
        if dst_ports is not None and edge.dst_port not in dst_ports[0]:
            have = ", ".join(dst_ports[0]) or "none"
            s.problems.append(Problem(dst.id, f"{label(dst)} has no input port "
                                              f"'{edge.dst_port}' (input ports: {have}); "
                                              f"it cannot take the edge from '{src.id}'"))
            continue
        ports = s.inputs.setdefault(dst.id, {})
        if edge.dst_port in ports:
            first = ports[edge.dst_port].src
            s.problems.append(Problem(dst.id, f"{label(dst)} input '{edge.dst_port}' has two "
                                              f"incoming edges (from '{first}' and "
                                              f"'{src.id}'); an input takes exactly one"))
            continue
        ports[edge.dst_port] = edge
        s.edges.append(edge)


def _check_io_counts(s: Structure) -> None:
    for kind, role in (("Input", "where data enters"), ("Output", "that gives the class scores")):
        ids = [n.id for n in s.nodes.values() if n.type == kind]
        if not ids:
            s.problems.append(Problem(None, f"The network has no {kind} node; add one "
                                            f"({role}) from the IO group"))
        for extra in ids[1:]:
            s.problems.append(Problem(extra, f"{kind} '{extra}' is one of {len(ids)} {kind} "
                                             f"nodes ({', '.join(ids)}); exactly one is "
                                             "allowed"))


def _check_unconnected(s: Structure) -> None:
    for node in s.nodes.values():
        ports = _ports(node)
        if ports is None:
            continue
        connected = s.inputs.get(node.id, {})
        for port in ports[0]:
            if port not in connected:
                which = "input" if ports[0] == ("in",) else f"input '{port}'"
                s.problems.append(Problem(node.id, f"{label(node)} {which} is not connected"))


def _order_and_cycles(s: Structure) -> None:
    index = {node_id: i for i, node_id in enumerate(s.nodes)}
    succ: dict[str, list[str]] = {n: [] for n in s.nodes}
    indegree = dict.fromkeys(s.nodes, 0)
    for edge in s.edges:
        succ[edge.src].append(edge.dst)
        indegree[edge.dst] += 1
    ready = [(index[n], n) for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    while ready:
        _, node_id = heapq.heappop(ready)
        s.order.append(node_id)
        for nxt in succ[node_id]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (index[nxt], nxt))
    stuck = [n for n in s.nodes if indegree[n] > 0]
    for node_id in stuck:
        path = _cycle_through(node_id, succ, set(stuck))
        if path:
            if len(path) > 7:   # keep long loops readable: first steps ... back to the start
                path = path[:3] + [f"... ({len(path) - 1} nodes)"] + path[-2:]
            s.problems.append(Problem(node_id, f"{label(s.nodes[node_id])} is part of a cycle "
                                               f"({' -> '.join(path)}); data must flow one "
                                               "way from Input to Output"))


def _cycle_through(start: str, succ: dict[str, list[str]], allowed: set[str]) -> list[str]:
    """The shortest path start -> ... -> start, or [] if start is not on a cycle."""
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for nxt in succ[node]:
                if nxt not in allowed:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return path[::-1] + [start]
                if nxt not in parents:
                    parents[nxt] = node
                    nxt_frontier.append(nxt)
        frontier = nxt_frontier
    return []


def _check_reaches_output(s: Structure) -> None:
    outputs = [n.id for n in s.nodes.values() if n.type == "Output"]
    if not outputs:
        return
    pred: dict[str, list[str]] = {n: [] for n in s.nodes}
    for edge in s.edges:
        pred[edge.dst].append(edge.src)
    stack, seen = [outputs[0]], {outputs[0]}
    while stack:
        for prev in pred[stack.pop()]:
            if prev not in seen:
                seen.add(prev)
                stack.append(prev)
    s.live = seen
    for node in s.nodes.values():
        if node.id not in seen and node.type != "Output":
            s.problems.append(Problem(node.id, f"{label(node)} does not lead to the Output; "
                                               "it is left out of the model", "warning"))
