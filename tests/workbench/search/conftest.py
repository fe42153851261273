"""Search tests: a tiny copy of the search_mlp_digits example."""

from __future__ import annotations

import json

import pytest

from workbench.paths import find_example


@pytest.fixture
def tiny_project(tmp_path):
    """A function making the search_mlp_digits example with short training (and changes to
    its search section) as a file under ``tmp_path``."""

    def make(epochs=1, **search_changes):
        data = json.loads(find_example("search_mlp_digits").read_text())
        data["training"].update(epochs=epochs, device="cpu", monitors=False)
        data["search"]["training"]["batch_size"] = {"kind": "choice", "choices": [128, 256]}
        data["search"].update(search_changes)
        path = tmp_path / "tiny.wbproj.json"
        path.write_text(json.dumps(data))
        return path

    return make
