"""The search space on a graph spec: what may vary, as plain versioned JSON in the project file.

A project's optional ``search`` section::

    {"format_version": 1,
     "nodes": {"fc1": {"out_features": {"kind": "choice", "choices": [32, 64, 128]}},
               "relu1": {"type": {"kind": "choice", "choices": ["ReLU", "GELU", "SiLU"]}},
               "drop1": {"p": {"kind": "float", "low": 0.0, "high": 0.5}}},
     "training": {"lr": {"kind": "float", "low": 1e-4, "high": 1e-2, "log": true},
                  "batch_size": {"kind": "choice", "choices": [32, 64, 128]}},
     "blocks": [{"nodes": ["fc2", "relu2"], "repeat": {"kind": "int", "low": 1, "high": 3}}],
     "constraints": {"max_params": 50000, "max_macs": null}}

A dimension is ``choice`` (``choices``: a list of numbers, text or booleans), ``int`` (``low``,
``high``, optional ``step``, ``log``) or ``float`` (``low``, ``high``, optional ``log`` or
``step``). Under a node, ``"type"`` varies the layer kind among compatible layers (same
category and ports; parameters the new kind lacks are dropped) and ``"skip"`` (a choice of
true/false) makes a one-in/one-out node optional. A block (a chain of such nodes) repeats
``repeat`` times (copies ``<id>_2``, ...; structure.py). Everything else names a parameter of the
node's layer or a training setting. Torch-free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

SEARCH_FORMAT_VERSION = 1
KINDS = ("choice", "int", "float")
CONSTRAINTS = ("max_params", "max_macs")
TRAINING_PREFIX = "training."


class SearchSpaceError(ValueError):
    """A search section that cannot be used; the message names what was expected and found."""


@dataclass(frozen=True)
class Dimension:
    """One thing that varies: its Optuna name (``node.param`` or ``training.setting``)."""

    name: str
    kind: str
    choices: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    log: bool = False
    block: tuple[str, ...] = ()  # a repeated block's nodes (name: "a+b.repeat")

    @property
    def target(self) -> tuple[str, str]:
        """(node id or "training", parameter)."""
        owner, _, param = self.name.rpartition(".")
        return owner, param

    def grid_values(self) -> list[Any] | None:
        """Every value for a grid search; None for a continuous range (no step)."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            step = int(self.step or 1)
            return list(range(int(self.low), int(self.high) + 1, step))
        if self.step:
            count = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
            return [round(self.low + i * self.step, 12) for i in range(count)]
        return None

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "choice":
            return {"kind": "choice", "choices": list(self.choices)}
        data: dict[str, Any] = {"kind": self.kind, "low": self.low, "high": self.high}
        if self.step is not None:
            data["step"] = self.step
        if self.log:
            data["log"] = True
        return data


@dataclass(frozen=True)
class SearchSpace:
    """The parsed ``search`` section: dimensions in file order plus constraints."""

    dimensions: tuple[Dimension, ...] = ()
    max_params: int | None = None
    max_macs: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.dimensions

    @property
    def has_categorical(self) -> bool:
        return any(d.kind == "choice" for d in self.dimensions)

    def size(self) -> int | None:
        """How many combinations; None when a range is continuous."""
        total = 1
        for dim in self.dimensions:
            values = dim.grid_values()
            if values is None:
                return None
            total *= len(values)
        return total

    def describe(self) -> list[str]:
        """One line per dimension, for people."""
        lines = []
        for d in self.dimensions:
            if d.kind == "choice":
                lines.append(f"{d.name}: one of {', '.join(map(str, d.choices))}")
            else:
                scale = " (log)" if d.log else ""
                step = f" step {d.step:g}" if d.step else ""
                lines.append(f"{d.name}: {d.kind} {d.low:g}..{d.high:g}{step}{scale}")
        return lines


