"""Extra activation layers: PReLU (learnable negative slope) and Hardswish.

Registered by :func:`register` through the ``workbench.plugins`` entry point. Both use the same
machinery as the built-in layers (``LayerType``, a pure-Python shape rule, a ``LayerBuilder``
with a ``ModuleCall``), so they validate, compile, print in generated source and export to ONNX.
No torch at import.
"""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    ModuleCall,
    ParamSpec,
    Shape,
)
from workbench.graph.layers.common import single

PRELU = LayerType(
    name="PReLU", category="Activation",
    doc="Leaky ReLU whose slope below 0 is learned (shared or one per channel).",
    params=(
        ParamSpec("per_channel", "bool", False,
                  doc="Learn one slope per channel (the first sample dim: features of (F,), "
                      "channels of (C, L) / (C, H, W)) instead of one shared slope."),
        ParamSpec("init", "float", 0.25, 0.0, 1.0, doc="Initial slope for x < 0."),
    ))
HARDSWISH = LayerType(
    name="Hardswish", category="Activation",
    doc="x * relu6(x + 3) / 6: a cheap, piecewise-linear approximation of SiLU (MobileNetV3).")


def _prelu_slopes(p: dict[str, Any], shape: Shape) -> int:
    return shape[0] if p["per_channel"] else 1


def prelu_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    return LayerShape(shape, params=_prelu_slopes(p, shape))


def same_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    return LayerShape(single(shapes))


def _prelu_module(p: dict[str, Any], shapes: list[Shape]) -> ModuleCall:
    return ModuleCall("PReLU", (), {"num_parameters": _prelu_slopes(p, shapes[0]),
                                    "init": p["init"]})


LAYERS = [
    (PRELU, prelu_rule, LayerBuilder(module=_prelu_module)),
    (HARDSWISH, same_rule, LayerBuilder(module=lambda p, s: ModuleCall("Hardswish"))),
]


def register() -> None:
    """Add the layers to the catalogue (safe to call again: entries are replaced)."""
    from workbench.graph.catalogue import register_layer

    for layer_type, rule, builder in LAYERS:
        register_layer(layer_type, rule, builder)
