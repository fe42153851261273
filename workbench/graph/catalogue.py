"""The layer catalogue: every layer kind the editor offers, by name (no torch at import).

``CATALOGUE`` maps a name to its :class:`LayerType` (parameters with types, defaults, ranges and
tooltips; ports; category). Each registered layer also has a pure-Python shape rule (output
shape, parameter count, MACs) and a :class:`LayerBuilder` that says how compile and codegen turn
it into torch. Plugins add layers with :func:`register_layer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    ModuleCall,
    ParamSpec,
    Shape,
    ShapeError,
    ShapeRule,
)
from workbench.graph.layers import activation, conv, core, io, merge, norm, recurrent

__all__ = [
    "CATALOGUE", "CATEGORIES", "LayerBuilder", "LayerShape", "LayerType", "ModuleCall",
    "ParamSpec", "Shape", "ShapeError", "ShapeRule", "get_builder", "get_layer",
    "get_shape_rule", "layers_by_category", "register_layer",
]

CATEGORIES = ("IO", "Core", "Convolution", "Pooling", "Normalization", "Recurrent",
              "Activation", "Merge", "Shape")

CATALOGUE: dict[str, LayerType] = {}
_SHAPE_RULES: dict[str, ShapeRule] = {}
_BUILDERS: dict[str, LayerBuilder] = {}


def register_layer(layer_type: LayerType, shape_rule: ShapeRule,
                   builder: LayerBuilder | Callable[[dict[str, Any], list[Shape]], Any]) -> None:
    """Add (or replace) a layer kind.

    ``shape_rule(resolved_params, input_shapes) -> LayerShape`` raises :class:`ShapeError` when
    the inputs do not fit. ``builder`` is a :class:`LayerBuilder`, or a plain callable
    ``(resolved_params, input_shapes) -> nn.Module`` whose module is called on the inputs.
    """
    if not isinstance(layer_type, LayerType):
        raise TypeError(f"register_layer expects a LayerType, found {type(layer_type).__name__}")
    if not callable(shape_rule):
        raise TypeError(f"layer '{layer_type.name}': shape_rule must be callable")
    if not isinstance(builder, LayerBuilder):
        if not callable(builder):
            raise TypeError(f"layer '{layer_type.name}': builder must be a LayerBuilder or a "
                            f"callable returning an nn.Module, found {type(builder).__name__}")
        builder = LayerBuilder(build=builder)
    CATALOGUE[layer_type.name] = layer_type
    _SHAPE_RULES[layer_type.name] = shape_rule
    _BUILDERS[layer_type.name] = builder


def get_layer(name: str) -> LayerType:
    """The layer kind called ``name``; KeyError listing the known names otherwise."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown layer type '{name}' (known: {', '.join(sorted(CATALOGUE))})"
                       ) from None


def get_shape_rule(name: str) -> ShapeRule:
    get_layer(name)
    return _SHAPE_RULES[name]


def get_builder(name: str) -> LayerBuilder:
    get_layer(name)
    return _BUILDERS[name]


def layers_by_category() -> dict[str, list[LayerType]]:
    """Layer kinds grouped by category in palette order (unknown categories last)."""
    groups: dict[str, list[LayerType]] = {c: [] for c in CATEGORIES}
    for layer in CATALOGUE.values():
        groups.setdefault(layer.category, []).append(layer)
    return {c: layers for c, layers in groups.items() if layers}


for _module in (io, core, conv, norm, recurrent, activation, merge):
    for _layer_type, _rule, _builder in _module.LAYERS:
        register_layer(_layer_type, _rule, _builder)
