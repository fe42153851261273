"""The layer catalogue: every layer builds, and its inferred shape, parameter count and MACs
match what torch actually does."""

from __future__ import annotations

import io
import sys
import warnings

import pytest

from workbench.graph.catalogue import (
    CATALOGUE,
    CATEGORIES,
    LayerBuilder,
    LayerShape,
    LayerType,
    ParamSpec,
    get_builder,
    get_layer,
    layers_by_category,
    register_layer,
)
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node
from workbench.graph.templates import chain

# (layer type, sample input shape, input dtype, params)
SINGLE_INPUT_CASES = [
    ("Linear", (4, 6), "float32", {"out_features": 5}),
    ("Linear", (6,), "float32", {"out_features": 3, "bias": False, "in_features": 6}),
    ("Conv1d", (3, 10), "float32", {"out_channels": 4, "kernel_size": 3, "stride": 2,
                                    "padding": 1, "dilation": 2}),
    ("Conv1d", (4, 9), "float32", {"out_channels": 6, "kernel_size": 2, "groups": 2}),
    ("Conv2d", (3, 9, 9), "float32", {"out_channels": 4, "kernel_size": 3, "stride": 2,
                                      "padding": 1}),
    ("Conv2d", (4, 8, 7), "float32", {"out_channels": 8, "kernel_size": 3, "groups": 4,
                                      "bias": False, "dilation": 2}),
    ("MaxPool2d", (2, 7, 7), "float32", {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("AvgPool2d", (2, 8, 9), "float32", {"kernel_size": 2}),
    ("AdaptiveAvgPool2d", (3, 6, 6), "float32", {"output_size": 2}),
    ("BatchNorm1d", (5,), "float32", {}),
    ("BatchNorm1d", (3, 7), "float32", {"eps": 1e-3, "momentum": 0.2}),
    ("BatchNorm2d", (3, 4, 4), "float32", {}),
    ("LayerNorm", (4, 6), "float32", {"eps": 1e-6}),
    ("Dropout", (6,), "float32", {"p": 0.3}),
    ("Flatten", (2, 3, 4), "float32", {}),
    ("Reshape", (12,), "float32", {"shape": [3, -1]}),
    ("Reshape", (2, 3, 4), "float32", {"shape": [4, 6]}),
    ("Embedding", (7,), "int64", {"num_embeddings": 11, "embedding_dim": 5}),
    ("LSTM", (6, 4), "float32", {"hidden_size": 5, "num_layers": 2, "bidirectional": True}),
    ("LSTM", (6, 4), "float32", {"hidden_size": 3, "return_sequences": True}),
    ("GRU", (6, 4), "float32", {"hidden_size": 5, "num_layers": 3}),
    ("GRU", (5, 3), "float32", {"hidden_size": 4, "bidirectional": True,
                                "return_sequences": True}),
    ("ReLU", (3, 4), "float32", {}),
    ("LeakyReLU", (3, 4), "float32", {"negative_slope": 0.2}),
    ("ELU", (5,), "float32", {"alpha": 0.5}),
    ("GELU", (5,), "float32", {"approximate": "tanh"}),
    ("SiLU", (5,), "float32", {}),
    ("Sigmoid", (2, 3, 3), "float32", {}),
    ("Tanh", (5,), "float32", {}),
    ("Softmax", (3, 4), "float32", {"dim": 1}),
    ("Softmax", (4,), "float32", {}),
]


def single_layer_spec(type_: str, shape: tuple, dtype: str, params: dict) -> GraphSpec:
    return chain("case", ("input", "Input", {"shape": list(shape), "dtype": dtype}),
                 ("layer", type_, params), ("flatten", "Flatten", {}),
                 ("output", "Output", {"num_classes": 0}))


def merge_spec(type_: str, shapes: list[tuple], params: dict) -> GraphSpec:
    """Input -> Linear branches reshaped to each shape -> merge -> Flatten -> Output."""
    size = max(_numel(s) for s in shapes)
    nodes = [Node("input", "Input", {"shape": [size]})]
    edges = []
    for i, shape in enumerate(shapes):
        nodes += [Node(f"fc{i}", "Linear", {"out_features": _numel(shape)}),
                  Node(f"r{i}", "Reshape", {"shape": list(shape)})]
        edges += [Edge("input", f"fc{i}"), Edge(f"fc{i}", f"r{i}"),
                  Edge(f"r{i}", "layer", dst_port=f"in{i}")]
    nodes = nodes + [Node("layer", type_, {"num_inputs": len(shapes), **params}),
                         Node("flatten", "Flatten"), Node("output", "Output")]
    edges += [Edge("layer", "flatten"), Edge("flatten", "output")]
    return GraphSpec(nodes, edges)


def _numel(shape: tuple) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


MERGE_CASES = [
    ("Add", [(2, 3, 3)] * 3, {}),
    ("Add", [(4,), (4,)], {}),
    ("Concat", [(2, 3, 3), (5, 3, 3)], {"dim": 1}),
    ("Concat", [(3, 2), (3, 4), (3, 1)], {"dim": -1}),
]


def all_specs() -> list[tuple[str, GraphSpec]]:
    cases = [(f"{t}-{i}", single_layer_spec(t, s, d, p))
             for i, (t, s, d, p) in enumerate(SINGLE_INPUT_CASES)]
    cases += [(f"{t}-m{i}", merge_spec(t, s, p)) for i, (t, s, p) in enumerate(MERGE_CASES)]
    return cases


CASES = all_specs()


def test_cases_cover_every_layer_in_the_catalogue() -> None:
    covered = {n.type for _, spec in CASES for n in spec.nodes}
    assert covered == set(CATALOGUE)
    assert len(CATALOGUE) >= 27


def example_input(module, batch: int = 3):
    import torch

    torch.manual_seed(0)
    shape = (batch,) + module.input_shape
    if module.input_dtype == "int64":
        return torch.randint(0, 5, shape)
    return torch.randn(shape)


@pytest.mark.parametrize("name, spec", CASES, ids=[c[0] for c in CASES])
def test_inferred_shapes_and_param_counts_match_torch(name: str, spec: GraphSpec) -> None:
    import torch

    from workbench.graph.compile import compile_graph

    analysis = analyze(spec)
    assert analysis.ok, analysis.problems
    module = compile_graph(spec).eval()
    with torch.no_grad():
        values = module.forward_all(example_input(module))
    for node_id, value in values.items():
        assert tuple(value.shape[1:]) == analysis.nodes[node_id].output_shape, node_id
        sub = module.node_module(node_id)
        torch_params = sum(p.numel() for p in sub.parameters()) if sub is not None else 0
        assert analysis.nodes[node_id].params == torch_params, node_id
    assert analysis.total_params == sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("name, spec", [c for c in CASES if c[0].split("-")[0] in
                                        ("Linear", "Conv1d", "Conv2d")],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_macs_match_torch_flop_counter(name: str, spec: GraphSpec) -> None:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from workbench.graph.compile import compile_graph

    module = compile_graph(spec).eval()
    x = example_input(module, batch=1)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(x)
    assert analyze(spec).total_macs * 2 == counter.get_total_flops()


@pytest.mark.parametrize("name, spec", CASES, ids=[c[0] for c in CASES])
def test_every_layer_exports_to_onnx_and_matches_onnxruntime(name: str,
                                                              spec: GraphSpec) -> None:
    import numpy as np
    import onnxruntime as ort
    import torch

    from workbench.graph.compile import compile_graph

    module = compile_graph(spec).eval()
    x = example_input(module)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (x,), buffer, input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "batch"}}, dynamo=False)
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    x5 = torch.cat([x, x[:2]])
    got = session.run(None, {"x": x5.numpy()})[0]
    with torch.no_grad():
        want = module(x5).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_every_layer_has_docs_category_and_valid_defaults() -> None:
    for name, layer in CATALOGUE.items():
        assert layer.name == name
        assert layer.category in CATEGORIES, name
        assert layer.doc and "\n" not in layer.doc, name
        assert layer.check_params(layer.resolve_params({})) == [], name
        for param in layer.params:
            assert param.doc, f"{name}.{param.name} has no tooltip"
            assert param.check(param.default) is None, f"{name}.{param.name}"
        assert isinstance(get_builder(name), LayerBuilder)
    groups = layers_by_category()
    assert [layer.name for layer in groups["IO"]] == ["Input", "Output"]
    assert sum(len(v) for v in groups.values()) == len(CATALOGUE)


