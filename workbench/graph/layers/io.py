"""Input and Output: where the batch enters the network and where its result leaves.

The Output holds either ``num_classes`` (classification: one score per class) or ``num_outputs``
(regression: that many predicted values); 0 leaves it open. Files written before
``num_outputs`` existed have only ``num_classes`` and read as before.
"""

from __future__ import annotations

from typing import Any

from workbench.graph.layer_type import (
    LayerBuilder,
    LayerShape,
    LayerType,
    ParamSpec,
    Shape,
    ShapeError,
    fmt_shape,
)
from workbench.graph.layers.common import int_param, single

INPUT = LayerType(
    name="Input", category="IO",
    doc="Where a batch enters the network; shape excludes the batch dimension.",
    params=(
        ParamSpec("shape", "shape", [4], minimum=1,
                  doc="Shape of one sample, without the batch dimension, e.g. [1, 28, 28]."),
        ParamSpec("dtype", "choice", "float32", choices=("float32", "int64"),
                  doc="float32 for features and images, int64 for token ids (Embedding)."),
    ),
    inputs=(), outputs=("out",),
)

OUTPUT = LayerType(
    name="Output", category="IO",
    doc="The network's result: one score (logit) per class, or the predicted value(s) of a "
        "regression; passes its input through.",
    params=(int_param("num_classes", 0, minimum=0,
                      doc="Number of classes the scores must have; 0 = not fixed."),
            int_param("num_outputs", 0, minimum=0,
                      doc="Regression: number of values predicted (1 for one target); "
                          "0 = not a regression output.")),
    inputs=("in",), outputs=(),
)


def input_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    if shapes:
        raise ShapeError(f"takes no inputs, receives {len(shapes)}")
    return LayerShape(tuple(p["shape"]), dtype=p["dtype"])


def output_rule(p: dict[str, Any], shapes: list[Shape]) -> LayerShape:
    shape = single(shapes)
    k, values = p["num_classes"], p["num_outputs"]
    if k and values:
        raise ShapeError(f"sets both num_classes ({k}) and num_outputs ({values}); expected "
                         f"one: num_classes for class scores, num_outputs for regression")
    if values:
        if shape != (values,):
            unit = "value" if values == 1 else "values"
            found = str(shape[0]) if len(shape) == 1 else fmt_shape(shape)
            hint = (f"; set the Linear before it to out_features={values}" if len(shape) == 1
                    else "; add Flatten and a Linear layer before it")
            raise ShapeError(f"expects {values} {unit}, receives {found}{hint}")
    elif k:
        if shape != (k,):
            unit = "class" if k == 1 else "classes"
            hint = "; add Flatten and a Linear layer before it" if len(shape) > 1 else ""
            raise ShapeError(f"expects ({k},) ({k} {unit}), receives {fmt_shape(shape)}{hint}")
    elif len(shape) != 1:
        raise ShapeError(f"expects a vector of class scores (K,), receives {fmt_shape(shape)}; "
                         "add Flatten and a Linear layer before it")
    return LayerShape(shape)


LAYERS = [
    (INPUT, input_rule, LayerBuilder()),
    (OUTPUT, output_rule, LayerBuilder()),
]
