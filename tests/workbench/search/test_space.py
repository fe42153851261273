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
    assert space.max_params == 100000 and space.has_categorical and space.size() is None
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
        assert 0 < drawn.total_params <= 100000
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


def test_optional_node_and_repeated_block():
    from workbench.graph.shape_inference import analyze

    project = example()
    raw = {"nodes": {"drop1": {"skip": {"kind": "choice", "choices": [False, True]}}},
           "blocks": [{"nodes": ["fc2", "relu2"], "repeat": {"kind": "int", "low": 1,
                                                             "high": 3}}]}
    space = parse_space(raw, project.graph)
    assert [d.name for d in space.dimensions] == ["drop1.skip", "fc2+relu2.repeat"]
    assert space.size() == 6
    base = analyze(project.graph).total_params
    graph, _ = apply_values(project.graph, {}, space, {"drop1.skip": True,
                                                       "fc2+relu2.repeat": 3})
    ids = [n.id for n in graph.nodes]
    assert "drop1" not in ids and {"fc2_2", "relu2_2", "fc2_3", "relu2_3"} <= set(ids)
    wires = {(e.src, e.dst) for e in graph.edges}
    assert {("relu1", "fc2"), ("relu2", "fc2_2"), ("relu2_2", "fc2_3"),
            ("relu2_3", "fc3")} <= wires
    assert not any("drop1" in w for w in wires) and ("relu2", "fc3") not in wires
    analysis = analyze(graph)
    assert analysis.ok and analysis.total_params == base + 2 * (64 * 64 + 64)
    same, _ = apply_values(project.graph, {}, space, {"drop1.skip": False,
                                                      "fc2+relu2.repeat": 1})
    assert same.to_dict() == project.graph.to_dict()


@pytest.mark.parametrize("search, expected", [
    ({"nodes": {"input": {"skip": {"kind": "choice", "choices": [False, True]}}}},
     "cannot be optional"),
    ({"nodes": {"drop1": {"skip": {"kind": "choice", "choices": [0, 1]}}}},
     "expected a choice of true/false"),
    ({"blocks": [{"nodes": ["fc1", "fc2"], "repeat": {"kind": "int", "low": 1, "high": 2}}]},
     "'fc1' must feed only 'fc2'"),
    ({"blocks": [{"nodes": ["fc2"], "repeat": {"kind": "int", "low": 0, "high": 2}}]},
     "expected whole numbers >= 1"),
    ({"blocks": [{"nodes": ["fc9"], "repeat": {"kind": "int", "low": 1, "high": 2}}]},
     "names node 'fc9'"),
])
def test_bad_structure_choices(search, expected):
    with pytest.raises(SearchSpaceError, match=expected):
        parse_space(search, example().graph)