def test_ports() -> None:
    assert get_layer("Linear").input_ports({}) == ("in",)
    assert get_layer("Input").input_ports({}) == ()
    assert get_layer("Output").outputs == ()
    assert get_layer("Add").input_ports({}) == ("in0", "in1")
    assert get_layer("Concat").input_ports({"num_inputs": 4}) == ("in0", "in1", "in2", "in3")


def test_check_params_messages() -> None:
    linear = get_layer("Linear")
    assert linear.check_params({"out_features": 0}) == [
        "'out_features' must be an integer >= 1, found 0"]
    assert linear.check_params({"bias": "yes"}) == ["'bias' must be true or false, found 'yes'"]
    assert get_layer("Dropout").check_params({"p": 1.5}) == [
        "'p' must be a number in [0, 1], found 1.5"]
    assert get_layer("GELU").check_params({"approximate": "fast"}) == [
        "'approximate' must be one of none, tanh, found 'fast'"]
    assert get_layer("Input").check_params({"shape": [3, 0]}) == [
        "'shape' entries must be >= 1, found [3, 0]"]
    assert get_layer("Add").check_params({"num_inputs": 9}) == [
        "'num_inputs' must be an integer in [2, 8], found 9"]


def test_resolve_params_fills_defaults_and_coerces() -> None:
    resolved = get_layer("Linear").resolve_params({"out_features": 8.0})
    assert resolved == {"out_features": 8, "bias": True, "in_features": 0}
    assert type(resolved["out_features"]) is int


def test_get_layer_lists_known_names() -> None:
    with pytest.raises(KeyError, match="unknown layer type 'Conv3d' .*Conv2d"):
        get_layer("Conv3d")


def test_plugins_can_register_a_layer_with_a_plain_builder() -> None:
    import torch

    from workbench.graph.compile import compile_graph

    layer = LayerType("Scale2", "Core", "Multiplies by a learned per-feature scale.",
                      (ParamSpec("init", "float", 1.0, doc="Initial scale."),))

    class Scale(torch.nn.Module):
        def __init__(self, features: int, init: float) -> None:
            super().__init__()
            self.scale = torch.nn.Parameter(torch.full((features,), init))

        def forward(self, x):
            return x * self.scale

    register_layer(layer, lambda p, shapes: LayerShape(shapes[0], shapes[0][-1]),
                   lambda p, shapes: Scale(shapes[0][-1], p["init"]))
    try:
        spec = chain("p", ("input", "Input", {"shape": [3]}), ("s", "Scale2", {"init": 2.0}),
                     ("output", "Output", {}))
        assert analyze(spec).total_params == 3
        assert torch.equal(compile_graph(spec)(torch.ones(1, 3)), torch.full((1, 3), 2.0))
    finally:
        CATALOGUE.pop("Scale2")


def test_catalogue_imports_without_torch() -> None:
    import subprocess

    code = ("import sys, workbench.graph, workbench.graph.catalogue, "
            "workbench.graph.shape_inference, workbench.graph.validation, "
            "workbench.graph.templates; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
