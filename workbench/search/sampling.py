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
    """
    from workbench.graph.catalogue import get_layer

    spec = graph.copy()
    settings = dict(training)
    nodes = {n.id: n for n in spec.nodes}
    ordered = sorted(space.dimensions, key=lambda d: d.target[1] != "type")
    for dim in ordered:
        if dim.name not in values:
            continue
        owner, param = dim.target
        value = values[dim.name]
        if owner == "training":
            settings[param] = value
        elif param == "type":
            node = nodes[owner]
            if node.type != value:
                kept = {p.name for p in get_layer(value).params}
                node.type = value
                node.params = {k: v for k, v in node.params.items() if k in kept}
        else:
            nodes[owner].params = {**nodes[owner].params, param: value}
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
