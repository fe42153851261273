"""Shape inference: shapes per node and edge, counts, and shape-mismatch messages."""

from __future__ import annotations

import pytest

from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node
from workbench.graph.templates import (
    chain,
    cnn,
    concat_branches,
    embedding_lstm,
    mlp,
    residual_mlp,
)


def errors(spec: GraphSpec) -> list[tuple[str | None, str]]:
    return [(p.node_id, p.message) for p in analyze(spec).errors]


def test_mlp_shapes_counts_and_edge_shapes() -> None:
    analysis = analyze(mlp(input_size=64, hidden=(128, 64), num_classes=10))
    assert analysis.ok
    assert analysis.nodes["fc1"].output_shape == (128,)
    assert analysis.nodes["fc1"].params == 64 * 128 + 128
    assert analysis.nodes["fc1"].macs == 64 * 128
    assert analysis.total_params == (64 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)
    assert analysis.total_macs == 64 * 128 + 128 * 64 + 64 * 10
    assert analysis.edge_shapes[("fc1", "out", "act1", "in")] == (128,)
    assert analysis.output_shape == (10,)


def test_cnn_shapes() -> None:
    analysis = analyze(cnn((1, 8, 8), (16, 32), 10))
    shapes = {n: i.output_shape for n, i in analysis.nodes.items()}
    assert shapes["conv1"] == (16, 8, 8) and shapes["pool1"] == (16, 4, 4)
    assert shapes["pool2"] == (32, 2, 2) and shapes["flatten"] == (128,)
    assert analysis.nodes["conv2"].macs == 32 * 16 * 9 * 4 * 4


def test_linear_in_features_mismatch() -> None:
    spec = mlp(input_size=64, hidden=(64,))
    spec.node("fc2").params["in_features"] = 128
    assert errors(spec) == [("fc2", "Linear 'fc2' expects 128 input features, receives 64")]


def test_add_needs_same_shapes() -> None:
    spec = chain("r", ("input", "Input", {"shape": [3, 8, 8]}),
                 ("conv_a", "Conv2d", {"out_channels": 16, "padding": 1}),
                 ("add1", "Add", {}), ("gap", "AdaptiveAvgPool2d", {}), ("flat", "Flatten", {}),
                 ("output", "Output", {}))
    spec.nodes.append(Node("conv_b", "Conv2d", {"out_channels": 32, "padding": 1}))
    spec.edges = [e for e in spec.edges if e.dst != "add1"] + [
        Edge("conv_a", "add1", dst_port="in0"), Edge("input", "conv_b"),
        Edge("conv_b", "add1", dst_port="in1")]
    assert errors(spec) == [("add1", "Add 'add1' needs all inputs the same shape, receives "
                                     "(16, 8, 8) and (32, 8, 8)")]
    assert analyze(spec).nodes["gap"].output_shape is None


def test_output_class_count_mismatch() -> None:
    spec = mlp(input_size=32, hidden=(64,), num_classes=10)
    spec.nodes = [n for n in spec.nodes if n.id != "fc2"]
    spec.edges = [e for e in spec.edges if "fc2" not in (e.src, e.dst)]
    spec.edges.append(Edge("act1", "output"))
    spec.node("output").id = "out"
    spec.edges[-1].dst = "out"
    assert errors(spec) == [("out", "Output 'out' expects (10,) (10 classes), receives (64,)")]


def test_output_needs_a_vector() -> None:
    spec = chain("o", ("input", "Input", {"shape": [1, 4, 4]}), ("output", "Output", {}))
    assert errors(spec) == [("output", "Output 'output' expects a vector of class scores (K,), "
                                       "receives (1, 4, 4); add Flatten and a Linear layer "
                                       "before it")]


