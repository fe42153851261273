"""The examples on the realistic built-in datasets are what make_dataset_examples.py writes:
the MNIST-1D paper's three models and the cnn_colour ResNet."""

from __future__ import annotations

import importlib.util
import json

import pytest

from workbench.graph.shape_inference import analyze
from workbench.graph.spec import GraphSpec
from workbench.paths import EXAMPLES_DIR
from workbench.project import load_project


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _load(EXAMPLES_DIR / "make_dataset_examples.py", "make_dataset_examples")


@pytest.mark.parametrize("make", SCRIPT.PROJECTS, ids=lambda make: make.__name__)
def test_bundled_file_is_what_the_script_writes(make):
    project = {"format_version": 1, **make()}
    path = EXAMPLES_DIR / f"{project['name']}.wbproj.json"
    assert json.loads(path.read_text(encoding="utf-8")) == project, (
        f"{path.name} is stale: run python resources/examples/make_dataset_examples.py")
    assert load_project(path).description


def analysis(make):
    return analyze(GraphSpec.from_dict(make()["graph"]))


def test_mnist1d_models_are_the_papers():
    # the paper's ConvBase: 3 Conv1d(25) with stride 2, then Linear(125 -> 10): 5,210 weights
    assert analysis(SCRIPT.mnist1d_cnn).total_params == 5210
    assert analysis(SCRIPT.mnist1d_logistic).total_params == 40 * 10 + 10
    assert analysis(SCRIPT.mnist1d_mlp).total_params == 40 * 100 + 100 + 100 * 100 + 100 + 1010
    assert all(make()["dataset"]["name"] == "mnist1d" for make in SCRIPT.PROJECTS[:3])


def test_cnn_colour_is_a_small_resnet_on_colour_shapes():
    made = SCRIPT.cnn_colour()
    result = analyze(GraphSpec.from_dict(made["graph"]))
    assert result.ok and result.total_params >= 500_000
    types = [n["type"] for n in made["graph"]["nodes"]]
    assert types.count("Add") == 3 and types.count("BatchNorm2d") >= 7
    assert made["dataset"]["name"] == "colour_shapes"


def test_paper_benchmark_prints_ours_beside_the_paper(capsys):
    bench = _load(EXAMPLES_DIR.parents[1] / "benchmarks" / "paper_mnist1d.py", "paper_mnist1d")
    assert bench.PAPER == {"logistic": 0.32, "mlp": 0.68, "cnn": 0.94}
    assert bench.DATASET["options"]["samples"] == 5500  # 4,000 train / 500 val / 1,000 test
    bench.print_table([("cnn", 0.01, 0.95, 0.9024)], 150, [0])
    out = capsys.readouterr().out
    assert "cnn          0.94  0.902  0.950    0.01  ratio=0.960" in out
