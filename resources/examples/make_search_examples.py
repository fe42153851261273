"""Regenerate the bundled search examples (``search_*.wbproj.json``) in this folder.

Run ``python resources/examples/make_search_examples.py``. Each is a bundled example network
(make_examples.py) plus a ``search`` section: what a search may vary (workbench/search/space.py).
"""

from __future__ import annotations

import json
from typing import Any

from make_examples import HERE, Builder, mlp_digits

ACTIVATIONS = ["ReLU", "GELU", "LeakyReLU", "SiLU"]


def search_mlp_digits() -> dict[str, Any]:
    project = mlp_digits()
    project["name"] = project["graph"]["name"] = "search_mlp_digits"
    project["description"] = ("The digits MLP with a search space: widths, depth, "
                              "activations, dropout, learning rate, batch size, optimizer.")
    project["training"] = {**project["training"], "epochs": 10}
    project["search"] = {
        "format_version": 1,
        "nodes": {
            "fc1": {"out_features": {"kind": "choice", "choices": [32, 64, 128, 256]}},
            "relu1": {"type": {"kind": "choice", "choices": ACTIVATIONS}},
            "drop1": {"p": {"kind": "float", "low": 0.0, "high": 0.5}},
            "fc2": {"out_features": {"kind": "int", "low": 16, "high": 128, "step": 16}},
            "relu2": {"type": {"kind": "choice", "choices": ACTIVATIONS}},
        },
        "training": {
            "lr": {"kind": "float", "low": 1e-4, "high": 3e-2, "log": True},
            "batch_size": {"kind": "choice", "choices": [32, 64, 128]},
            "optimizer": {"kind": "choice", "choices": ["adam", "adamw", "sgd"]},
            "weight_decay": {"kind": "float", "low": 1e-6, "high": 1e-2, "log": True},
        },
        "blocks": [{"nodes": ["fc2", "relu2"], "repeat": {"kind": "int", "low": 1, "high": 3}}],
        "constraints": {"max_params": 100000},
    }
    return project


def search_cnn_digits() -> dict[str, Any]:
    """A small CNN on the 8x8 digit images; its space varies channels, kernel size, depth
    (the second convolution repeated 1-3 times; padding 1 keeps its 3x3 maps the same size),
    activations, dropout and the learning rate."""
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
        b.node("drop1", "Dropout", p=0.2),
        b.node("fc1", "Linear", out_features=64),
        b.node("relu3", "ReLU"),
        b.node("fc2", "Linear", out_features=10),
        b.node("output", "Output", num_classes=10),
    ]
    b.chain(*ids)
    return {
        "name": "search_cnn_digits", "graph": b.graph("search_cnn_digits"),
        "description": ("A small CNN on the digit images with a search space: channels, "
                        "kernel size, depth, activations, dropout, learning rate."),
        "dataset": {"name": "digits_images", "options": {}},
        "training": {"epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 0.002},
        "search": {
            "format_version": 1,
            "nodes": {
                "conv1": {"out_channels": {"kind": "choice", "choices": [8, 16, 32]},
                          "kernel_size": {"kind": "choice", "choices": [3, 5]}},
                "relu1": {"type": {"kind": "choice", "choices": ACTIVATIONS}},
                "conv2": {"out_channels": {"kind": "choice", "choices": [16, 32, 64]}},
                "relu2": {"type": {"kind": "choice", "choices": ACTIVATIONS}},
                "drop1": {"p": {"kind": "float", "low": 0.0, "high": 0.5}},
                "fc1": {"out_features": {"kind": "int", "low": 32, "high": 128, "step": 32}},
            },
            "training": {
                "lr": {"kind": "float", "low": 3e-4, "high": 1e-2, "log": True},
                "batch_size": {"kind": "choice", "choices": [32, 64, 128]},
            },
            "blocks": [{"nodes": ["conv2", "relu2"],
                        "repeat": {"kind": "int", "low": 1, "high": 3}}],
            "constraints": {"max_params": 100000},
        },
    }


def main() -> None:
    for make in (search_mlp_digits, search_cnn_digits):
        project = {"format_version": 1, **make()}
        path = HERE / f"{project['name']}.wbproj.json"
        path.write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
