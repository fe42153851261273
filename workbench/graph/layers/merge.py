"""Merge layers with several inputs: Add (residual sums) and Concat."""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    Shape,
    ShapeError,
    fmt_shape,
)
from workbench.graph.layers.common import check_dim, int_param

NUM_INPUTS = int_param("num_inputs", 2, minimum=2, maximum=8,
                       doc="Number of inputs (ports in0, in1, ...).")

ADD = LayerType(
    name="Add", category="Merge",
    doc="Adds inputs of the same shape element-wise (residual connections).",
    params=(NUM_INPUTS,), inputs=(), variadic_inputs=True,
)
CONCAT = LayerType(
    name="Concat", category="Merge",
    doc="Joins inputs along one dim; the other dims must match.",
    params=(NUM_INPUTS,
            int_param("dim", 1, minimum=None,
                      doc="Dim to join: 1-based over sample dims (1 = channels/features), "
                          "-1 = last.")),
    inputs=(), variadic_inputs=True,
)


def add_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    first = shapes[0]
    for other in shapes[1:]:
        if other != first:
            raise ShapeError(f"needs all inputs the same shape, receives {fmt_shape(first)} "
                             f"and {fmt_shape(other)}")
    return LayerShape(first)


def add_apply(module: Any, xs: list[Any], p: dict[str, Any]) -> Any:
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def concat_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first):
            raise ShapeError(f"needs inputs with the same number of dims, receives "
                             f"{fmt_shape(first)} and {fmt_shape(other)}")
    axis = check_dim(p["dim"], len(first), first)
    for other in shapes[1:]:
        if any(a != b for i, (a, b) in enumerate(zip(first, other, strict=True)) if i != axis):
            raise ShapeError(f"needs inputs that match except along dim {p['dim']}, receives "
                             f"{fmt_shape(first)} and {fmt_shape(other)}")
    out = list(first)
    out[axis] = sum(s[axis] for s in shapes)
    return LayerShape(tuple(out))


def concat_apply(module: Any, xs: list[Any], p: dict[str, Any]) -> Any:
    import torch

    return torch.cat(xs, dim=p["dim"])


LAYERS = [
    (ADD, add_rule, LayerBuilder(apply=add_apply, source=lambda m, xs, p: " + ".join(xs))),
    (CONCAT, concat_rule, LayerBuilder(
        apply=concat_apply,
        source=lambda m, xs, p: f"torch.cat([{', '.join(xs)}], dim={p['dim']})")),
]
