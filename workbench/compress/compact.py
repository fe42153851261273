"""Make a quantized ONNX model file small: remove what the runtime never reads.

ORT's quantizer keeps the pre-processing's shape annotations (``value_info``), metadata, an
opset import for every domain it knows, long tensor names (``onnx::Conv_59_quantized`` spelled
out in every node that reads it) and one initializer per scale / zero point even where several
hold the same value. On small models these are a large part of the file: cnn_digits' int8 file
was 3.61x smaller than float32 where its int8 weight tensors alone are 4.0x. :func:`compact`
removes them; the computation (node order, operators, attribute values, weights, scales) is
unchanged, so the outputs are bit-identical. :func:`size_breakdown` says where the bytes of a
model are.
"""

from __future__ import annotations

from typing import Any

KEEP_NAMES = ("input", "logits")  # the bundle's contract: graph input and output names
# Attributes equal to the operator's documented default are left out (ONNX and
# com.microsoft schemas): the runtime fills them in.
DEFAULTS: dict[str, dict[str, Any]] = {
    **{op: {"dilations": 1, "group": 1, "strides": 1, "auto_pad": b"NOTSET"}
       for op in ("Conv", "QLinearConv")},
    **{op: {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0}
       for op in ("Gemm", "QGemm")},
    "QLinearGlobalAveragePool": {"channels_last": 0},
    "Flatten": {"axis": 1},
}


def compact(model_bytes: bytes) -> bytes:
    """The same model with short tensor names, shared duplicate initializers, no unused
    initializers, no shape annotations, doc strings, node names or unused opset imports."""
    import onnx

    model = onnx.load_from_string(model_bytes)
    graph = model.graph
    _share_duplicates(graph)
    used = {name for node in graph.node for name in node.input}
    used |= {o.name for o in graph.output}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.value_info[:]
    _rename(graph)
    for node in graph.node:
        node.ClearField("name")
        node.ClearField("doc_string")
        _drop_defaults(node)
    graph.ClearField("doc_string")
    graph.name = "g"
    model.ClearField("doc_string")
    model.producer_name = "workbench"
    model.ClearField("producer_version")
    del model.metadata_props[:]
    domains = {node.domain for node in graph.node} | {"", "ai.onnx"}
    opsets = [o for o in model.opset_import if o.domain in domains]
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    return model.SerializeToString()


def _drop_defaults(node: Any) -> None:
    """Remove the attributes of ``node`` that hold their operator's default value."""
    from onnx import helper

    defaults = DEFAULTS.get(node.op_type, {})
    kept = []
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        default = defaults.get(attribute.name, _NO_DEFAULT)
        if isinstance(value, list) and value and all(v == default for v in value):
            continue
        if not isinstance(value, list) and value == default:
            continue
        kept.append(attribute)
    if len(kept) != len(node.attribute):
        del node.attribute[:]
        node.attribute.extend(kept)


_NO_DEFAULT = object()


def _share_duplicates(graph: Any) -> None:
    """Point every reader of an initializer equal to an earlier one (type, shape, bytes) at
    the earlier one."""
    first: dict[tuple[int, tuple[int, ...], bytes], str] = {}
    alias: dict[str, str] = {}
    for tensor in graph.initializer:
        key = (tensor.data_type, tuple(tensor.dims), _payload(tensor))
        if key in first:
            alias[tensor.name] = first[key]
        else:
            first[key] = tensor.name
    if alias:
        for node in graph.node:
            for i, name in enumerate(node.input):
                if name in alias:
                    node.input[i] = alias[name]


def _payload(tensor: Any) -> bytes:
    from onnx import numpy_helper

    return numpy_helper.to_array(tensor).tobytes()


def _rename(graph: Any) -> None:
    """Give every tensor but the graph's inputs and outputs a short base-36 name."""
    keep = {v.name for v in graph.input} | {v.name for v in graph.output} | set(KEEP_NAMES)
    names: dict[str, str] = {}

    def short(name: str) -> str:
        if not name or name in keep:
            return name
        if name not in names:
            names[name] = _base36(len(names))
        return names[name]

    for tensor in graph.initializer:
        tensor.name = short(tensor.name)
    for node in graph.node:
        for i, name in enumerate(node.input):
            node.input[i] = short(name)
        for i, name in enumerate(node.output):
            node.output[i] = short(name)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return "t" + text


def size_breakdown(model_bytes: bytes) -> dict[str, int]:
    """Where the bytes of a model are: ``{"total", "weights_int8", "weights_float",
    "weights_int32", "scalars", "nodes", "value_info", "other"}`` (serialized bytes; weights
    counted with their tensor headers and names)."""
    import onnx
    from onnx import TensorProto

    model = onnx.load_from_string(model_bytes)
    graph = model.graph
    out = {"total": len(model_bytes), "weights_int8": 0, "weights_float": 0, "weights_int32": 0,
           "scalars": 0, "nodes": sum(n.ByteSize() for n in graph.node),
           "value_info": sum(v.ByteSize() for v in graph.value_info)}
    for tensor in graph.initializer:
        count = 1
        for dim in tensor.dims:
            count *= dim
        if count <= 1:
            key = "scalars"
        elif tensor.data_type in (TensorProto.INT8, TensorProto.UINT8):
            key = "weights_int8"
        elif tensor.data_type == TensorProto.INT32:
            key = "weights_int32"
        else:
            key = "weights_float"
        out[key] += tensor.ByteSize()
    out["other"] = out["total"] - sum(v for k, v in out.items() if k != "total")
    return out
