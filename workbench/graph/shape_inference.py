"""Shape inference, parameter and MAC counts over a graph spec (pure Python, no torch).

:func:`analyze` runs the structural checks of ``validation.py``, then walks the nodes in
topological order applying each layer's analytic shape rule. It never raises: every problem
becomes a :class:`Problem` on the node that caused it. It is cheap enough to run on every edit
(a few milliseconds for hundreds of nodes; see ``benchmarks/graph_analysis.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.graph.catalogue import CATALOGUE, get_shape_rule
from workbench.graph.layer_type import Shape, ShapeError
from workbench.graph.spec import GraphSpec
from workbench.graph.validation import Problem, check_structure, label

__all__ = ["Analysis", "NodeInfo", "Problem", "analyze"]

DTYPE_HINTS = {
    "int64": "; only an Embedding takes token ids: put one right after the Input",
    "float32": "; set the Input dtype to int64 for token ids",
}


@dataclass
class NodeInfo:
    """What analysis learned about one node; ``output_shape`` is None when unknown."""

    output_shape: tuple[int, ...] | None
    params: int = 0
    macs: int = 0
    dtype: str | None = None


@dataclass
class Analysis:
    """Problems, per-node shapes and counts, topological order and per-edge shapes."""

    problems: list[Problem] = field(default_factory=list)
    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    edge_shapes: dict[tuple[str, str, str, str], tuple[int, ...]] = field(default_factory=dict)
    live: list[str] = field(default_factory=list)   # nodes in the model (reach the Output)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def total_params(self) -> int:
        """Trainable parameters of the model (nodes that reach the Output)."""
        return sum(self.nodes[n].params for n in self.live if n in self.nodes)

    @property
    def total_macs(self) -> int:
        """Multiply-accumulates for one sample through the model."""
        return sum(self.nodes[n].macs for n in self.live if n in self.nodes)

    def problems_for(self, node_id: str) -> list[Problem]:
        return [p for p in self.problems if p.node_id == node_id]

    @property
    def output_shape(self) -> tuple[int, ...] | None:
        """The shape reaching the Output node, when known."""
        for node_id in reversed(self.live):
            info = self.nodes.get(node_id)
            if info is not None:
                return info.output_shape
        return None


def analyze(spec: GraphSpec) -> Analysis:
    """Validate ``spec`` and infer every shape, parameter count and MAC count; never raises."""
    try:
        return _analyze(spec)
    except Exception as exc:  # a bug or a plugin's rule must not take the editor down
        return Analysis(problems=[Problem(None, f"analysis failed: {type(exc).__name__}: "
                                                f"{exc}")])


def _analyze(spec: GraphSpec) -> Analysis:
    s = check_structure(spec)
    result = Analysis(problems=s.problems, order=list(s.order))
    for node_id in s.order:
        node = s.nodes[node_id]
        if node_id in s.bad_params:
            result.nodes[node_id] = NodeInfo(None)
            continue
        layer = CATALOGUE[node.type]
        params = layer.resolve_params(node.params)
        shapes: list[Shape] = []
        known = True
        for port in layer.input_ports(params):
            edge = s.inputs.get(node_id, {}).get(port)
            src_info = result.nodes.get(edge.src) if edge is not None else None
            if src_info is None or src_info.output_shape is None:
                known = False
                break
            if src_info.dtype != layer.input_dtype:
                what = "token ids" if src_info.dtype == "int64" else "values"
                result.problems.append(Problem(
                    node_id, f"{label(node)} needs {layer.input_dtype} inputs, receives "
                             f"{src_info.dtype} {what} from '{edge.src}'"
                             f"{DTYPE_HINTS.get(src_info.dtype, '')}"))
                known = False
                break
            shapes.append(src_info.output_shape)
        if not known:
            result.nodes[node_id] = NodeInfo(None)
            continue
        try:
            out = get_shape_rule(node.type)(params, shapes)
        except ShapeError as exc:
            result.problems.append(Problem(node_id, f"{label(node)} {exc}"))
            result.nodes[node_id] = NodeInfo(None)
            continue
        except Exception as exc:
            result.problems.append(Problem(node_id, f"{label(node)}: shape rule failed "
                                                    f"({type(exc).__name__}: {exc})"))
            result.nodes[node_id] = NodeInfo(None)
            continue
        for warning in out.warnings:
            result.problems.append(Problem(node_id, f"{label(node)}: {warning}", "warning"))
        result.nodes[node_id] = NodeInfo(tuple(out.shape), int(out.params), int(out.macs),
                                         out.dtype)
    for node_id in s.nodes:
        result.nodes.setdefault(node_id, NodeInfo(None))
    for edge in s.edges:
        shape = result.nodes[edge.src].output_shape
        if shape is not None:
            result.edge_shapes[edge.key] = shape
    result.live = [n for n in s.order if n in s.live]
    return result
