"""Compile a graph spec into a ``torch.nn.Module`` that runs its nodes in topological order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from workbench.graph.catalogue import get_builder, get_layer
from workbench.graph.layer_type import LayerBuilder, fmt_shape
from workbench.graph.naming import attribute_names
from workbench.graph.shape_inference import Analysis, analyze
from workbench.graph.spec import GraphSpec
from workbench.graph.validation import GraphError

__all__ = ["GraphError", "GraphModule", "compile_graph"]


@dataclass(frozen=True)
class _Step:
    node_id: str
    attr: str
    builder: LayerBuilder
    params: dict[str, Any]
    sources: tuple[str, ...]   # node ids feeding the input ports, in port order
    has_module: bool


class GraphModule(nn.Module):
    """A network built from a :class:`GraphSpec`; ``forward(x)`` returns the Output's logits.

    Each node with weights or a torch layer is a submodule named after its id (see
    ``naming.py``), so ``state_dict`` keys read ``fc1.weight``. Nodes that do not reach the
    Output are left out. ``node_names`` maps node ids to attribute names.
    """

    def __init__(self, spec: GraphSpec, analysis: Analysis | None = None) -> None:
        super().__init__()
        analysis = analysis if analysis is not None else analyze(spec)
        if not analysis.ok:
            raise GraphError(analysis.problems)
        self.spec = spec.copy()
        self.node_names = attribute_names(analysis.live)
        incoming = {(e.dst, e.dst_port): e.src for e in spec.edges}
        steps = []
        for node_id in analysis.live:
            node = spec.node(node_id)
            layer = get_layer(node.type)
            params = layer.resolve_params(node.params)
            sources = tuple(incoming[(node_id, port)] for port in layer.input_ports(params))
            shapes = [analysis.nodes[s].output_shape for s in sources]
            builder = get_builder(node.type)
            module = builder.make_module(params, shapes)
            attr = self.node_names[node_id]
            if module is not None:
                self.add_module(attr, module)
            if node.type == "Input":
                self.input_node = node_id
                self.input_shape = tuple(params["shape"])
                self.input_dtype = params["dtype"]
            elif node.type == "Output":
                self.output_node = node_id
            steps.append(_Step(node_id, attr, builder, params, sources, module is not None))
        self._steps = steps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_all(x)[self.output_node]

    def forward_all(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Run the network and return every node's output by node id (for inspection)."""
        self._check_input(x)
        values: dict[str, torch.Tensor] = {}
        modules = self._modules   # looked up each call, so replaced submodules are used
        for step in self._steps:
            inputs = [values[s] for s in step.sources] if step.sources else [x]
            module = modules[step.attr] if step.has_module else None
            values[step.node_id] = step.builder.run(module, inputs, step.params)
        return values

    def node_module(self, node_id: str) -> nn.Module | None:
        """The submodule of a node, or None for nodes without one (Input, Add, Reshape...)."""
        attr = self.node_names.get(node_id)
        if attr is None:
            raise KeyError(f"no node '{node_id}' in the compiled model "
                           f"(nodes: {', '.join(self.node_names)})")
        return getattr(self, attr, None)

    def _check_input(self, x: torch.Tensor) -> None:
        want_int = self.input_dtype == "int64"
        if x.shape[1:] == self.input_shape and (
                x.dtype == torch.int64 if want_int else x.is_floating_point()):
            return   # the common case, kept cheap: forward runs once per batch
        if torch.jit.is_tracing() or torch.compiler.is_compiling():
            return
        if torch.onnx.is_in_onnx_export():
            return
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"Input '{self.input_node}' expects a batch of shape "
                             f"(B, {', '.join(map(str, self.input_shape))}), receives "
                             f"{tuple(x.shape)}; sample shape {fmt_shape(self.input_shape)}")
        if want_int and x.dtype != torch.int64:
            raise ValueError(f"Input '{self.input_node}' expects int64 token ids, receives "
                             f"{x.dtype}")
        if not want_int and not x.is_floating_point():
            raise ValueError(f"Input '{self.input_node}' expects float values, receives "
                             f"{x.dtype}")


def compile_graph(spec: GraphSpec) -> GraphModule:
    """Build the torch module for ``spec``; raise :class:`GraphError` listing every problem."""
    return GraphModule(spec)
