"""Structured pruning on the graph spec: a smaller spec and its sliced weights.

:func:`prune_network` scores every unit of :func:`~workbench.compress.prune_groups.channel_graph`
(the channels removed as one: a conv's filter, a Linear's unit, or the same channel of every
Add-joined branch) by the magnitude of its producers' weights (``l1``: sum of |w|, ``l2``:
Euclidean norm; a filter followed by BatchNorm is measured folded, times |gamma| / sqrt(var +
eps)) or by first-order Taylor importance (``taylor``: sum of |w * dL/dw|, gradients
given by the caller), removes the lowest ``ratio`` of each dependency group (``scope="layer"``)
or of the whole network with each group's scores divided by their mean (``scope="global"``),
and returns the smaller spec with every tensor sliced: producers' output rows, the next layers'
input columns (through Flatten, as index maps), BatchNorm's affine and running statistics.

Why on the spec and not with torch-pruning: the spec is the source of truth (a pruned network
must open in the editor, train, export and compare like any other run), so the result has to
be a spec plus a state dict keyed like the spec's compiled module. torch-pruning edits an
``nn.Module`` in place; mapping its edits back to the spec would re-derive the same dependency
rules from traced modules. The layer set is small and every edge is explicit in the spec, so
the groups are computed on the spec directly (:mod:`.prune_groups`), without a new dependency.

torch is imported inside functions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.compress.errors import CompressError
from workbench.compress.prune_groups import ChannelGraph, channel_graph
from workbench.graph.naming import attribute_names
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import GraphSpec

METHODS = ("l1", "l2", "taylor")
SCOPES = ("layer", "global")
_OUT_PARAM = {"conv": "out_channels", "linear": "out_features"}
_IN_PARAM = {"conv": "in_channels", "linear": "in_features"}
_NORM_TENSORS = ("weight", "bias", "running_mean", "running_var")


@dataclass
class PrunePlan:
    """Which units go. ``keep``: producer -> kept output channels; ``keep_in``: reader (Conv,
    Linear, BatchNorm) -> kept input positions; ``removed``: producer -> removed channels."""

    graph: ChannelGraph
    removed_units: set[int]
    keep: dict[str, list[int]] = field(default_factory=dict)
    keep_in: dict[str, list[int]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)

    def groups_report(self) -> list[dict[str, Any]]:
        """Per dependency group: its layers, channels before and after."""
        rows = []
        for g, units in enumerate(self.graph.groups):
            rows.append({"layers": self.graph.group_producers(g), "channels": len(units),
                         "kept": sum(1 for u in units if u not in self.removed_units),
                         "prunable": len(self.graph.prunable(g))})
        return rows


@dataclass
class PruneResult:
    """The smaller ``spec`` and its ``state`` (keys as its compiled module's), the ``plan``,
    and ``before`` / ``after`` counts ``{"params", "macs"}``."""

    spec: GraphSpec
    state: dict[str, Any]
    plan: PrunePlan
    before: dict[str, int]
    after: dict[str, int]


def check_settings(ratio: float, method: str, scope: str) -> None:
    """CompressError for a ratio outside (0, 1], an unknown method or scope."""
    if not isinstance(ratio, (int, float)) or not 0.0 < float(ratio) <= 1.0:
        raise CompressError(f"the pruning ratio must be a fraction of the channels in (0, 1], "
                            f"found {ratio!r}")
    if method not in METHODS:
        raise CompressError(f"the pruning method must be one of {', '.join(METHODS)}, found "
                            f"{method!r}")
    if scope not in SCOPES:
        raise CompressError(f"the pruning scope must be one of {', '.join(SCOPES)}, found "
                            f"{scope!r}")


def prune_network(spec: GraphSpec, state: dict[str, Any], ratio: float, method: str = "l1",
                  scope: str = "layer", grads: dict[str, Any] | None = None) -> PruneResult:
    """Remove ``ratio`` of the prunable channels of ``spec`` (weights ``state``, keyed like
    ``compile_graph(spec).state_dict()``). ``grads`` (same keys) is needed for ``taylor``.
    Raises CompressError for bad settings, nothing to prune, or a ratio that would remove
    every channel of a layer."""
    check_settings(ratio, method, scope)
    if method == "taylor" and not grads:
        raise CompressError("taylor importance needs gradients of the loss (none were given)")
    analysis = analyze(spec)
    if not analysis.ok:
        raise CompressError("the run's graph has errors: "
                            + "; ".join(p.message for p in analysis.errors))
    graph = channel_graph(spec, analysis)
    names = attribute_names(analysis.live)
    scores = unit_scores(graph, state, names, method, grads)
    plan = make_plan(graph, select_units(graph, scores, float(ratio), scope))
    smaller = pruned_spec(spec, plan)
    after = analyze(smaller)
    if not after.ok:  # a rule above is wrong: never hand back a spec that does not build
        raise CompressError("the pruned graph does not analyze: "
                            + "; ".join(p.message for p in after.errors))
    return PruneResult(smaller, sliced_state(state, plan, names), plan,
                       {"params": analysis.total_params, "macs": analysis.total_macs},
                       {"params": after.total_params, "macs": after.total_macs})


def unit_scores(graph: ChannelGraph, state: dict[str, Any], names: dict[str, str],
                method: str, grads: dict[str, Any] | None = None) -> list[float]:
    """Importance of each unit: the sum over its producer channels."""
    per_channel: dict[str, list[float]] = {}
    for producer in graph.producers:
        key = f"{names[producer]}.weight"
        weight = state[key].detach().float()
        if method == "taylor":
            assert grads is not None
            rows = (weight * grads[key].detach().float()).abs().flatten(1).sum(1)
            bias = f"{names[producer]}.bias"
            if bias in state and bias in grads:
                rows = rows + (state[bias].detach().float() * grads[bias].float()).abs()
        elif method == "l2":
            rows = weight.flatten(1).pow(2).sum(1).sqrt()
        else:
            rows = weight.flatten(1).abs().sum(1)
        per_channel[producer] = [float(v) for v in rows]
    if method != "taylor":
        _fold_norms(graph, state, names, per_channel)
    return [sum(per_channel[p][i] for p, i in unit) for unit in graph.units]


def _fold_norms(graph: ChannelGraph, state: dict[str, Any], names: dict[str, str],
                per_channel: dict[str, list[float]]) -> None:
    """Scale each channel's norm by the first BatchNorm it passes, |gamma| / sqrt(var + eps):
    after a BatchNorm the filter's own size says nothing (the norm rescales it); the folded
    filter's does."""
    folded: set[tuple[str, int]] = set()
    for reader, kind in graph.kinds.items():
        if kind != "norm" or f"{names[reader]}.weight" not in state:
            continue
        gamma = state[f"{names[reader]}.weight"].detach().float().abs()
        scale = gamma / (state[f"{names[reader]}.running_var"].detach().float()
                         + graph.norm_eps[reader]).sqrt()
        for j, element in enumerate(graph.readers[reader]):
            if element in graph.unit_of and element not in folded:
                folded.add(element)
                per_channel[element[0]][element[1]] *= float(scale[j])


def select_units(graph: ChannelGraph, scores: list[float], ratio: float,
                 scope: str) -> set[int]:
    """The units to remove: the lowest-scoring ``ratio`` of each group's prunable units, or
    of all of them with scores divided by their group's mean (``global``)."""
    candidates = [graph.prunable(g) for g in range(len(graph.groups))]
    if not any(candidates):
        raise CompressError("nothing to prune: the network has no Conv or Linear channels that "
                            "can be removed (the layer feeding the Output is never pruned)")
    removed: set[int] = set()
    if scope == "layer":
        for units in candidates:
            count = int(ratio * len(units) + 0.5)
            removed.update(sorted(units, key=lambda u: (scores[u], u))[:count])
    else:
        normalized: list[tuple[float, int]] = []
        for units in candidates:
            mean = sum(scores[u] for u in units) / len(units) if units else 0.0
            normalized += [(scores[u] / mean if mean > 0 else 0.0, u) for u in units]
        count = int(ratio * len(normalized) + 0.5)
        removed.update(u for _, u in sorted(normalized)[:count])
    for producer, size in graph.producers.items():
        if all(graph.unit_of[(producer, i)] in removed for i in range(size)):
            raise CompressError(f"a pruning ratio of {ratio} would remove every one of the "
                                f"{size} channels of layer '{producer}'; use a smaller ratio")
    return removed


def make_plan(graph: ChannelGraph, removed_units: set[int]) -> PrunePlan:
    """The kept indices of every producer and reader for ``removed_units``."""
    plan = PrunePlan(graph, set(removed_units))
    for producer, size in graph.producers.items():
        gone = [i for i in range(size) if graph.unit_of[(producer, i)] in removed_units]
        plan.removed[producer] = gone
        plan.keep[producer] = [i for i in range(size) if i not in set(gone)]
    for reader, space in graph.readers.items():
        plan.keep_in[reader] = [j for j, e in enumerate(space)
                                if graph.unit_of.get(e) not in removed_units]
    return plan


def pruned_spec(spec: GraphSpec, plan: PrunePlan) -> GraphSpec:
    """A copy of ``spec`` with the producers' widths (and stated input widths) reduced."""
    smaller = spec.copy()
    for node in smaller.nodes:
        kind = plan.graph.kinds.get(node.id)
        if node.id in plan.keep and kind in _OUT_PARAM:
            node.params = {**node.params, _OUT_PARAM[kind]: len(plan.keep[node.id])}
        if node.id in plan.keep_in and kind in _IN_PARAM and node.params.get(_IN_PARAM[kind]):
            node.params = {**node.params, _IN_PARAM[kind]: len(plan.keep_in[node.id])}
    return smaller


def sliced_state(state: dict[str, Any], plan: PrunePlan, names: dict[str, str]
                 ) -> dict[str, Any]:
    """``state`` with every tensor of a pruned layer sliced to the kept channels."""
    import torch

    node_of = {attr: node_id for node_id, attr in names.items()}
    out: dict[str, Any] = {}
    for key, tensor in state.items():
        attr, _, leaf = key.rpartition(".")
        node_id = node_of.get(attr)
        kind = plan.graph.kinds.get(node_id or "")
        if kind == "norm" and leaf in _NORM_TENSORS:
            tensor = tensor.index_select(0, torch.tensor(plan.keep_in[node_id]))
        elif kind in _OUT_PARAM and leaf in ("weight", "bias"):
            tensor = tensor.index_select(0, torch.tensor(plan.keep[node_id]))
            if leaf == "weight":
                tensor = tensor.index_select(1, torch.tensor(plan.keep_in[node_id]))
        out[key] = tensor.detach().clone().contiguous()
    return out