def parse_space(data: Any, graph: Any = None, source: str = "search") -> SearchSpace:
    """A SearchSpace from a project's ``search`` section; SearchSpaceError on anything wrong.

    With ``graph`` (a GraphSpec), node ids, parameter names, values and layer-type choices are
    checked against it and the catalogue; training settings against TrainConfig's fields.
    """
    if not isinstance(data, dict):
        raise SearchSpaceError(f"{source}: expected an object, found {type(data).__name__}")
    version = data.get("format_version", SEARCH_FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not (
            1 <= version <= SEARCH_FORMAT_VERSION):
        raise SearchSpaceError(f"{source}: format_version must be 1..{SEARCH_FORMAT_VERSION}, "
                               f"found {version!r}")
    unknown = sorted(set(data) - {"format_version", "nodes", "training", "blocks",
                                  "constraints"})
    if unknown:
        raise SearchSpaceError(f"{source}: unknown key(s) {', '.join(unknown)}; expected "
                               f"format_version, nodes, training, blocks, constraints")
    dims: list[Dimension] = []
    nodes = _object(data.get("nodes") or {}, f"{source}.nodes")
    for node_id, params in nodes.items():
        params = _object(params, f"{source}.nodes.{node_id}")
        if not params:
            raise SearchSpaceError(f"{source}.nodes.{node_id}: expected at least one "
                                   f"parameter that varies, found none")
        for param, spec in params.items():
            dims.append(_dimension(f"{node_id}.{param}", spec, f"{source}.nodes"))
    training = _object(data.get("training") or {}, f"{source}.training")
    for setting, spec in training.items():
        dims.append(_dimension(f"training.{setting}", spec, f"{source}"))
    dims.extend(_blocks(data.get("blocks") or [], f"{source}.blocks"))
    limits = _object(data.get("constraints") or {}, f"{source}.constraints")
    bad = sorted(set(limits) - set(CONSTRAINTS))
    if bad:
        raise SearchSpaceError(f"{source}.constraints: unknown constraint(s) {', '.join(bad)}; "
                               f"expected {', '.join(CONSTRAINTS)}")
    for key, value in limits.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 1):
            raise SearchSpaceError(f"{source}.constraints.{key}: expected a positive integer "
                                   f"or null, found {value!r}")
    space = SearchSpace(tuple(dims), limits.get("max_params"), limits.get("max_macs"),
                        raw=data)
    if graph is not None:
        check_against_graph(space, graph, source)
    return space


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SearchSpaceError(f"{where}: expected an object, found {type(value).__name__}")
    return value


def _blocks(value: Any, where: str) -> list[Dimension]:
    if not isinstance(value, list):
        raise SearchSpaceError(f"{where}: expected a list of blocks, found "
                               f"{type(value).__name__}")
    dims = []
    for i, block in enumerate(value):
        block = _object(block, f"{where}[{i}]")
        nodes = block.get("nodes")
        if not isinstance(nodes, list) or not nodes or not all(
                isinstance(n, str) for n in nodes) or len(set(nodes)) != len(nodes):
            raise SearchSpaceError(f"{where}[{i}].nodes: expected a non-empty list of distinct "
                                   f"node ids, found {nodes!r}")
        dim = _dimension(f"{'+'.join(nodes)}.repeat", block.get("repeat"), where)
        values = dim.choices if dim.kind == "choice" else (dim.low, dim.high)
        if dim.kind == "float" or not all(isinstance(v, int) and not isinstance(v, bool)
                                          and v >= 1 for v in values):
            raise SearchSpaceError(f"{where}[{i}].repeat: expected whole numbers >= 1 (an int "
                                   f"range or a choice), found {dim.to_dict()}")
        dims.append(Dimension(dim.name, dim.kind, dim.choices, dim.low, dim.high, dim.step,
                              dim.log, block=tuple(nodes)))
    return dims


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(
        value)


def _dimension(name: str, spec: Any, source: str) -> Dimension:
    where = f"{source}.{name}"
    spec = _object(spec, where)
    kind = spec.get("kind")
    if kind not in KINDS:
        raise SearchSpaceError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, found "
                               f"{kind!r}")
    if kind == "choice":
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices:
            raise SearchSpaceError(f"{where}: 'choices' must be a non-empty list, found "
                                   f"{choices!r}")
        for value in choices:
            if not isinstance(value, (str, bool, int, float)) or (
                    isinstance(value, float) and not math.isfinite(value)):
                raise SearchSpaceError(f"{where}: each choice must be a number, text or "
                                       f"true/false, found {value!r}")
        if len(set(map(repr, choices))) != len(choices):
            raise SearchSpaceError(f"{where}: choices repeat a value: {choices!r}")
        return Dimension(name, kind, choices=tuple(choices))
    low, high, step, log = spec.get("low"), spec.get("high"), spec.get("step"), spec.get("log",
                                                                                         False)
    if not (_number(low) and _number(high)) or low > high:
        raise SearchSpaceError(f"{where}: expected numbers 'low' <= 'high', found low={low!r}, "
                               f"high={high!r}")
    if kind == "int" and not all(float(v).is_integer() for v in (low, high)):
        raise SearchSpaceError(f"{where}: an int range needs whole 'low' and 'high', found "
                               f"{low!r}..{high!r}")
    if not isinstance(log, bool):
        raise SearchSpaceError(f"{where}: 'log' must be true or false, found {log!r}")
    if log and low <= 0:
        raise SearchSpaceError(f"{where}: a log range needs 'low' > 0, found {low!r}")
    if step is not None and (not _number(step) or step <= 0 or (log and step)):
        raise SearchSpaceError(f"{where}: 'step' must be a positive number (and not with "
                               f"log), found {step!r}")
    if kind == "int":
        return Dimension(name, kind, low=int(low), high=int(high),
                         step=int(step) if step else None, log=log)
    return Dimension(name, kind, low=float(low), high=float(high),
                     step=float(step) if step else None, log=log)


