"""Search spaces in the project file: parsing, checks against the graph, sampling."""

from __future__ import annotations

import json

import optuna
import pytest

from workbench.paths import find_example
from workbench.project import ProjectError, load_project, save_project
from workbench.search.sampling import InvalidSample, apply_values, sample
from workbench.search.space import SearchSpaceError, parse_space


def example():
    return load_project(find_example("search_mlp_digits"))


def test_example_space_parses_and_round_trips(tmp_path):
    project = example()
    space = parse_space(project.search, project.graph)
    assert [d.name for d in space.dimensions][:3] == ["fc1.out_features", "relu1.type",
                                                      "drop1.p"]
    assert space.max_params == 60000 and space.has_categorical and space.size() is None
    save_project(project, tmp_path / "again.wbproj.json")
    assert json.loads((tmp_path / "again.wbproj.json").read_text())["search"] == project.search


def test_file_without_search_keeps_none(tmp_path):
    project = load_project(find_example("mlp_digits"))
    assert project.search is None and "search" not in project.to_dict()


@pytest.mark.parametrize("search, expected", [
    ([], "expected an object"),
    ({"format_version": 9}, "format_version must be"),
    ({"nodes": {"nope": {"p": {"kind": "choice", "choices": [1]}}}}, "not in the graph"),
    ({"nodes": {"fc1": {"width": {"kind": "choice", "choices": [1]}}}}, "no parameter 'width'"),
    ({"nodes": {"fc1": {"out_features": {"kind": "int", "low": 0, "high": 8}}}},
     "'out_features' must be"),
    ({"nodes": {"relu1": {"type": {"kind": "choice", "choices": ["ReLU", "Linear"]}}}},
     "Linear cannot replace ReLU"),
    ({"nodes": {"relu1": {"type": {"kind": "choice", "choices": ["Swoosh"]}}}},
     "unknown layer type 'Swoosh'"),
    ({"training": {"lr": {"kind": "float", "low": 0.0, "high": 1.0, "log": True}}},
     "log range needs 'low' > 0"),
    ({"training": {"speed": {"kind": "choice", "choices": [1]}}}, "unknown training setting"),
    ({"training": {"optimizer": {"kind": "choice", "choices": ["adam", "lion"]}}},
     "'optimizer' must be one of"),
    ({"nodes": {"fc1": {"out_features": {"kind": "range"}}}}, "'kind' must be one of"),
    ({"constraints": {"max_flops": 3}}, "unknown constraint"),
    ({"searchspace": {}}, "unknown key"),
])
def test_bad_search_sections_are_project_errors(tmp_path, search, expected):
    data = json.loads(find_example("mlp_digits").read_text())
    data["search"] = search
    path = tmp_path / "bad.wbproj.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match=expected) as info:
        load_project(path)
    assert str(path) in str(info.value)


def test_sample_applies_values_and_changes_layer_types():
    project = example()
    space = parse_space(project.search, project.graph)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    seen_types = set()
    for _ in range(12):
        trial = study.ask()
        drawn = sample(trial, project.graph, project.training, space)
        nodes = {n.id: n for n in drawn.graph.nodes}
        assert nodes["fc1"].params["out_features"] == trial.params["fc1.out_features"]
        assert nodes["relu1"].type == trial.params["relu1.type"]
        assert drawn.training["lr"] == trial.params["training.lr"]
        assert 0 < drawn.total_params <= 60000
        seen_types.add(nodes["relu1"].type)
        study.tell(trial, 0.5)
    assert len(seen_types) > 1
    assert {n.type for n in project.graph.nodes} >= {"ReLU"}  # the project's graph unchanged


def test_constraint_rejects_before_training():
    project = example()
    raw = {**project.search, "constraints": {"max_params": 1000}}
    space = parse_space(raw, project.graph)
    trial = optuna.create_study().ask()
    with pytest.raises(InvalidSample, match="over the constraint max_params 1,000"):
        sample(trial, project.graph, project.training, space)


def test_invalid_network_is_an_invalid_sample():
    project = example()
    space = parse_space({"nodes": {"fc1": {"out_features": {"kind": "choice",
                                                             "choices": [4]}}}}, project.graph)
    graph, training = apply_values(project.graph, project.training, space,
                                   {"fc1.out_features": 4})
    graph.node("fc2").type = "Conv2d"  # a 2-d convolution on flat features: a shape error
    from workbench.search.sampling import Sample, validate
    with pytest.raises(InvalidSample, match="the sampled network is invalid"):
        validate(Sample(graph, training, {}), space)


def test_bad_dimension_messages_name_the_place():
    with pytest.raises(SearchSpaceError, match=r"search.training.lr: expected numbers"):
        parse_space({"training": {"lr": {"kind": "float", "low": 1, "high": 0}}})
