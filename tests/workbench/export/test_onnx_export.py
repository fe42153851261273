"""Every catalogue layer and random valid graphs go through the exporter and its checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.export.onnx_export import ExportError, export_onnx_bytes
from workbench.export.verify import check_onnx, parity
from workbench.graph.compile import compile_graph
from workbench.paths import example_paths
from workbench.project import load_project

GRAPH_TESTS = Path(__file__).resolve().parents[1] / "graph"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_graph_{name}", GRAPH_TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogue_tests = _load("test_catalogue")
random_graphs = _load("test_random_graphs")


def inputs(module, n=12):
    if module.input_dtype == "int64":
        return torch.randint(0, 5, (n, *module.input_shape)).numpy()
    return torch.randn((n, *module.input_shape), generator=torch.Generator().manual_seed(1)) \
        .numpy()


def exported_ok(spec) -> dict:
    module = compile_graph(spec).eval()
    model = export_onnx_bytes(module, module.input_shape, module.input_dtype)
    assert check_onnx(model)["passed"]
    x = inputs(module)
    result = parity(module, model, x, None, batch=5)
    assert result["passed"], result
    return result


@pytest.mark.parametrize("name, spec", catalogue_tests.CASES,
                         ids=[c[0] for c in catalogue_tests.CASES])
def test_every_layer_exports_and_matches(name, spec):
    exported_ok(spec)


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 8), st.lists(random_graphs.block, min_size=1, max_size=4),
       st.integers(2, 4))
def test_random_graphs_export_and_match(input_size, blocks, num_classes):
    exported_ok(random_graphs.build_spec(input_size, blocks, num_classes))


class FFTLayer(torch.nn.Module):
    def forward(self, x):
        return torch.fft.rfft(x).abs()


def test_unsupported_op_names_the_layer():
    spec = catalogue_tests.CASES[0][1]
    module = compile_graph(spec).eval()
    node = next(s for s in module._steps if s.has_module)
    setattr(module, node.attr, FFTLayer())
    module._modules[node.attr] = FFTLayer()
    with pytest.raises(ExportError) as info:
        export_onnx_bytes(module, module.input_shape, module.input_dtype)
    assert f"layer '{node.node_id}'" in str(info.value)


def test_opset_out_of_range():
    module = compile_graph(catalogue_tests.CASES[0][1])
    with pytest.raises(ExportError, match="opset must be between"):
        export_onnx_bytes(module, module.input_shape, module.input_dtype, opset=3)


def test_parity_flags_a_different_model():
    spec = catalogue_tests.CASES[0][1]
    module = compile_graph(spec).eval()
    model = export_onnx_bytes(module, module.input_shape, module.input_dtype)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.5)
    assert not parity(module, model, inputs(module), None)["passed"]
    assert np.isfinite(parity(module, model, inputs(module), None)["max_abs_diff"])


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name.split(".")[0])
def test_examples_export_and_match_on_real_samples(path):
    project = load_project(path)
    dataset_spec = project.resolved_dataset()
    if dataset_spec["name"] == "colour_shapes":  # 300 of its 60,000 images keep this test fast
        dataset_spec = {**dataset_spec, "options": {**dataset_spec["options"], "count": 300}}
    dataset = load_dataset(dataset_spec)
    spec = fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                dataset.num_classes)
    torch.manual_seed(0)
    module = compile_graph(spec).eval()  # untrained weights: export does not depend on training
    model = export_onnx_bytes(module, dataset.input_shape, dataset.input_dtype)
    assert check_onnx(model)["passed"]
    result = parity(module, model, dataset.x_val, dataset.y_val)
    assert result["passed"], result
    assert result["samples"] == len(dataset.x_val) > 0
