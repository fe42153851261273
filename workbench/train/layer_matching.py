"""Which layers load on fine-tune: the one rule for the trainer (:class:`TransferPlan`) and the
app's preview (``ui/dialogs/fine_tune_plan.py``).

A layer of the new network loads from the source run when the settings allow it (``layers``,
``reset_head``), the source run has a node with the same id and the same layer type, and that
node's tensors have the same names and shapes. Nothing else counts: another input size or
stride that leaves the weights' shapes alone still loads (the usual fine-tune to a new image
size). Layers are compared as ``{tensor name: shape}`` per node id; the trainer reads them from
its module and the source's weights file, the preview from :func:`node_tensor_shapes` (the
network built on torch's meta device: no memory, no weights) and the file's header.
torch is imported only inside :func:`node_tensor_shapes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.graph.spec import GraphSpec

Shape = tuple[int, ...]
NodeTensors = dict[str, Shape]  # tensor name within the layer ("weight") -> shape

NOT_IN_LAYERS = "not in --layers"
RESET_HEAD = "reset_head"
NOT_IN_SOURCE = "not in the source run"


@dataclass(frozen=True)
class LayerMatch:
    """One layer with weights: loaded (``reason`` is None) or skipped and why."""

    node_id: str
    reason: str | None

    @property
    def loaded(self) -> bool:
        return self.reason is None


def fmt_shape(shape: Any) -> str:
    dims = tuple(int(d) for d in shape)
    return str(dims) if len(dims) != 1 else f"({dims[0]},)"


def tensors_by_node(attrs: Mapping[str, str], shapes: Mapping[str, Any]) -> dict[str, NodeTensors]:
    """Group state-dict shapes (``"fc1.weight" -> shape``) by node id, given the node id ->
    attribute name map (``naming.attribute_names``); nodes without tensors are left out."""
    out: dict[str, NodeTensors] = {}
    for node_id, attr in attrs.items():
        prefix = attr + "."
        tensors = {k[len(prefix):]: tuple(int(d) for d in s) for k, s in shapes.items()
                   if k.startswith(prefix)}
        if tensors:
            out[node_id] = tensors
    return out


def node_tensor_shapes(spec: GraphSpec) -> dict[str, NodeTensors]:
    """Each layer's tensors (parameters and buffers) as the compiled network has them, built on
    the meta device (shapes only). ``GraphError`` for a network that does not compile."""
    import torch

    from workbench.graph.compile import GraphModule

    with torch.device("meta"):
        module = GraphModule(spec)
    shapes = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    return tensors_by_node(module.node_names, shapes)


def source_tensors(spec: GraphSpec, shapes: Mapping[str, Any]) -> dict[str, NodeTensors]:
    """A source run's tensors by node id: its weights file's names (``shapes``) read with the
    attribute names its own network gives its live nodes."""
    from workbench.graph.naming import attribute_names
    from workbench.graph.shape_inference import analyze

    live = analyze(spec).live or [n.id for n in spec.nodes]
    return tensors_by_node(attribute_names(live), shapes)


def layer_difference(own: NodeTensors, found: NodeTensors | None, own_type: str = "",
                     found_type: str = "") -> str | None:
    """Why a source layer (``found``) cannot load into this one (None when it can)."""
    if not found:
        return NOT_IN_SOURCE
    if own_type and found_type and own_type != found_type:
        return f"type differs: expected {own_type}, found {found_type}"
    for name, expected in own.items():
        if name not in found:
            return f"tensors differ: expected '{name}', the source layer has " \
                   f"{', '.join(sorted(found))}"
        if tuple(found[name]) != tuple(expected):
            return f"shape differs: expected {fmt_shape(expected)} found {fmt_shape(found[name])}"
    extra = sorted(set(found) - set(own))
    if extra:
        return f"tensors differ: the source layer also has {', '.join(extra)}"
    return None


def match_layers(own: Mapping[str, NodeTensors], source: Mapping[str, NodeTensors], *,
                 own_spec: GraphSpec | None = None, source_spec: GraphSpec | None = None,
                 layers: list[str] | None = None, head: str | None = None) -> list[LayerMatch]:
    """Every layer of ``own`` (in its order), loaded or skipped with the reason: not in the
    ``layers`` list (when one is given), the ``head`` left fresh (reset_head), then
    :func:`layer_difference` (the types come from the specs when both are given)."""
    types = {n.id: n.type for n in own_spec.nodes} if own_spec is not None else {}
    found_types = {n.id: n.type for n in source_spec.nodes} if source_spec is not None else {}
    out = []
    for node_id, tensors in own.items():
        if layers and node_id not in layers:
            reason: str | None = NOT_IN_LAYERS
        elif node_id == head:
            reason = RESET_HEAD
        else:
            reason = layer_difference(tensors, source.get(node_id), types.get(node_id, ""),
                                      found_types.get(node_id, ""))
        out.append(LayerMatch(node_id, reason))
    return out
