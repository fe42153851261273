"""compile_graph: GraphModule runs the spec; errors are GraphErrors; names are safe."""

from __future__ import annotations

import pytest
import torch

from workbench.graph.compile import GraphModule, compile_graph
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, Node
from workbench.graph.templates import chain, embedding_lstm, mlp, residual_mlp
from workbench.graph.validation import GraphError


def test_mlp_forward_gives_logits_and_param_names_follow_node_ids() -> None:
    module = compile_graph(mlp(input_size=6, hidden=(5,), num_classes=3))
    assert isinstance(module, GraphModule)
    assert module(torch.randn(4, 6)).shape == (4, 3)
    assert list(module.state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_invalid_graph_raises_graph_error_listing_problems() -> None:
    spec = mlp(input_size=6, hidden=(5,), num_classes=3)
    spec.node("fc2").params["out_features"] = 4
    with pytest.raises(GraphError) as info:
        compile_graph(spec)
    assert "Output 'output' expects (3,) (3 classes), receives (4,)" in str(info.value)
    assert [p.node_id for p in info.value.problems] == ["output"]


def test_residual_add_is_computed() -> None:
    spec = residual_mlp(4, 6, 2)
    module = compile_graph(spec).eval()
    x = torch.randn(3, 4)
    values = module.forward_all(x)
    assert torch.allclose(values["add"], values["fc_b"] + values["fc_in"])
    assert torch.equal(module(x), values["output"])


def test_token_input_runs_through_embedding_and_lstm() -> None:
    module = compile_graph(embedding_lstm(seq_len=5, vocab=9, num_classes=2))
    out = module(torch.randint(0, 9, (2, 5)))
    assert out.shape == (2, 2) and out.dtype == torch.float32


def test_wrong_input_shape_or_dtype_is_a_clear_error() -> None:
    module = compile_graph(mlp(input_size=6, hidden=(5,), num_classes=3))
    with pytest.raises(ValueError, match=r"Input 'input' expects a batch of shape \(B, 6\), "
                                         r"receives \(2, 7\)"):
        module(torch.randn(2, 7))
    with pytest.raises(ValueError, match="expects float values, receives torch.int64"):
        module(torch.zeros(2, 6, dtype=torch.int64))
    tokens = compile_graph(embedding_lstm(seq_len=5))
    with pytest.raises(ValueError, match="expects int64 token ids, receives torch.float32"):
        tokens(torch.zeros(2, 5))


def test_dangling_nodes_are_not_built() -> None:
    spec = mlp(input_size=6, hidden=(5,), num_classes=3)
    spec.nodes.append(Node("side", "Linear", {"out_features": 9}))
    spec.edges.append(Edge("input", "side"))
    module = compile_graph(spec)
    assert not any(k.startswith("side") for k in module.state_dict())
    assert sum(p.numel() for p in module.parameters()) == analyze(spec).total_params


def test_awkward_ids_compile_under_safe_attribute_names() -> None:
    spec = chain("odd", ("input", "Input", {"shape": [3]}),
                 ("forward", "Linear", {"out_features": 4}), ("fc-1", "ReLU", {}),
                 ("fc_1", "Linear", {"out_features": 2}), ("to", "Output", {}))
    module = compile_graph(spec)
    assert module(torch.randn(2, 3)).shape == (2, 2)
    assert set(module.state_dict()) == {"n_forward.weight", "n_forward.bias",
                                        "fc_1_2.weight", "fc_1_2.bias"}
    assert isinstance(module.node_module("forward"), torch.nn.Linear)


def test_replaced_submodules_are_used() -> None:
    module = compile_graph(mlp(input_size=6, hidden=(6,), num_classes=3)).eval()
    x = torch.randn(2, 6)
    before = module.forward_all(x)
    module.act1 = torch.nn.Tanh()
    after = module.forward_all(x)
    assert torch.allclose(after["act1"], torch.tanh(before["fc1"]))
