"""Network graphs: the spec (pure data), the layer catalogue and analysis. Torch-free.

``compile`` (GraphSpec -> nn.Module) and ``codegen`` (GraphSpec -> PyTorch source) need torch and
are imported from their modules: ``from workbench.graph.compile import compile_graph``.
"""

from __future__ import annotations

from workbench.graph.catalogue import CATALOGUE, get_layer, register_layer
from workbench.graph.shape_inference import Analysis, NodeInfo, analyze
from workbench.graph.spec import FORMAT_VERSION, Edge, GraphSpec, Node, SpecError, migrate
from workbench.graph.validation import GraphError, Problem

__all__ = [
    "CATALOGUE", "FORMAT_VERSION", "Analysis", "Edge", "GraphError", "GraphSpec", "Node",
    "NodeInfo", "Problem", "SpecError", "analyze", "get_layer", "migrate", "register_layer",
]
