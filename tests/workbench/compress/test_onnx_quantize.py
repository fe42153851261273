"""Models ORT cannot quantize are named messages; settings are checked."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from workbench.compress.errors import CompressError
from workbench.compress.onnx_quantize import QuantSettings, preprocess, quantize_bytes


def relu_only_model() -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["input"], ["logits"], name="relu")], "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def test_model_without_quantizable_layers_is_refused():
    pre = preprocess(relu_only_model())
    with pytest.raises(CompressError, match="no layer onnxruntime quantizes"):
        quantize_bytes(pre, QuantSettings(), np.ones((4, 4), dtype=np.float32))


def test_model_ort_cannot_read_is_refused():
    with pytest.raises(CompressError, match="cannot pre-process"):
        preprocess(b"not an onnx model")


def test_static_without_calibration_samples_is_refused():
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "w"], ["logits"], name="mm")], "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 2])],
        [onnx.numpy_helper.from_array(np.ones((4, 2), dtype=np.float32), "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    pre = preprocess(model.SerializeToString())
    with pytest.raises(CompressError, match="calibration set is empty"):
        quantize_bytes(pre, QuantSettings(), np.zeros((0, 4), dtype=np.float32))
    assert quantize_bytes(pre, QuantSettings(mode="dynamic"), None)  # dynamic needs none


@pytest.mark.parametrize("field,value", [("mode", "float16"), ("fmt", "qx"), ("types", "U8U8"),
                                         ("calibration", "mse")])
def test_unknown_settings_are_named(field, value):
    with pytest.raises(CompressError, match=f"found '{value}'"):
        QuantSettings(**{field: value})
