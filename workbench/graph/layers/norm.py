"""Normalization layers: BatchNorm1d, BatchNorm2d, LayerNorm."""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    ModuleCall,
    Shape,
    numel,
)
from workbench.graph.layers.common import expect_rank, float_param, single

BN_PARAMS = (
    float_param("eps", 1e-5, 0.0, 1.0, doc="Small number added to the variance."),
    float_param("momentum", 0.1, 0.0, 1.0, doc="Weight of each batch in the running stats."),
)
BATCHNORM1D = LayerType(
    name="BatchNorm1d", category="Normalization",
    doc="Normalizes each feature over the batch: (F,) or (C, L).",
    params=BN_PARAMS,
)
BATCHNORM2D = LayerType(
    name="BatchNorm2d", category="Normalization",
    doc="Normalizes each image channel over the batch: (C, H, W).",
    params=BN_PARAMS,
)
LAYERNORM = LayerType(
    name="LayerNorm", category="Normalization",
    doc="Normalizes each sample over its last dimension.",
    params=(float_param("eps", 1e-5, 0.0, 1.0, doc="Small number added to the variance."),),
)


def _bn_rule(ranks: tuple[int, ...], layout: str):
    def rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
        shape = single(shapes)
        expect_rank(shape, ranks, layout)
        return LayerShape(shape, 2 * shape[0], numel(shape))

    return rule


def _bn_module(cls: str):
    def module(p: dict[str, Any], shapes: list[Shape]) -> ModuleCall:
        return ModuleCall(cls, (shapes[0][0],), {"eps": p["eps"], "momentum": p["momentum"]})

    return module


def layernorm_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    expect_rank(shape, (1, 2, 3), "(..., F)")
    return LayerShape(shape, 2 * shape[-1], numel(shape))


LAYERS = [
    (BATCHNORM1D, _bn_rule((1, 2), "(F,) or (C, L)"), LayerBuilder(module=_bn_module("BatchNorm1d"))),
    (BATCHNORM2D, _bn_rule((3,), "(C, H, W)"), LayerBuilder(module=_bn_module("BatchNorm2d"))),
    (LAYERNORM, layernorm_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("LayerNorm", (s[0][-1],), {"eps": p["eps"]}))),
]
