"""The transfer-learning example projects are what make_transfer_examples.py writes, and load."""

from __future__ import annotations

import importlib.util
import json

import pytest

from workbench.paths import EXAMPLES_DIR
from workbench.project import load_project


def _script():
    spec = importlib.util.spec_from_file_location(
        "make_transfer_examples", EXAMPLES_DIR / "make_transfer_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("make", _script().PROJECTS, ids=lambda make: make.__name__)
def test_bundled_file_is_what_the_script_writes(make):
    project = make()
    path = EXAMPLES_DIR / f"{project['name']}.wbproj.json"
    assert json.loads(path.read_text(encoding="utf-8")) == project, (
        f"{path.name} is stale: run python resources/examples/make_transfer_examples.py")
    loaded = load_project(path)
    assert loaded.description and loaded.note.startswith("**Transfer learning")


def test_both_projects_share_the_network_so_every_layer_matches_by_id():
    pretrain, finetune = (make() for make in _script().PROJECTS)
    assert pretrain["graph"] == finetune["graph"]
    assert finetune["dataset"]["options"]["train_fraction"] == 0.1
