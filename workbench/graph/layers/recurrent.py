"""Recurrent layers: LSTM and GRU over (T, F) sequences, batch first.

With ``return_sequences`` False the output is the last time step, ``output[:, -1]`` (plain
slicing, so it exports to ONNX). For a bidirectional layer that step holds the forward
direction's summary of the whole sequence and the backward direction's first step.
"""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import LayerBuilder, LayerShape, LayerType, ModuleCall, Shape
from workbench.graph.layers.common import bool_param, expect_rank, int_param, single

GATES = {"LSTM": 4, "GRU": 3}


def _params() -> tuple:
    return (
        int_param("hidden_size", 64, doc="Units H in the hidden state."),
        int_param("num_layers", 1, maximum=8, doc="Stacked recurrent layers."),
        bool_param("bidirectional", False, doc="Also read the sequence backwards (output 2H)."),
        bool_param("return_sequences", False,
                   doc="True: every step (T, H); False: only the last step (H,)."),
    )


LSTM = LayerType(
    name="LSTM", category="Recurrent",
    doc="Long short-term memory over a sequence (T, F); gated memory for long ranges.",
    params=_params(),
)
GRU = LayerType(
    name="GRU", category="Recurrent",
    doc="Gated recurrent unit over a sequence (T, F); lighter than an LSTM.",
    params=_params(),
)


def _rule(kind: str):
    gates = GATES[kind]

    def rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
        shape = single(shapes)
        expect_rank(shape, 2, "(T, F)")
        steps, features = shape
        h, dirs = p["hidden_size"], 2 if p["bidirectional"] else 1
        params = macs = 0
        for layer in range(p["num_layers"]):
            width = features if layer == 0 else h * dirs
            params += dirs * (gates * h * (width + h) + 2 * gates * h)
            macs += dirs * steps * gates * h * (width + h)
        out = (steps, h * dirs) if p["return_sequences"] else (h * dirs,)
        return LayerShape(out, params, macs)

    return rule


def _module(kind: str):
    def module(p: dict[str, Any], shapes: list[Shape]) -> ModuleCall:
        return ModuleCall(kind, (shapes[0][-1], p["hidden_size"]),
                          {"num_layers": p["num_layers"], "batch_first": True,
                           "bidirectional": p["bidirectional"]})

    return module


def recurrent_apply(module: Any, xs: list[Any], p: dict[str, Any]) -> Any:
    out = module(xs[0])[0]
    return out if p["return_sequences"] else out[:, -1]


def recurrent_source(m: str, xs: list[str], p: dict[str, Any]) -> str:
    return f"{m}({xs[0]})[0]" + ("" if p["return_sequences"] else "[:, -1]")


LAYERS = [
    (kind_type, _rule(kind_type.name),
     LayerBuilder(module=_module(kind_type.name), apply=recurrent_apply, source=recurrent_source))
    for kind_type in (LSTM, GRU)
]
