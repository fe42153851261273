"""The problems list is rebuilt only when the problems change (edits on big networks)."""

from __future__ import annotations

from ui.panels.problems_panel import ProblemsPanel
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node


def test_same_problems_keep_the_list_and_new_ones_replace_it(qtbot):
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    spec = GraphSpec([Node("input", "Input", {"shape": [4]}),
                      Node("fc", "Linear", {"out_features": 3})], [Edge("input", "fc")], "g")
    panel.show_analysis(analyze(spec))
    first = panel.item(0)
    messages = panel.messages()
    panel.show_analysis(analyze(spec))  # same problems, new analysis object
    assert panel.item(0) is first and panel.messages() == messages
    spec.nodes.append(Node("stray", "ReLU"))
    panel.show_analysis(analyze(spec))
    assert any("stray" in m for m in panel.messages())
