"""Channel dependency groups of a graph spec, for structured pruning (pure Python, no torch).

Every output channel of a prunable layer (Conv1d/Conv2d with ``groups`` 1, Linear on a
feature vector) is an *element* ``(node id, index)``. Walking the live nodes in topological
order, each value carries its *channel space*: the element behind each index of its channel
axis (sample axis 0). Layers move spaces as follows:

* BatchNorm, activations (not Softmax), Dropout, pooling, LayerNorm on rank >= 2: unchanged
  (BatchNorm's own tensors are sliced with its input);
* Add, and Concat along another axis: the inputs' elements at each index are *joined* (they
  must be pruned together: Add-joined branches prune the SAME channels);
* Concat along the channel axis: the spaces are concatenated;
* Flatten: each element repeated once per spatial position (C-major, as torch flattens);
* Conv/Linear: read their input space (their input weights are sliced), start a new one;
* Input, the Output (the layer feeding it is never pruned) and every other layer (Reshape,
  Embedding, LSTM/GRU, Softmax, grouped convolutions, plugin layers): their input elements are
  *fixed* (never pruned) and they start a fixed space.

Joined elements form a *unit*: the channels removed or kept as one. Producers that share a
unit form a *group* (for a per-layer ratio, the group is the "layer"). This is the spec-level
counterpart of torch-pruning's dependency graph, on the spec itself so the result is a smaller
spec (the source of truth) rather than a patched module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from workbench.graph.catalogue import get_layer
from workbench.graph.layers.common import check_dim
from workbench.graph.shape_inference import Analysis, analyze
from workbench.graph.spec import GraphSpec

Element = tuple[str, int]

PASS_THROUGH = frozenset({
    "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "SiLU", "Softplus", "Mish",
    "Dropout", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Identity"})
NORMS = frozenset({"BatchNorm1d", "BatchNorm2d"})
CONVS = frozenset({"Conv1d", "Conv2d"})


@dataclass
class ChannelGraph:
    """What pruning may remove. ``producers``: node id -> output channels (prunable layers);
    ``units``: element lists (each removed or kept whole); ``fixed``: per unit, True when it
    must stay; ``unit_of``: element -> unit index; ``readers``: node id -> its input channel
    space (Conv/Linear input weights and BatchNorm tensors to slice); ``kinds``: node id ->
    "conv", "linear" or "norm"; ``groups``: unit indices per dependency group; ``norm_eps``:
    each BatchNorm's eps."""

    producers: dict[str, int] = field(default_factory=dict)
    units: list[list[Element]] = field(default_factory=list)
    fixed: list[bool] = field(default_factory=list)
    unit_of: dict[Element, int] = field(default_factory=dict)
    readers: dict[str, list[Element]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    groups: list[list[int]] = field(default_factory=list)
    norm_eps: dict[str, float] = field(default_factory=dict)

    def group_producers(self, group: int) -> list[str]:
        """The producers of a group, in graph order."""
        ids = {p for u in self.groups[group] for p, _ in self.units[u]}
        return [p for p in self.producers if p in ids]

    def prunable(self, group: int) -> list[int]:
        """The units of a group that may be removed."""
        return [u for u in self.groups[group] if not self.fixed[u]]


class _Joins:
    """Union-find over elements, with a 'fixed' flag per class."""

    def __init__(self) -> None:
        self.parent: dict[Element, Element] = {}
        self.fixed: set[Element] = set()

    def add(self, element: Element, fixed: bool = False) -> Element:
        self.parent.setdefault(element, element)
        if fixed:
            self.fixed.add(self.root(element))
        return element

    def root(self, element: Element) -> Element:
        while self.parent[element] != element:
            self.parent[element] = self.parent[self.parent[element]]
            element = self.parent[element]
        return element

    def join(self, a: Element, b: Element) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[rb] = ra
            if rb in self.fixed:
                self.fixed.add(ra)

    def fix(self, element: Element) -> None:
        self.fixed.add(self.root(element))

    def is_fixed(self, element: Element) -> bool:
        return self.root(element) in self.fixed


def channel_graph(spec: GraphSpec, analysis: Analysis | None = None) -> ChannelGraph:
    """The units and dependency groups of ``spec`` (which must analyze without errors)."""
    analysis = analysis if analysis is not None else analyze(spec)
    if not analysis.ok:
        raise ValueError("the graph has errors: " + "; ".join(p.message for p in analysis.errors))
    joins, graph = _Joins(), ChannelGraph()
    incoming = {(e.dst, e.dst_port): e.src for e in spec.edges}
    spaces: dict[str, list[Element]] = {}
    for node_id in analysis.live:
        node = spec.node(node_id)
        layer = get_layer(node.type)
        params = layer.resolve_params(node.params)
        sources = [incoming[(node_id, port)] for port in layer.input_ports(params)]
        ins = [spaces[s] for s in sources]
        in_shapes = [analysis.nodes[s].output_shape or () for s in sources]
        out_shape = analysis.nodes[node_id].output_shape or ()
        spaces[node_id] = _space(node_id, node.type, params, ins, in_shapes, out_shape,
                                 joins, graph)
    _collect_units(joins, graph)
    return graph


def _fresh(node_id: str, size: int, joins: _Joins, fixed: bool) -> list[Element]:
    return [joins.add((node_id, i), fixed) for i in range(size)]


def _space(node_id: str, kind: str, params: dict, ins: list[list[Element]],
           in_shapes: list[tuple[int, ...]], out_shape: tuple[int, ...], joins: _Joins,
           graph: ChannelGraph) -> list[Element]:
    size = out_shape[0] if out_shape else 0
    if kind in CONVS and params.get("groups", 1) == 1 or kind == "Linear" and len(
            in_shapes[0]) == 1:
        graph.readers[node_id], graph.kinds[node_id] = ins[0], (
            "linear" if kind == "Linear" else "conv")
        graph.producers[node_id] = size
        return _fresh(node_id, size, joins, fixed=False)
    if kind in NORMS:
        graph.readers[node_id], graph.kinds[node_id] = ins[0], "norm"
        graph.norm_eps[node_id] = float(params["eps"])
        return ins[0]
    if kind in PASS_THROUGH or kind == "LayerNorm" and len(out_shape) >= 2:
        return ins[0]
    if kind == "Flatten" and ins[0]:
        repeat = math.prod(in_shapes[0][1:])
        return [e for e in ins[0] for _ in range(repeat)]
    if kind == "Concat" and check_dim(params["dim"], len(in_shapes[0]), in_shapes[0]) == 0:
        return [e for space in ins for e in space]
    if kind in ("Add", "Concat"):
        for other in ins[1:]:
            for a, b in zip(ins[0], other, strict=True):
                joins.join(a, b)
        return ins[0]
    for space in ins:  # Input, Output and every layer pruning does not see through
        for element in space:
            joins.fix(element)
    return _fresh(node_id, size, joins, fixed=True)


def _collect_units(joins: _Joins, graph: ChannelGraph) -> None:
    by_root: dict[Element, int] = {}
    for producer, size in graph.producers.items():
        for i in range(size):
            root = joins.root((producer, i))
            if root not in by_root:
                by_root[root] = len(graph.units)
                graph.units.append([])
                graph.fixed.append(joins.is_fixed(root))
            graph.units[by_root[root]].append((producer, i))
            graph.unit_of[(producer, i)] = by_root[root]
    # producers sharing a unit are one group: union-find over producers
    owner: dict[str, str] = {p: p for p in graph.producers}

    def find(p: str) -> str:
        while owner[p] != p:
            owner[p] = owner[owner[p]]
            p = owner[p]
        return p

    for unit in graph.units:
        for other, _ in unit[1:]:
            owner[find(other)] = find(unit[0][0])
    index: dict[str, int] = {}
    for u, unit in enumerate(graph.units):
        group = index.setdefault(find(unit[0][0]), len(index))
        if group == len(graph.groups):
            graph.groups.append([])
        graph.groups[group].append(u)
