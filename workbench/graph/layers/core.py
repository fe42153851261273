"""Core layers: Linear, Dropout, Flatten, Reshape, Embedding."""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    ModuleCall,
    ParamSpec,
    Shape,
    ShapeError,
    fmt_shape,
    numel,
)
from workbench.graph.layers.common import bool_param, expect_rank, float_param, int_param, single

LINEAR = LayerType(
    name="Linear", category="Core",
    doc="Fully connected layer: y = x W^T + b on the last dimension.",
    params=(
        int_param("out_features", 64, doc="Number of output features (units)."),
        bool_param("bias", True, doc="Learn an additive bias."),
        int_param("in_features", 0, minimum=0,
                  doc="Expected input features; 0 = take them from the input."),
    ),
)


def linear_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    expect_rank(shape, (1, 2, 3, 4), "(..., F)")
    f = shape[-1]
    if p["in_features"] and p["in_features"] != f:
        raise ShapeError(f"expects {p['in_features']} input features, receives {f}")
    out = p["out_features"]
    params = f * out + (out if p["bias"] else 0)
    return LayerShape(shape[:-1] + (out,), params, f * out * numel(shape[:-1]))


def linear_module(p: dict[str, Any], shapes: list[Shape]) -> ModuleCall:
    return ModuleCall("Linear", (shapes[0][-1], p["out_features"]), {"bias": p["bias"]})


DROPOUT = LayerType(
    name="Dropout", category="Core",
    doc="Randomly zeroes a fraction p of values while training (regularization).",
    params=(float_param("p", 0.5, 0.0, 1.0, doc="Probability of zeroing each value."),),
)


def same_shape_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    return LayerShape(single(shapes))


FLATTEN = LayerType(
    name="Flatten", category="Shape",
    doc="Flattens each sample into a vector, e.g. (16, 4, 4) -> (256,).",
)


def flatten_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    return LayerShape((numel(single(shapes)),))


RESHAPE = LayerType(
    name="Reshape", category="Shape",
    doc="Reshapes each sample to a new shape with the same number of values.",
    params=(ParamSpec("shape", "shape", [-1], minimum=-1,
                      doc="New shape without the batch dimension; one entry may be -1."),),
)


def reshape_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    target = list(p["shape"])
    if 0 in target:
        raise ShapeError(f"has 0 in its target shape {target}; every entry must be >= 1 or -1")
    if target.count(-1) > 1:
        raise ShapeError(f"has more than one -1 in its target shape {target}")
    total = numel(shape)
    known = numel(tuple(d for d in target if d != -1))
    if -1 in target:
        if total % known:
            raise ShapeError(f"cannot reshape {fmt_shape(shape)} ({total} values) to "
                             f"{target}: {total} is not divisible by {known}")
        target[target.index(-1)] = total // known
    elif known != total:
        raise ShapeError(f"cannot reshape {fmt_shape(shape)} ({total} values) to "
                         f"{fmt_shape(tuple(target))} ({known} values)")
    return LayerShape(tuple(target))


def reshape_apply(module: Any, xs: list[Any], p: dict[str, Any]) -> Any:
    return xs[0].reshape(xs[0].shape[0], *p["shape"])


def reshape_source(m: str, xs: list[str], p: dict[str, Any]) -> str:
    dims = ", ".join(str(d) for d in p["shape"])
    return f"{xs[0]}.reshape({xs[0]}.shape[0], {dims})"


EMBEDDING = LayerType(
    name="Embedding", category="Core",
    doc="Looks up a learned vector for each token id: (T,) int64 -> (T, D).",
    params=(
        int_param("num_embeddings", 1000, doc="Vocabulary size: token ids are 0..N-1."),
        int_param("embedding_dim", 32, doc="Length D of each token's vector."),
    ),
    input_dtype="int64",
)


def embedding_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    expect_rank(shape, (1, 2), "(T,) token ids")
    n, d = p["num_embeddings"], p["embedding_dim"]
    return LayerShape(shape + (d,), n * d, 0)


LAYERS = [
    (LINEAR, linear_rule, LayerBuilder(module=linear_module)),
    (DROPOUT, same_shape_rule,
     LayerBuilder(module=lambda p, s: ModuleCall("Dropout", (), {"p": p["p"]}))),
    (FLATTEN, flatten_rule, LayerBuilder(module=lambda p, s: ModuleCall("Flatten"))),
    (RESHAPE, reshape_rule, LayerBuilder(apply=reshape_apply, source=reshape_source)),
    (EMBEDDING, embedding_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("Embedding", (p["num_embeddings"], p["embedding_dim"])))),
]