def check_against_graph(space: SearchSpace, graph: Any, source: str = "search") -> None:
    """SearchSpaceError when a dimension names a node, layer, parameter or setting that does
    not exist, or a value its parameter would refuse."""
    from workbench.graph.catalogue import get_layer
    from workbench.search.structure import StructureError, check_block, check_skippable

    nodes = {n.id: n for n in graph.nodes}
    for dim in space.dimensions:
        owner, param = dim.target
        where = f"{source}: '{dim.name}'"
        missing = [n for n in (dim.block or (owner,)) if n not in nodes and owner != "training"]
        if missing:
            raise SearchSpaceError(f"{where} names node '{missing[0]}', which is not in the "
                                   f"graph (nodes: {', '.join(sorted(nodes))})")
        try:
            if dim.block:
                check_block(graph, dim.block)
                continue
            if param == "skip":
                check_skippable(graph, owner)
        except StructureError as exc:
            raise SearchSpaceError(f"{where}: {exc}") from None
        if param == "skip":
            if dim.kind != "choice" or not all(isinstance(v, bool) for v in dim.choices):
                raise SearchSpaceError(f"{where}: expected a choice of true/false, found "
                                       f"{dim.to_dict()}")
            continue
        if owner == "training":
            _check_training(dim, where)
            continue
        node = nodes[owner]
        layer = get_layer(node.type)
        if param == "type":
            _check_type_choices(dim, layer, where)
            continue
        try:
            spec = layer.param(param)
        except KeyError as exc:
            raise SearchSpaceError(f"{where}: {exc.args[0]}") from None
        values = dim.choices if dim.kind == "choice" else (dim.low, dim.high)
        for value in values:
            value = int(value) if spec.kind == "int" and dim.kind != "choice" else value
            problem = spec.check(value)
            if problem:
                raise SearchSpaceError(f"{where}: {problem}")


def _check_type_choices(dim: Dimension, layer: Any, where: str) -> None:
    from workbench.graph.catalogue import CATALOGUE

    if dim.kind != "choice":
        raise SearchSpaceError(f"{where}: a layer type varies as a 'choice', found "
                               f"'{dim.kind}'")
    for name in dim.choices:
        other = CATALOGUE.get(name) if isinstance(name, str) else None
        if other is None:
            same = sorted(n for n, t in CATALOGUE.items() if t.category == layer.category)
            raise SearchSpaceError(f"{where}: unknown layer type {name!r} (compatible with "
                                   f"{layer.name}: {', '.join(same)})")
        if (other.category != layer.category or other.inputs != layer.inputs
                or other.outputs != layer.outputs or other.variadic_inputs
                or layer.variadic_inputs):
            raise SearchSpaceError(f"{where}: {name} cannot replace {layer.name} (expected a "
                                   f"{layer.category} layer with the same ports)")


def _check_training(dim: Dimension, where: str) -> None:
    import dataclasses

    from workbench.train.config import TrainConfig

    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    _, setting = dim.target
    if setting not in fields:
        raise SearchSpaceError(f"{where}: unknown training setting '{setting}' (known: "
                               f"{', '.join(sorted(fields))})")
    values = dim.choices if dim.kind == "choice" else (dim.low, dim.high)
    for value in values:
        try:
            TrainConfig.from_dict({setting: value})
        except (TypeError, ValueError) as exc:
            raise SearchSpaceError(f"{where}: {exc}") from None
