"""Convolution and pooling: Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d."""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    ModuleCall,
    Shape,
    ShapeError,
    numel,
)
from workbench.graph.layers.common import bool_param, expect_rank, int_param, single, window_out


def _conv_params(dims: int) -> tuple:
    what = "length" if dims == 1 else "height and width"
    return (
        int_param("out_channels", 16, doc="Number of filters (output channels)."),
        int_param("kernel_size", 3, doc=f"Filter size along {what}."),
        int_param("stride", 1, doc="Step between filter positions."),
        int_param("padding", 0, minimum=0, doc="Zeros added on each side."),
        int_param("dilation", 1, doc="Spacing between filter taps."),
        int_param("groups", 1, doc="Split channels into this many independent groups."),
        bool_param("bias", True, doc="Learn an additive bias per output channel."),
        int_param("in_channels", 0, minimum=0,
                  doc="Expected input channels; 0 = take them from the input."),
    )


CONV1D = LayerType(
    name="Conv1d", category="Convolution",
    doc="1-D convolution over sequences: (C, L) -> (out_channels, L').",
    params=_conv_params(1),
)
CONV2D = LayerType(
    name="Conv2d", category="Convolution",
    doc="2-D convolution over images: (C, H, W) -> (out_channels, H', W').",
    params=_conv_params(2),
)


def _conv_rule(dims: int):
    layout = "(C, L)" if dims == 1 else "(C, H, W)"
    axes = ("length",) if dims == 1 else ("height", "width")

    def rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
        shape = single(shapes)
        expect_rank(shape, dims + 1, layout)
        c, out, g = shape[0], p["out_channels"], p["groups"]
        if p["in_channels"] and p["in_channels"] != c:
            raise ShapeError(f"expects {p['in_channels']} input channels, receives {c}")
        if c % g or out % g:
            raise ShapeError(f"has groups {g}, which must divide both the input channels {c} "
                             f"and out_channels {out}")
        spatial = tuple(
            window_out(size, p["kernel_size"], p["stride"], p["padding"], p["dilation"], axis,
                       shape)
            for size, axis in zip(shape[1:], axes, strict=True))
        weights = out * (c // g) * p["kernel_size"] ** dims
        params = weights + (out if p["bias"] else 0)
        return LayerShape((out,) + spatial, params, weights * numel(spatial))

    return rule


def _conv_module(dims: int):
    def module(p: dict[str, Any], shapes: list[Shape]) -> ModuleCall:
        kwargs = {"stride": p["stride"], "padding": p["padding"], "dilation": p["dilation"],
                  "groups": p["groups"], "bias": p["bias"]}
        return ModuleCall(f"Conv{dims}d", (shapes[0][0], p["out_channels"], p["kernel_size"]),
                          kwargs)

    return module


POOL_PARAMS = (
    int_param("kernel_size", 2, doc="Window size (height and width)."),
    int_param("stride", 0, minimum=0, doc="Step between windows; 0 = same as kernel_size."),
    int_param("padding", 0, minimum=0, doc="Padding on each side; at most kernel_size / 2."),
)
MAXPOOL2D = LayerType(
    name="MaxPool2d", category="Pooling",
    doc="Keeps the largest value in each window, shrinking height and width.",
    params=POOL_PARAMS,
)
AVGPOOL2D = LayerType(
    name="AvgPool2d", category="Pooling",
    doc="Averages each window, shrinking height and width.",
    params=POOL_PARAMS,
)


def pool_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    expect_rank(shape, 3, "(C, H, W)")
    k, pad = p["kernel_size"], p["padding"]
    stride = p["stride"] or k
    if 2 * pad > k:
        raise ShapeError(f"has padding {pad}; it must be at most half of kernel_size {k}")
    h = window_out(shape[1], k, stride, pad, 1, "height", shape)
    w = window_out(shape[2], k, stride, pad, 1, "width", shape)
    return LayerShape((shape[0], h, w))


def _pool_module(cls: str):
    def module(p: dict[str, Any], shapes: list[Shape]) -> ModuleCall:
        return ModuleCall(cls, (p["kernel_size"],),
                          {"stride": p["stride"] or p["kernel_size"], "padding": p["padding"]})

    return module


ADAPTIVE_AVGPOOL2D = LayerType(
    name="AdaptiveAvgPool2d", category="Pooling",
    doc="Averages down to a fixed output_size x output_size grid, whatever the input size.",
    params=(int_param("output_size", 1, doc="Output height and width (1 = global average)."),),
)


def adaptive_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    expect_rank(shape, 3, "(C, H, W)")
    o = p["output_size"]
    warnings: tuple[str, ...] = ()
    if shape[1] % o or shape[2] % o:
        warnings = (f"output_size {o} does not divide the input size {shape[1]}x{shape[2]}; "
                    "ONNX export may fail (pick a size that divides it)",)
    return LayerShape((shape[0], o, o), warnings=warnings)


LAYERS = [
    (CONV1D, _conv_rule(1), LayerBuilder(module=_conv_module(1))),
    (CONV2D, _conv_rule(2), LayerBuilder(module=_conv_module(2))),
    (MAXPOOL2D, pool_rule, LayerBuilder(module=_pool_module("MaxPool2d"))),
    (AVGPOOL2D, pool_rule, LayerBuilder(module=_pool_module("AvgPool2d"))),
    (ADAPTIVE_AVGPOOL2D, adaptive_rule, LayerBuilder(
        module=lambda p, s: ModuleCall("AdaptiveAvgPool2d", (p["output_size"],)))),
]
