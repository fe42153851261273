"""Regenerate the bundled example project files (``*.wbproj.json``) in this folder.

Run ``python resources/examples/make_examples.py``. The files are plain JSON and may also be
edited by hand or in the app; this script is the readable record of how they were drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Builder:
    """Tiny helper that lays nodes out left to right and wires them in a chain."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, str]] = []
        self.x = 0.0

    def node(self, node_id: str, type_: str, y: float = 0.0, **params: Any) -> str:
        self.nodes.append({"id": node_id, "type": type_, "params": params,
                           "position": [self.x, y]})
        self.x += 260.0
        return node_id

    def edge(self, src: str, dst: str, dst_port: str = "in") -> None:
        self.edges.append({"src": src, "src_port": "out", "dst": dst, "dst_port": dst_port})

    def chain(self, *ids: str) -> None:
        for a, b in zip(ids, ids[1:]):
            self.edge(a, b)

    def graph(self, name: str) -> dict[str, Any]:
        return {"format_version": 2, "name": name, "nodes": self.nodes, "edges": self.edges}


def mlp_digits() -> dict[str, Any]:
    b = Builder()
    ids = [
        b.node("input", "Input", shape=[64], dtype="float32"),
        b.node("fc1", "Linear", out_features=128),
        b.node("relu1", "ReLU"),
        b.node("drop1", "Dropout", p=0.2),
        b.node("fc2", "Linear", out_features=64),
        b.node("relu2", "ReLU"),
        b.node("fc3", "Linear", out_features=10),
        b.node("output", "Output", num_classes=10),
    ]
    b.chain(*ids)
    return {"name": "mlp_digits", "graph": b.graph("mlp_digits"),
            "dataset": {"name": "digits", "options": {}},
            "training": {"epochs": 20, "batch_size": 64, "optimizer": "adam", "lr": 0.001}}


def cnn_digits() -> dict[str, Any]:
    b = Builder()
    ids = [
        b.node("input", "Input", shape=[1, 8, 8], dtype="float32"),
        b.node("conv1", "Conv2d", out_channels=16, kernel_size=3, padding=1),
        b.node("bn1", "BatchNorm2d"),
        b.node("relu1", "ReLU"),
        b.node("pool1", "MaxPool2d", kernel_size=2),
        b.node("conv2", "Conv2d", out_channels=32, kernel_size=3, padding=1),
        b.node("relu2", "ReLU"),
        b.node("flatten", "Flatten"),
        b.node("fc1", "Linear", out_features=64),
        b.node("relu3", "ReLU"),
        b.node("fc2", "Linear", out_features=10),
        b.node("output", "Output", num_classes=10),
    ]
    b.chain(*ids)
    return {"name": "cnn_digits", "graph": b.graph("cnn_digits"),
            "dataset": {"name": "digits_images", "options": {}},
            "training": {"epochs": 15, "batch_size": 64, "optimizer": "adam", "lr": 0.002}}


def resnet_small() -> dict[str, Any]:
    b = Builder()
    stem = [
        b.node("input", "Input", shape=[1, 8, 8], dtype="float32"),
        b.node("stem", "Conv2d", out_channels=16, kernel_size=3, padding=1),
        b.node("stem_bn", "BatchNorm2d"),
        b.node("stem_relu", "ReLU"),
    ]
    b.chain(*stem)
    previous = "stem_relu"
    for block in (1, 2):
        p = f"b{block}_"
        body = [
            b.node(p + "conv1", "Conv2d", y=-130, out_channels=16, kernel_size=3, padding=1),
            b.node(p + "bn1", "BatchNorm2d", y=-130),
            b.node(p + "relu1", "ReLU", y=-130),
            b.node(p + "conv2", "Conv2d", y=-130, out_channels=16, kernel_size=3, padding=1),
            b.node(p + "bn2", "BatchNorm2d", y=-130),
        ]
        add = b.node(p + "add", "Add", num_inputs=2)
        out = b.node(p + "relu", "ReLU")
        b.edge(previous, body[0])
        b.chain(*body)
        b.edge(body[-1], add, "in0")
        b.edge(previous, add, "in1")
        b.edge(add, out)
        previous = out
    head = [
        b.node("gap", "AdaptiveAvgPool2d", output_size=1),
        b.node("flatten", "Flatten"),
        b.node("fc", "Linear", out_features=10),
        b.node("output", "Output", num_classes=10),
    ]
    b.edge(previous, head[0])
    b.chain(*head)
    return {"name": "resnet_small", "graph": b.graph("resnet_small"),
            "dataset": {"name": "digits_images", "options": {}},
            "training": {"epochs": 15, "batch_size": 64, "optimizer": "adam", "lr": 0.003}}


def tabular_csv() -> dict[str, Any]:
    from workbench.data import DatasetSpec, dataset_info

    dataset = {"name": "csv", "options": {"path": "tabular.csv", "target": "species"}}
    spec = DatasetSpec(name="csv", options={"path": str(HERE / "tabular.csv"),
                                            "target": "species"})
    input_shape, _dtype, num_classes = dataset_info(spec)
    b = Builder()
    ids = [
        b.node("input", "Input", shape=list(input_shape), dtype="float32"),
        b.node("fc1", "Linear", out_features=32),
        b.node("relu1", "ReLU"),
        b.node("fc2", "Linear", out_features=32),
        b.node("relu2", "ReLU"),
        b.node("fc3", "Linear", out_features=num_classes),
        b.node("output", "Output", num_classes=num_classes),
    ]
    b.chain(*ids)
    return {"name": "tabular_csv", "graph": b.graph("tabular_csv"), "dataset": dataset,
            "training": {"epochs": 40, "batch_size": 32, "optimizer": "adam", "lr": 0.003,
                         "early_stopping": 8}}


def regression_diabetes() -> dict[str, Any]:
    """Regression: a small MLP predicting diabetes progression (a number), trained on MSE.

    Linear regression reaches R² of about 0.4 to 0.55 on these splits; a wider or deeper net
    only overfits the 310 training rows, so the hidden layer stays small.
    """
    b = Builder()
    ids = [
        b.node("input", "Input", shape=[10], dtype="float32"),
        b.node("fc1", "Linear", out_features=16),
        b.node("relu1", "ReLU"),
        b.node("fc2", "Linear", out_features=1),
        b.node("output", "Output", num_classes=0, num_outputs=1),
    ]
    b.chain(*ids)
    return {"name": "regression_diabetes", "graph": b.graph("regression_diabetes"),
            "dataset": {"name": "diabetes", "options": {}},
            "training": {"epochs": 200, "batch_size": 32, "optimizer": "adam", "lr": 0.003,
                         "loss": "mse", "early_stopping": 25, "monitor": "val_mae"}}


DESCRIPTIONS = {  # one line each, shown on the app's start page
    "mlp_digits": "A small MLP reads 8x8 handwritten digits as 64 numbers.",
    "cnn_digits": "A small CNN reads 8x8 handwritten digits as images.",
    "resnet_small": "Residual blocks (Conv, BatchNorm, ReLU and an Add skip) on digit images.",
    "tabular_csv": "An MLP on a CSV table with numeric and categorical columns.",
    "regression_diabetes": "Regression: predict a number (diabetes progression) with MSE.",
}


def main() -> None:
    for make in (mlp_digits, cnn_digits, resnet_small, tabular_csv, regression_diabetes):
        made = make()
        project = {"format_version": 1, "name": made["name"],
                   "description": DESCRIPTIONS.get(made["name"], ""), **made}
        path = HERE / f"{project['name']}.wbproj.json"
        path.write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
