"""The canvas scene re-syncs only the layers whose drawing changed."""

from __future__ import annotations

from ui.editor.canvas_scene import CanvasScene
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node


def chain(pairs: int) -> GraphSpec:
    nodes = [Node("input", "Input", {"shape": [8], "dtype": "float32"})]
    edges, previous = [], "input"
    for i in range(pairs):
        nodes += [Node(f"fc{i}", "Linear", {"out_features": 8}, (200.0 * i, 0.0)),
                  Node(f"relu{i}", "ReLU", {}, (200.0 * i + 100, 0.0))]
        edges += [Edge(previous, f"fc{i}"), Edge(f"fc{i}", f"relu{i}")]
        previous = f"relu{i}"
    nodes.append(Node("output", "Output", {"num_classes": 8}))
    edges.append(Edge(previous, "output"))
    return GraphSpec(nodes, edges, "chain")


def test_sync_updates_only_changed_nodes_and_labels(qtbot, monkeypatch):
    scene = CanvasScene()
    spec = chain(20)
    scene.sync(spec, analyze(spec))
    updated: list[str] = []
    for node_id, item in scene.nodes.items():
        original = item.update_from
        monkeypatch.setattr(item, "update_from", lambda *a, _i=node_id, _o=original, **k:
                            (updated.append(_i), _o(*a, **k)))
    spec.node("fc19").params["out_features"] = 4
    scene.sync(spec, analyze(spec))
    assert sorted(updated) == ["fc19", "output", "relu19"]
    assert scene.nodes["fc19"].summary.startswith("out_features=4")
    assert scene.edges[("fc19", "out", "relu19", "in")].label.text() == "(4,)"
    updated.clear()
    scene.sync(spec, analyze(spec))
    assert updated == []


def test_a_new_scene_item_for_a_known_id_is_drawn(qtbot):
    scene = CanvasScene()
    spec = chain(1)
    scene.sync(spec, analyze(spec))
    scene.clear()  # what opening another project does
    scene.nodes.clear()
    scene.edges.clear()
    scene.sync(spec, analyze(spec))
    assert scene.nodes["fc0"].type_name == "Linear"
    assert scene.nodes["fc0"].shape_text == "(8,)"