@pytest.mark.parametrize("layer, params, shape, message", [
    ("Conv2d", {}, [64], "Conv2d 'layer' expects input (C, H, W), receives (64,); add a "
                         "Reshape before it"),
    ("Conv2d", {"in_channels": 3}, [1, 8, 8], "Conv2d 'layer' expects 3 input channels, "
                                              "receives 1"),
    ("Conv2d", {"kernel_size": 5}, [1, 3, 3], "Conv2d 'layer' kernel 5 does not fit the input "
                                              "height 3 (padding 0) of (1, 3, 3); use a "
                                              "smaller kernel or more padding"),
    ("Conv2d", {"groups": 3, "out_channels": 6}, [4, 5, 5],
     "Conv2d 'layer' has groups 3, which must divide both the input channels 4 and "
     "out_channels 6"),
    ("Conv1d", {}, [2, 3, 4], "Conv1d 'layer' expects input (C, L), receives (2, 3, 4); add a "
                              "Flatten before it"),
    ("MaxPool2d", {"kernel_size": 2, "padding": 2}, [1, 4, 4],
     "MaxPool2d 'layer' has padding 2; it must be at most half of kernel_size 2"),
    ("BatchNorm2d", {}, [8], "BatchNorm2d 'layer' expects input (C, H, W), receives (8,); add "
                             "a Reshape before it"),
    ("LSTM", {}, [8], "LSTM 'layer' expects input (T, F), receives (8,); add a Reshape before "
                      "it"),
    ("Reshape", {"shape": [3, 3]}, [8], "Reshape 'layer' cannot reshape (8,) (8 values) to "
                                        "(3, 3) (9 values)"),
    ("Reshape", {"shape": [3, -1]}, [8], "Reshape 'layer' cannot reshape (8,) (8 values) to "
                                         "[3, -1]: 8 is not divisible by 3"),
    ("Reshape", {"shape": [-1, -1]}, [8], "Reshape 'layer' has more than one -1 in its "
                                          "target shape [-1, -1]"),
    ("Softmax", {"dim": 2}, [8], "Softmax 'layer' has dim 2, out of range for input (8,) "
                                 "(valid: 1..1 or -1..-1)"),
])
def test_single_layer_shape_errors(layer: str, params: dict, shape: list, message: str) -> None:
    spec = chain("e", ("input", "Input", {"shape": shape}), ("layer", layer, params),
                 ("flatten", "Flatten", {}), ("output", "Output", {}))
    assert errors(spec) == [("layer", message)]


def test_concat_mismatch() -> None:
    spec = concat_branches((3, 8, 8))
    spec.node("conv1").params["stride"] = 2
    assert errors(spec) == [("concat", "Concat 'concat' needs inputs that match except along "
                                       "dim 1, receives (8, 8, 8) and (4, 4, 4)")]


def test_token_ids_need_an_embedding() -> None:
    spec = embedding_lstm()
    spec.edges = [Edge("input", "lstm"), Edge("lstm", "fc"), Edge("fc", "output")]
    spec.nodes = [n for n in spec.nodes if n.id != "embed"]
    assert errors(spec) == [("lstm", "LSTM 'lstm' needs float32 inputs, receives int64 token "
                                     "ids from 'input'; only an Embedding takes token ids: put "
                                     "one right after the Input")]


def test_embedding_needs_int_input() -> None:
    spec = embedding_lstm()
    spec.node("input").params["dtype"] = "float32"
    assert errors(spec) == [("embed", "Embedding 'embed' needs int64 inputs, receives float32 "
                                      "values from 'input'; set the Input dtype to int64 for "
                                      "token ids")]


def test_adaptive_pool_that_does_not_divide_warns_about_onnx() -> None:
    spec = concat_branches((3, 7, 7))
    spec.node("gap").params["output_size"] = 2
    analysis = analyze(spec)
    assert analysis.ok
    assert [p.node_id for p in analysis.problems if p.severity == "warning"] == ["gap"]


def test_residual_edge_shapes_cover_both_add_inputs() -> None:
    analysis = analyze(residual_mlp(16, 32, 4))
    assert analysis.edge_shapes[("fc_b", "out", "add", "in0")] == (32,)
    assert analysis.edge_shapes[("fc_in", "out", "add", "in1")] == (32,)
