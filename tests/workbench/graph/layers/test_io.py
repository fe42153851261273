"""The Output layer's regression head (num_outputs) beside its class scores (num_classes)."""

from __future__ import annotations

import numpy as np
import torch

from workbench.experiment import fit_graph_to_dataset
from workbench.graph.catalogue import get_layer
from workbench.graph.codegen import generate_source
from workbench.graph.compile import compile_graph
from workbench.graph.edits import fit_io
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import GraphSpec
from workbench.graph.templates import mlp


def output_params(spec: GraphSpec) -> dict:
    return next(n for n in spec.nodes if n.type == "Output").params


def test_old_output_params_still_mean_class_scores():
    assert get_layer("Output").resolve_params({"num_classes": 10}) == {
        "num_classes": 10, "num_outputs": 0}
    assert analyze(mlp(4, hidden=(8,), num_classes=3)).ok


def test_regression_output_names_the_mismatch():
    spec = mlp(4, hidden=(8,), num_classes=10)
    fit_io(spec, (4,), "float32", 1, "regression")
    messages = [p.message for p in analyze(spec).errors]
    assert any("Output 'output' expects 1 value, receives 10" in m and "out_features=1" in m
               for m in messages), messages


def test_both_sizes_set_is_an_error():
    spec = mlp(4, hidden=(8,), num_classes=1)
    output_params(spec).update(num_classes=1, num_outputs=1)
    assert any("sets both num_classes" in p.message for p in analyze(spec).errors)


def test_fit_io_switches_between_tasks():
    spec = mlp(4, hidden=(8,), num_classes=3)
    fit_io(spec, (5,), "float32", 1, "regression")
    assert output_params(spec) == {"num_classes": 0, "num_outputs": 1}
    fit_io(spec, (5,), "float32", 3)
    assert output_params(spec) == {"num_classes": 3}


def test_regression_graph_compiles_generates_and_exports():
    import onnxruntime as ort

    from workbench.export.onnx_export import export_onnx_bytes

    spec = fit_graph_to_dataset(mlp(6, hidden=(8,), num_classes=3), (6,), "float32", 1,
                                fit_head=True, task="regression")
    assert analyze(spec).ok and output_params(spec)["num_outputs"] == 1
    module = compile_graph(spec).eval()
    x = torch.randn(5, 6)
    with torch.no_grad():
        out = module(x)
    assert out.shape == (5, 1)
    namespace: dict = {}
    exec(compile(generate_source(spec), "<generated>", "exec"), namespace)
    network = namespace["build"]()
    network.load_state_dict(module.state_dict())
    with torch.no_grad():
        assert torch.allclose(network.eval()(x), out)
    session = ort.InferenceSession(export_onnx_bytes(module, (6,), "float32", 17),
                                   providers=["CPUExecutionProvider"])
    onnx_out = session.run(["logits"], {"input": x.numpy()})[0]
    assert np.allclose(onnx_out, out.numpy(), atol=1e-5)
