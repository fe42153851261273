"""Activation functions: ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax."""

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
from workbench.graph.layers.common import check_dim, float_param, int_param, single


def _act(name: str, doc: str, params: tuple = ()) -> LayerType:
    return LayerType(name=name, category="Activation", doc=doc, params=params)


RELU = _act("ReLU", "max(0, x): the default activation; units stuck below 0 are 'dead'.")
LEAKY_RELU = _act("LeakyReLU", "Like ReLU but lets a small slope through below 0.",
                  (float_param("negative_slope", 0.01, 0.0, 1.0, doc="Slope for x < 0."),))
ELU = _act("ELU", "Smooth ReLU variant that goes to -alpha for very negative x.",
           (float_param("alpha", 1.0, 0.0, 10.0, doc="Value approached for very negative x."),))
GELU = _act("GELU", "Smooth ReLU-like gate used in transformers: x * Phi(x).",
            (ParamSpec("approximate", "choice", "none", choices=("none", "tanh"),
                       doc="'tanh' uses the faster tanh approximation."),))
SILU = _act("SiLU", "x * sigmoid(x) (Swish): smooth, non-monotonic.")
SIGMOID = _act("Sigmoid", "Squashes to (0, 1); saturates, so deep stacks vanish gradients.")
TANH = _act("Tanh", "Squashes to (-1, 1); zero-centred but saturates.")
SOFTMAX = _act("Softmax", "Turns scores into probabilities along one dim (not before the loss).",
               (int_param("dim", -1, minimum=None,
                          doc="Dim to normalize: 1-based over sample dims, -1 = last."),))


def same_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    return LayerShape(single(shapes))


def softmax_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    check_dim(p["dim"], len(shape), shape)
    return LayerShape(shape)


def _plain(cls: str) -> LayerBuilder:
    return LayerBuilder(module=lambda p, s: ModuleCall(cls))


LAYERS = [
    (RELU, same_rule, _plain("ReLU")),
    (LEAKY_RELU, same_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("LeakyReLU", (), {"negative_slope": p["negative_slope"]}))),
    (ELU, same_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("ELU", (), {"alpha": p["alpha"]}))),
    (GELU, same_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("GELU", (), {"approximate": p["approximate"]}))),
    (SILU, same_rule, _plain("SiLU")),
    (SIGMOID, same_rule, _plain("Sigmoid")),
    (TANH, same_rule, _plain("Tanh")),
    (SOFTMAX, softmax_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("Softmax", (), {"dim": p["dim"]}))),
]
