"""Property test: on random valid MLP / branch graphs, shape inference and parameter counts
agree with what torch actually computes, and generated source matches the compiled module."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.graph.codegen import generate_source
from workbench.graph.compile import compile_graph
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node

ACTIVATIONS = ["ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh"]

block = st.one_of(
    st.tuples(st.just("linear"), st.integers(1, 12)),
    st.tuples(st.just("act"), st.sampled_from(ACTIVATIONS)),
    st.tuples(st.just("norm"), st.sampled_from(["LayerNorm", "BatchNorm1d", "Dropout"])),
    st.tuples(st.just("add"), st.integers(1, 12)),
    st.tuples(st.just("concat"), st.tuples(st.integers(1, 8), st.integers(1, 8))),
)


def build_spec(input_size: int, blocks: list, num_classes: int) -> GraphSpec:
    nodes = [Node("input", "Input", {"shape": [input_size]})]
    edges: list[Edge] = []
    previous = "input"

    def add(node_id: str, type_: str, params: dict, *sources: str) -> str:
        nodes.append(Node(node_id, type_, params))
        ports = ["in"] if len(sources) == 1 else [f"in{i}" for i in range(len(sources))]
        edges.extend(Edge(s, node_id, dst_port=p) for s, p in zip(sources, ports, strict=True))
        return node_id

    for i, (kind, arg) in enumerate(blocks):
        if kind == "linear":
            previous = add(f"fc{i}", "Linear", {"out_features": arg}, previous)
        elif kind == "act":
            previous = add(f"act{i}", arg, {}, previous)
        elif kind == "norm":
            previous = add(f"norm{i}", arg, {}, previous)
        elif kind == "add":
            a = add(f"a{i}", "Linear", {"out_features": arg}, previous)
            b = add(f"b{i}", "Linear", {"out_features": arg, "bias": False}, previous)
            previous = add(f"add{i}", "Add", {"num_inputs": 2}, a, b)
        else:
            a = add(f"a{i}", "Linear", {"out_features": arg[0]}, previous)
            b = add(f"b{i}", "Tanh", {}, add(f"bl{i}", "Linear", {"out_features": arg[1]},
                                              previous))
            previous = add(f"cat{i}", "Concat", {"num_inputs": 2, "dim": -1}, a, b)
    head = add("head", "Linear", {"out_features": num_classes}, previous)
    add("output", "Output", {"num_classes": num_classes}, head)
    return GraphSpec(nodes, edges, "random")


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 10), st.lists(block, min_size=1, max_size=5), st.integers(1, 5))
def test_inference_matches_torch_on_random_graphs(input_size: int, blocks: list,
                                                  num_classes: int) -> None:
    spec = build_spec(input_size, blocks, num_classes)
    analysis = analyze(spec)
    assert analysis.ok, analysis.problems
    module = compile_graph(spec).eval()
    x = torch.randn(3, input_size)
    with torch.no_grad():
        values = module.forward_all(x)
    for node_id, value in values.items():
        assert tuple(value.shape[1:]) == analysis.nodes[node_id].output_shape, node_id
    assert analysis.total_params == sum(p.numel() for p in module.parameters())
    namespace: dict = {}
    exec(generate_source(spec), namespace)
    network = namespace["build"]().eval()
    network.load_state_dict(module.state_dict(), strict=True)
    with torch.no_grad():
        assert torch.allclose(network(x), values["output"], atol=1e-6)
