"""Ready-made graph specs: starting points for new networks, examples and tests (no torch).

Each function returns a valid :class:`GraphSpec` laid out left to right.
"""

from __future__ import annotations

from typing import Any

from workbench.graph.spec import Edge, GraphSpec, Node

X_STEP = 200.0


def chain(name: str, *layers: tuple[str, str, dict[str, Any]]) -> GraphSpec:
    """A straight pipeline of ``(id, type, params)`` layers, each wired to the next."""
    nodes = [Node(node_id, type_, dict(params), (i * X_STEP, 0.0))
             for i, (node_id, type_, params) in enumerate(layers)]
    edges = [Edge(a.id, b.id) for a, b in zip(nodes, nodes[1:], strict=False)]
    return GraphSpec(nodes, edges, name)


def mlp(input_size: int = 64, hidden: tuple[int, ...] = (128, 64), num_classes: int = 10,
        dropout: float = 0.0, activation: str = "ReLU") -> GraphSpec:
    """Input -> (Linear -> activation [-> Dropout]) per hidden size -> Linear -> Output."""
    layers: list[tuple[str, str, dict[str, Any]]] = [
        ("input", "Input", {"shape": [input_size], "dtype": "float32"})]
    for i, width in enumerate(hidden, start=1):
        layers.append((f"fc{i}", "Linear", {"out_features": width}))
        layers.append((f"act{i}", activation, {}))
        if dropout:
            layers.append((f"drop{i}", "Dropout", {"p": dropout}))
    layers.append((f"fc{len(hidden) + 1}", "Linear", {"out_features": num_classes}))
    layers.append(("output", "Output", {"num_classes": num_classes}))
    return chain("mlp", *layers)


def cnn(input_shape: tuple[int, int, int] = (1, 8, 8), channels: tuple[int, ...] = (16, 32),
        num_classes: int = 10) -> GraphSpec:
    """Conv -> BatchNorm -> ReLU -> MaxPool blocks, then Flatten -> Linear -> Output."""
    layers: list[tuple[str, str, dict[str, Any]]] = [
        ("input", "Input", {"shape": list(input_shape), "dtype": "float32"})]
    for i, width in enumerate(channels, start=1):
        layers += [(f"conv{i}", "Conv2d", {"out_channels": width, "kernel_size": 3,
                                           "padding": 1}),
                   (f"bn{i}", "BatchNorm2d", {}), (f"relu{i}", "ReLU", {}),
                   (f"pool{i}", "MaxPool2d", {"kernel_size": 2})]
    layers += [("flatten", "Flatten", {}), ("fc", "Linear", {"out_features": num_classes}),
               ("output", "Output", {"num_classes": num_classes})]
    return chain("cnn", *layers)


def residual_mlp(input_size: int = 16, width: int = 32, num_classes: int = 4) -> GraphSpec:
    """An MLP with one residual block: fc_in -> [fc_a -> relu -> fc_b] + fc_in -> head."""
    spec = chain("residual_mlp",
                 ("input", "Input", {"shape": [input_size], "dtype": "float32"}),
                 ("fc_in", "Linear", {"out_features": width}),
                 ("fc_a", "Linear", {"out_features": width}),
                 ("relu_a", "ReLU", {}),
                 ("fc_b", "Linear", {"out_features": width}))
    spec.nodes += [Node("add", "Add", {"num_inputs": 2}, (5 * X_STEP, 0.0)),
                   Node("relu", "ReLU", {}, (6 * X_STEP, 0.0)),
                   Node("head", "Linear", {"out_features": num_classes}, (7 * X_STEP, 0.0)),
                   Node("output", "Output", {"num_classes": num_classes}, (8 * X_STEP, 0.0))]
    spec.edges += [Edge("fc_b", "add", dst_port="in0"), Edge("fc_in", "add", dst_port="in1"),
                   Edge("add", "relu"), Edge("relu", "head"), Edge("head", "output")]
    return spec


def concat_branches(input_shape: tuple[int, int, int] = (3, 8, 8),
                    num_classes: int = 5) -> GraphSpec:
    """Two conv branches (3x3 and 1x1) joined on channels, then pooled to a classifier."""
    nodes = [
        Node("input", "Input", {"shape": list(input_shape), "dtype": "float32"}, (0.0, 0.0)),
        Node("conv3", "Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1},
             (X_STEP, -100.0)),
        Node("relu3", "ReLU", {}, (2 * X_STEP, -100.0)),
        Node("conv1", "Conv2d", {"out_channels": 4, "kernel_size": 1}, (X_STEP, 100.0)),
        Node("tanh1", "Tanh", {}, (2 * X_STEP, 100.0)),
        Node("concat", "Concat", {"num_inputs": 2, "dim": 1}, (3 * X_STEP, 0.0)),
        Node("gap", "AdaptiveAvgPool2d", {"output_size": 1}, (4 * X_STEP, 0.0)),
        Node("flatten", "Flatten", {}, (5 * X_STEP, 0.0)),
        Node("fc", "Linear", {"out_features": num_classes}, (6 * X_STEP, 0.0)),
        Node("output", "Output", {"num_classes": num_classes}, (7 * X_STEP, 0.0)),
    ]
    edges = [Edge("input", "conv3"), Edge("conv3", "relu3"), Edge("input", "conv1"),
             Edge("conv1", "tanh1"), Edge("relu3", "concat", dst_port="in0"),
             Edge("tanh1", "concat", dst_port="in1"), Edge("concat", "gap"),
             Edge("gap", "flatten"), Edge("flatten", "fc"), Edge("fc", "output")]
    return GraphSpec(nodes, edges, "concat_branches")


def embedding_lstm(seq_len: int = 12, vocab: int = 50, embedding_dim: int = 16,
                   hidden: int = 24, num_classes: int = 3) -> GraphSpec:
    """Token ids -> Embedding -> LSTM (last step) -> Linear -> Output."""
    return chain("embedding_lstm",
                 ("input", "Input", {"shape": [seq_len], "dtype": "int64"}),
                 ("embed", "Embedding", {"num_embeddings": vocab,
                                         "embedding_dim": embedding_dim}),
                 ("lstm", "LSTM", {"hidden_size": hidden}),
                 ("fc", "Linear", {"out_features": num_classes}),
                 ("output", "Output", {"num_classes": num_classes}))


TEMPLATES = {"mlp": mlp, "cnn": cnn, "residual_mlp": residual_mlp,
             "concat_branches": concat_branches, "embedding_lstm": embedding_lstm}
