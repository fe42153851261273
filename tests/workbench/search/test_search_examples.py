"""The bundled search examples are what make_search_examples.py writes; the CNN's space only
yields networks that fit (a sample is refused for its size, never for its shapes), and it
searches end to end."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys

import pytest

from workbench.paths import EXAMPLES_DIR, find_example
from workbench.project import load_project
from workbench.search.runner import SearchSettings, run_search
from workbench.search.sampling import InvalidSample, Sample, apply_values, validate
from workbench.search.space import parse_space


def _script():
    sys.path.insert(0, str(EXAMPLES_DIR))  # the script imports make_examples beside it
    try:
        spec = importlib.util.spec_from_file_location(
            "make_search_examples", EXAMPLES_DIR / "make_search_examples.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(EXAMPLES_DIR))


@pytest.mark.parametrize("name", ["search_mlp_digits", "search_cnn_digits"])
def test_bundled_file_is_what_the_script_writes(name):
    project = {"format_version": 1, **getattr(_script(), name)()}
    path = EXAMPLES_DIR / f"{name}.wbproj.json"
    assert json.loads(path.read_text(encoding="utf-8")) == project, (
        f"{path.name} is stale: run python resources/examples/make_search_examples.py")


def test_cnn_space_every_structure_fits_or_is_refused_for_size():
    project = load_project(find_example("search_cnn_digits"))
    space = parse_space(project.search, project.graph)
    names = {d.name for d in space.dimensions}
    assert {"conv1.out_channels", "conv1.kernel_size", "relu1.type", "drop1.p",
            "training.lr", "conv2+relu2.repeat"} <= names
    structural = {"conv1.out_channels": [8, 32], "conv1.kernel_size": [3, 5],
                  "conv2.out_channels": [16, 64], "fc1.out_features": [32, 128],
                  "conv2+relu2.repeat": [1, 3], "relu2.type": ["ReLU", "SiLU"]}
    fits = 0
    for combination in itertools.product(*structural.values()):
        values = dict(zip(structural, combination))
        graph, training = apply_values(project.graph, project.training, space, values)
        try:
            validate(Sample(graph, training, values), space)
            fits += 1
        except InvalidSample as exc:
            assert "max_params" in str(exc), str(exc)
    assert fits >= 32  # most of the 64 corners fit under 100k parameters


def test_cnn_example_searches(tmp_path):
    project = load_project(find_example("search_cnn_digits"))
    project.training.update(epochs=1, device="cpu", monitors=False)
    settings = SearchSettings(project_dir=str(tmp_path), study="cnn", strategy="random",
                              n_trials=2, seed=0)
    result = run_search(project, settings)
    assert result["states"]["complete"] == 2 and 0.1 < result["best_value"] <= 1.0
    config = json.loads((tmp_path / result["best_run_dir"] / "config.json").read_text())
    conv1 = next(n for n in config["graph"]["nodes"] if n["id"] == "conv1")
    assert conv1["params"]["kernel_size"] == result["best_params"]["conv1.kernel_size"]
