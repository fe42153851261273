"""GraphSpec JSON round-trip, copy, ids and format migration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.graph.spec import FORMAT_VERSION, Edge, GraphSpec, Node, SpecError, migrate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "graphs"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def small_spec() -> GraphSpec:
    return GraphSpec(
        nodes=[Node("input", "Input", {"shape": [4]}, (0.0, 1.5)),
               Node("fc1", "Linear", {"out_features": 3}, (200.0, 0.0)),
               Node("output", "Output", {"num_classes": 3})],
        edges=[Edge("input", "fc1"), Edge("fc1", "output")], name="tiny")


def test_round_trip_through_json_text() -> None:
    spec = small_spec()
    data = json.loads(json.dumps(spec.to_dict()))
    assert data["format_version"] == FORMAT_VERSION == 2
    assert data["edges"][0] == {"src": "input", "src_port": "out", "dst": "fc1",
                                "dst_port": "in"}
    assert data["nodes"][0]["position"] == [0.0, 1.5]
    assert GraphSpec.from_dict(data) == spec


def test_every_version_fixture_loads_to_the_same_spec() -> None:
    v1 = GraphSpec.from_dict(load("v1_mlp.json"))
    v2 = GraphSpec.from_dict(load("v2_mlp.json"))
    assert v1 == v2
    assert v1.node("skip").position == (400.0, 120.0)
    assert Edge("relu1", "add1", "out", "in0") in v1.edges


def test_every_fixture_version_is_covered() -> None:
    versions = {load(p.name)["format_version"] for p in FIXTURES.glob("v*_*.json")}
    assert versions == set(range(1, FORMAT_VERSION + 1))


def test_migrate_does_not_change_its_argument_and_is_idempotent() -> None:
    v1 = load("v1_mlp.json")
    before = json.dumps(v1, sort_keys=True)
    once = migrate(v1)
    assert json.dumps(v1, sort_keys=True) == before
    assert migrate(once) == once
    assert once["format_version"] == FORMAT_VERSION


def test_missing_version_is_detected_from_keys() -> None:
    v1 = load("v1_mlp.json")
    del v1["format_version"]
    v2 = load("v2_mlp.json")
    del v2["format_version"]
    assert GraphSpec.from_dict(v1) == GraphSpec.from_dict(v2)


def test_newer_version_is_a_clear_error() -> None:
    data = load("v2_mlp.json")
    data["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(SpecError, match=r"format_version 3 is newer .*up to 2"):
        GraphSpec.from_dict(data)


@pytest.mark.parametrize("bad, match", [
    ([], "must be a JSON object, found list"),
    ({"format_version": "2"}, "must be an integer"),
    ({"format_version": 0}, "not a known version"),
    ({"nodes": {}}, "'nodes' must be a list, found dict"),
    ({"nodes": [{"id": "a"}]}, r"node #0: 'type' must be a non-empty string"),
    ({"nodes": [{"id": "a", "type": "ReLU", "position": [1]}]}, r"'position' must be \[x, y\]"),
    ({"edges": [{"src": "a"}]}, "'dst' must be a non-empty string, found None"),
    ({"format_version": 1, "edges": [{"to": "b"}]}, "missing from"),
])
def test_bad_dicts_raise_spec_error_naming_the_problem(bad: object, match: str) -> None:
    with pytest.raises(SpecError, match=match):
        GraphSpec.from_dict(bad)


def test_spec_error_is_a_value_error() -> None:
    assert issubclass(SpecError, ValueError)


def test_copy_is_deep() -> None:
    spec = small_spec()
    clone = spec.copy()
    clone.node("fc1").params["out_features"] = 99
    clone.edges.append(Edge("a", "b"))
    assert spec.node("fc1").params["out_features"] == 3
    assert len(spec.edges) == 2


def test_node_lookup_names_known_ids() -> None:
    with pytest.raises(KeyError, match="no node 'nope' .*input, fc1, output"):
        small_spec().node("nope")


def test_new_node_id_is_unique_and_readable() -> None:
    spec = small_spec()
    assert spec.new_node_id("Linear") == "linear_1"
    spec.nodes.append(Node("linear_1", "Linear"))
    spec.nodes.append(Node("linear_2", "Linear"))
    assert spec.new_node_id("Linear") == "linear_3"
    assert spec.new_node_id("BatchNorm2d") == "batchnorm2d_1"
