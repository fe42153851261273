"""Regenerate the bundled search examples (``search_*.wbproj.json``) in this folder.

Run ``python resources/examples/make_search_examples.py``. Each is a bundled example network
(make_examples.py) plus a ``search`` section: what a search may vary (workbench/search/space.py).
"""

from __future__ import annotations

import json
from typing import Any

from make_examples import HERE, mlp_digits

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


def main() -> None:
    for make in (search_mlp_digits,):
        project = {"format_version": 1, **make()}
        path = HERE / f"{project['name']}.wbproj.json"
        path.write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
