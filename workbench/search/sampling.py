"""One network and its training settings drawn from a search space by an Optuna trial.

Sampling is define-by-run (``trial.suggest_*``), one call per dimension in the space's order,
so every strategy, pruner and storage sees the same parameter names (``fc1.out_features``,
``relu1.type``, ``training.lr``). A sample is validated with the same analysis the editor
uses and checked against the space's constraints before anything trains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.graph.spec import GraphSpec
from workbench.search.space import Dimension, SearchSpace


class InvalidSample(ValueError):
    """A sampled network that cannot train (a shape problem, over a constraint); the message
    is recorded on the trial."""


@dataclass
class Sample:
    """The sampled network, the training settings with the sampled ones applied, the values."""

    graph: GraphSpec
    training: dict[str, Any]
    params: dict[str, Any]
    total_params: int = 0
    total_macs: int = 0


def suggest(trial: Any, dim: Dimension) -> Any:
    """The trial's value for one dimension."""
    if dim.kind == "choice":
        return trial.suggest_categorical(dim.name, list(dim.choices))
    if dim.kind == "int":
        return trial.suggest_int(dim.name, int(dim.low), int(dim.high),
                                 step=int(dim.step or 1), log=dim.log)
    return trial.suggest_float(dim.name, dim.low, dim.high, step=dim.step, log=dim.log)


def apply_values(graph: GraphSpec, training: dict[str, Any], space: SearchSpace,
                 values: dict[str, Any]) -> tuple[GraphSpec, dict[str, Any]]:
    """A copy of ``graph`` and ``training`` with ``values`` (by dimension name) applied.

    Layer types are applied before parameters, so ``relu1.type`` = LeakyReLU and
    ``relu1.negative_slope`` work together; a new layer type keeps only the parameters it has.
    Blocks are repeated after parameters (copies carry the sampled values), then optional
    nodes are skipped.
    """
    from workbench.graph.catalogue import get_layer
    from workbench.search.structure import repeat_block, skip_node

    spec = graph.copy()
    settings = dict(training)
    nodes = {n.id: n for n in spec.nodes}
    structural = ("type", "skip", "repeat")
    for dim in space.dimensions:  # layer types first: their parameters apply to the new kind
        owner, param = dim.target
        if param == "type" and dim.name in values and nodes[owner].type != values[dim.name]:
            kept = {p.name for p in get_layer(values[dim.name]).params}
            nodes[owner].type = values[dim.name]
            nodes[owner].params = {k: v for k, v in nodes[owner].params.items() if k in kept}
    for dim in space.dimensions:
        owner, param = dim.target
        if dim.name not in values or param in structural:
            continue
        if owner == "training":
            settings[param] = values[dim.name]
        else:
            nodes[owner].params = {**nodes[owner].params, param: values[dim.name]}
    for dim in space.dimensions:  # then structure: blocks repeat, optional nodes go
        if dim.block and dim.name in values:
            repeat_block(spec, dim.block, int(values[dim.name]))
    for dim in space.dimensions:
        owner, param = dim.target
        if param == "skip" and not dim.block and values.get(dim.name) is True:
            skip_node(spec, owner)
    return spec, settings


def sample(trial: Any, graph: GraphSpec, training: dict[str, Any],
           space: SearchSpace) -> Sample:
    """Draw every dimension from ``trial``, apply it, validate it; InvalidSample when the
    network has errors or breaks a constraint (nothing trains then)."""
    values = {dim.name: suggest(trial, dim) for dim in space.dimensions}
    spec, settings = apply_values(graph, training, space, values)
    return validate(Sample(spec, settings, values), space)


def validate(drawn: Sample, space: SearchSpace) -> Sample:
    """``drawn`` with its parameter and MAC counts; InvalidSample naming the problem."""
    from workbench.graph.shape_inference import analyze
    from workbench.train.config import TrainConfig

    analysis = analyze(drawn.graph)
    if not analysis.ok:
        raise InvalidSample("the sampled network is invalid: "
                            + "; ".join(p.message for p in analysis.errors))
    try:
        TrainConfig.from_dict(drawn.training)
    except (TypeError, ValueError) as exc:
        raise InvalidSample(f"the sampled training settings are invalid: {exc}") from None
    drawn.total_params, drawn.total_macs = analysis.total_params, analysis.total_macs
    if space.max_params is not None and drawn.total_params > space.max_params:
        raise InvalidSample(f"the sampled network has {drawn.total_params:,} parameters, over "
                            f"the constraint max_params {space.max_params:,}")
    if space.max_macs is not None and drawn.total_macs > space.max_macs:
        raise InvalidSample(f"the sampled network needs {drawn.total_macs:,} MACs, over the "
                            f"constraint max_macs {space.max_macs:,}")
    return drawn
