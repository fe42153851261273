"""Compacting a quantized model: smaller file, bit-identical outputs; the first layer in float."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from workbench.compress.compact import compact, size_breakdown
from workbench.compress.errors import CompressError
from workbench.compress.measure import predict
from workbench.compress.onnx_quantize import (
    QuantSettings,
    first_layer_nodes,
    preprocess,
    quantize_bytes,
)


def conv_model(layers: int = 2) -> bytes:
    """Conv(1->4) + ReLU, then (layers - 1) x Conv(4->4) + ReLU, Flatten, Gemm to 3 classes."""
    rng = np.random.default_rng(0)
    nodes, inits, current, channels = [], [], "input", 1
    for i in range(layers):
        w = numpy_helper.from_array(rng.normal(size=(4, channels, 3, 3)).astype(np.float32),
                                    f"onnx::Conv_weight_number_{i}")
        b = numpy_helper.from_array(rng.normal(size=4).astype(np.float32), f"conv_bias_{i}")
        inits += [w, b]
        nodes += [helper.make_node("Conv", [current, w.name, b.name], [f"/c{i}/out"],
                                   name=f"/c{i}/Conv", pads=[1, 1, 1, 1], strides=[1, 1],
                                   dilations=[1, 1], group=1, doc_string="a long doc string"),
                  helper.make_node("Relu", [f"/c{i}/out"], [f"/r{i}/out"], name=f"/r{i}/Relu")]
        current, channels = f"/r{i}/out", 4
    fc = numpy_helper.from_array(rng.normal(size=(3, 64)).astype(np.float32), "fc_weight")
    inits.append(fc)
    nodes += [helper.make_node("Flatten", [current], ["flat"], name="/flatten", axis=1),
              helper.make_node("Gemm", ["flat", "fc_weight"], ["logits"], name="/fc/Gemm",
                               transB=1, alpha=1.0)]
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 4, 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]
                             ).SerializeToString()


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(40, 1, 4, 4)).astype(np.float32)


def test_compact_is_smaller_and_computes_the_same(data):
    pre = preprocess(conv_model())
    settings = QuantSettings("static", "qoperator", "U8S8")
    raw = quantize_bytes(pre, settings, data, compacted=False)
    small = compact(raw)
    assert len(small) < 0.9 * len(raw)
    np.testing.assert_array_equal(predict(small, data), predict(raw, data))
    model = onnx.load_from_string(small)
    onnx.checker.check_model(model)
    assert not model.graph.value_info and not model.metadata_props
    assert [v.name for v in model.graph.input] == ["input"]
    assert [v.name for v in model.graph.output] == ["logits"]
    names = [t.name for t in model.graph.initializer]
    assert len(names) == len(set(names)) and max(map(len, names)) <= 4
    assert all(not n.doc_string and not n.name for n in model.graph.node)
    conv = next(n for n in model.graph.node if n.op_type == "QLinearConv")
    kept = {a.name for a in conv.attribute}
    assert "pads" in kept and not kept & {"dilations", "strides", "group"}  # defaults dropped
    # duplicate zero points (every weight zero point is 0) are shared
    payloads = [(t.data_type, tuple(t.dims), numpy_helper.to_array(t).tobytes())
                for t in model.graph.initializer]
    assert len(payloads) == len(set(payloads))


def test_quantize_bytes_returns_compacted_models(data):
    pre = preprocess(conv_model())
    model = onnx.load_from_string(quantize_bytes(pre, QuantSettings(), data))
    assert not model.graph.value_info and not model.metadata_props


def test_size_breakdown_adds_up(data):
    pre = preprocess(conv_model())
    model = quantize_bytes(pre, QuantSettings("static", "qoperator"), data)
    parts = size_breakdown(model)
    assert parts["total"] == len(model) == sum(v for k, v in parts.items() if k != "total")
    assert parts["weights_int8"] > 0 and parts["nodes"] > 0


def test_first_float_keeps_the_first_layer_in_float(data):
    pre = preprocess(conv_model(layers=2))
    assert first_layer_nodes(pre)[0] == "/c0/Conv"
    settings = QuantSettings("static", "qoperator", "U8S8", first_float=True)
    assert settings.label == "static QOperator U8S8 first-float"
    assert settings.to_dict()["first_layer_float"] is True
    ops = [n.op_type for n in onnx.load_from_string(quantize_bytes(pre, settings, data)).graph.node]
    assert ops[0] == "Conv" and "QLinearConv" in ops  # first conv float, the second int8
    plain = [n.op_type for n in onnx.load_from_string(
        quantize_bytes(pre, QuantSettings("static", "qoperator"), data)).graph.node]
    assert "Conv" not in plain


def test_first_float_needs_two_quantizable_layers(data):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "w"], ["logits"], name="mm")], "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 2])],
        [numpy_helper.from_array(np.ones((4, 2), dtype=np.float32), "w")])
    pre = preprocess(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]
                                       ).SerializeToString())
    assert first_layer_nodes(pre) == []
    with pytest.raises(CompressError, match="at least two layers"):
        quantize_bytes(pre, QuantSettings(first_float=True), np.ones((4, 4), np.float32))
