"""Document edits: applied once in place (no rebuild of the spec), undo/redo by snapshots."""

from __future__ import annotations

from ui.editor.document import Document
from workbench.graph import edits
from workbench.graph.spec import GraphSpec, Node
from workbench.project import Project


def project() -> Project:
    graph = GraphSpec([Node("input", "Input", {"shape": [4]}),
                       Node("fc", "Linear", {"out_features": 3})], [], "g")
    return Project(name="p", graph=graph, dataset={}, training={})


def test_an_edit_does_not_rebuild_the_spec_but_undo_redo_do(qtbot, monkeypatch):
    document = Document(project())
    rebuilt: list[int] = []
    original = GraphSpec.from_dict
    monkeypatch.setattr(GraphSpec, "from_dict", classmethod(
        lambda cls, d: (rebuilt.append(1), original(d))[1]))
    live = document.spec
    with qtbot.waitSignal(document.changed):
        document.edit("Set", lambda p: edits.set_param(p.graph, "fc", "out_features", 5))
    assert rebuilt == [] and document.spec is live
    assert document.spec.node("fc").params["out_features"] == 5 and document.dirty
    document.undo_stack.undo()
    assert document.spec.node("fc").params["out_features"] == 3 and len(rebuilt) == 1
    document.undo_stack.redo()
    assert document.spec.node("fc").params["out_features"] == 5 and len(rebuilt) == 2
    document.edit("nothing", lambda p: None)
    assert document.undo_stack.count() == 1
