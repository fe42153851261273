"""The transfer-learning example projects are what make_transfer_examples.py writes, and load."""

from __future__ import annotations

import argparse
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


def test_the_note_says_what_the_benchmark_measured():
    note = _script().finetune()["note"]
    assert "no measurable gain" in note and "benchmarks/transfer.py" in note


def _benchmark():
    path = EXAMPLES_DIR.parents[1] / "benchmarks" / "transfer.py"
    spec = importlib.util.spec_from_file_location("transfer_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_prints_the_curve_and_ratios_at_equal_epochs(capsys):
    bench = _benchmark()
    args = argparse.Namespace(epochs=3, fractions=[0.05, 0.1], device="cpu")
    rows = [{("fine-tuned", f): {"curve": [0.8, 0.9, 0.95], "best": 0.95},
             ("scratch", f): {"curve": [0.4, 0.9, 0.96], "best": 0.96}} for f in args.fractions]
    rows = [{k: v for row in rows for k, v in row.items()}] * 2
    bench.print_curves(rows, args)
    bench.print_headline(rows, args)
    out = capsys.readouterr().out
    assert "k=1     k=2     k=3" in out and "   2.000   1.000   0.990" in out
    assert "ratio=2.000 after 1 epoch (0.8000 / 0.4000)" in out
    assert "ratio=0.990 after 3 epochs (0.9500 / 0.9600)" in out
    assert "ratio=0.990 best epoch by validation loss" in out
    assert "10% of their training data" in out
