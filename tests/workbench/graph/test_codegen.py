"""generate_source: the printed Network loads GraphModule's weights strictly and gives the same
outputs."""

from __future__ import annotations

import pytest
import torch

from workbench.graph.codegen import generate_source
from workbench.graph.compile import compile_graph
from workbench.graph.spec import GraphSpec
from workbench.graph.templates import (
    chain,
    cnn,
    concat_branches,
    embedding_lstm,
    mlp,
    residual_mlp,
)
from workbench.graph.validation import GraphError

GRAPHS = {
    "mlp": lambda: mlp(input_size=8, hidden=(16, 12), num_classes=3, dropout=0.2),
    "residual": lambda: residual_mlp(6, 10, 3),
    "concat": lambda: concat_branches((3, 6, 6), 4),
    "cnn": lambda: cnn((1, 8, 8), (4, 6), 5),
    "embedding_lstm": lambda: embedding_lstm(seq_len=7, vocab=13, embedding_dim=6, hidden=5),
    "odd_ids_and_shapes": lambda: chain(
        "odd", ("input", "Input", {"shape": [2, 12]}),
        ("gru-1", "GRU", {"hidden_size": 4, "bidirectional": True, "return_sequences": True}),
        ("reshape", "Reshape", {"shape": [-1]}), ("ln", "LayerNorm", {}),
        ("gelu", "GELU", {"approximate": "tanh"}), ("class", "Linear", {"out_features": 3}),
        ("sm", "Softmax", {"dim": -1}), ("output", "Output", {"num_classes": 3})),
}


def load_network(source: str):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["build"]()


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_generated_network_matches_graph_module(name: str) -> None:
    spec: GraphSpec = GRAPHS[name]()
    torch.manual_seed(1)
    module = compile_graph(spec).eval()
    source = generate_source(spec)
    assert "class Network(nn.Module):" in source and "def build() -> Network:" in source
    network = load_network(source).eval()
    assert list(network.state_dict()) == list(module.state_dict())
    network.load_state_dict(module.state_dict(), strict=True)
    shape = (4,) + module.input_shape
    x = (torch.randint(0, 13, shape) if module.input_dtype == "int64" else torch.randn(shape))
    with torch.no_grad():
        assert torch.allclose(network(x), module(x), atol=1e-6)


def test_source_is_readable() -> None:
    source = generate_source(residual_mlp(6, 10, 3))
    assert "self.fc_in = nn.Linear(6, 10)  # (10,)" in source
    assert "add = fc_b + fc_in  # (10,)" in source
    assert "return head" in source
    assert "Trainable parameters: 323." in source


def test_invalid_graph_cannot_be_generated() -> None:
    spec = mlp(input_size=8, hidden=(16,), num_classes=3)
    spec.node("fc1").params["in_features"] = 9
    with pytest.raises(GraphError, match="Linear 'fc1' expects 9 input features, receives 8"):
        generate_source(spec)
