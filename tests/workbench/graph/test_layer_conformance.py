"""Every registered layer passes the shared conformance checks; a broken one does not."""

from __future__ import annotations

import pytest

from workbench.graph.catalogue import (
    CATALOGUE,
    LayerShape,
    LayerType,
    ModuleCall,
    ParamSpec,
    register_layer,
)
from workbench.graph.layer_conformance import (
    ConformanceError,
    check_layer_against_torch,
    check_layer_metadata,
)
from workbench.graph.layer_type import LayerBuilder

# name -> list of (input shapes, params, input dtype)
CASES: dict[str, list[tuple[list[tuple], dict, str]]] = {
    "Input": [([], {"shape": [3, 4]}, "float32")],
    "Output": [([(5,)], {"num_classes": 5}, "float32")],
    "Linear": [([(4, 6)], {"out_features": 5}, "float32"),
               ([(6,)], {"out_features": 2, "bias": False}, "float32")],
    "Conv1d": [([(3, 10)], {"out_channels": 4, "stride": 2, "padding": 1, "dilation": 2},
                "float32")],
    "Conv2d": [([(4, 8, 7)], {"out_channels": 8, "groups": 4, "bias": False}, "float32")],
    "MaxPool2d": [([(2, 7, 7)], {"kernel_size": 3, "stride": 2, "padding": 1}, "float32")],
    "AvgPool2d": [([(2, 8, 9)], {}, "float32")],
    "AdaptiveAvgPool2d": [([(3, 7, 5)], {"output_size": 2}, "float32")],
    "BatchNorm1d": [([(5,)], {}, "float32"), ([(3, 7)], {"eps": 1e-3}, "float32")],
    "BatchNorm2d": [([(3, 4, 4)], {"momentum": 0.3}, "float32")],
    "LayerNorm": [([(4, 6)], {}, "float32")],
    "Dropout": [([(6,)], {"p": 0.3}, "float32")],
    "Flatten": [([(2, 3, 4)], {}, "float32")],
    "Reshape": [([(12,)], {"shape": [3, -1]}, "float32")],
    "Embedding": [([(7,)], {"num_embeddings": 11, "embedding_dim": 5}, "int64")],
    "LSTM": [([(6, 4)], {"hidden_size": 5, "num_layers": 2, "bidirectional": True},
              "float32")],
    "GRU": [([(5, 3)], {"hidden_size": 4, "return_sequences": True}, "float32")],
    "ReLU": [([(3, 4)], {}, "float32")],
    "LeakyReLU": [([(3, 4)], {"negative_slope": 0.2}, "float32")],
    "ELU": [([(5,)], {"alpha": 0.5}, "float32")],
    "GELU": [([(5,)], {"approximate": "tanh"}, "float32")],
    "SiLU": [([(5,)], {}, "float32")],
    "Sigmoid": [([(2, 3, 3)], {}, "float32")],
    "Tanh": [([(5,)], {}, "float32")],
    "Softmax": [([(3, 4)], {"dim": 1}, "float32")],
    "Add": [([(2, 3, 3)] * 3, {"num_inputs": 3}, "float32")],
    "Concat": [([(3, 2), (3, 4)], {"dim": -1}, "float32")],
}

BUILT_IN = sorted(CASES)
FLAT = [(name, *case) for name in BUILT_IN for case in CASES[name]]


def test_every_built_in_layer_has_cases() -> None:
    assert set(CASES) == set(CATALOGUE)


@pytest.mark.parametrize("name", BUILT_IN)
def test_metadata(name: str) -> None:
    check_layer_metadata(name)


@pytest.mark.parametrize("name, shapes, params, dtype", FLAT,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FLAT)])
def test_against_torch(name: str, shapes: list, params: dict, dtype: str) -> None:
    check_layer_against_torch(name, shapes, params, dtype)


def test_a_layer_whose_rule_is_wrong_fails() -> None:
    layer = LayerType("BrokenLinear", "Core", "A Linear whose shape rule is off by one.",
                      (ParamSpec("out_features", "int", 4, 1, doc="Units."),))
    register_layer(layer,
                   lambda p, s: LayerShape((p["out_features"] + 1,), s[0][-1] * p["out_features"]),
                   LayerBuilder(module=lambda p, s: ModuleCall("Linear", (s[0][-1],
                                                                          p["out_features"]))))
    try:
        check_layer_metadata("BrokenLinear")
        with pytest.raises(ConformanceError, match=r"shape rule says \(5,\), torch gives \(4,\)"):
            check_layer_against_torch("BrokenLinear", [(3,)])
    finally:
        CATALOGUE.pop("BrokenLinear")


def test_metadata_problems_are_reported() -> None:
    layer = LayerType("Undocumented", "Misc", "", (ParamSpec("n", "int", 0, 1),))
    register_layer(layer, lambda p, s: LayerShape(s[0]), LayerBuilder())
    try:
        with pytest.raises(ConformanceError) as info:
            check_layer_metadata("Undocumented")
        message = str(info.value)
        assert "category 'Misc'" in message and "one-line tooltip" in message
        assert "parameter 'n' has no doc" in message and "default of 'n' is invalid" in message
    finally:
        CATALOGUE.pop("Undocumented")
