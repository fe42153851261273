"""The summary panel: one row per layer plus a total, updated in place after an edit."""

from __future__ import annotations

import pytest

from ui.panels.summary_panel import SummaryPanel
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node


def chain(pairs: int, width: int = 32) -> GraphSpec:
    nodes = [Node("input", "Input", {"shape": [8], "dtype": "float32"})]
    edges, previous = [], "input"
    for i in range(pairs):
        nodes += [Node(f"fc{i}", "Linear", {"out_features": width}), Node(f"relu{i}", "ReLU")]
        edges += [Edge(previous, f"fc{i}"), Edge(f"fc{i}", f"relu{i}")]
        previous = f"relu{i}"
    nodes.append(Node("output", "Output", {"num_classes": width}))
    edges.append(Edge(previous, "output"))
    return GraphSpec(nodes, edges, "chain")


@pytest.fixture
def panel(qtbot):
    widget = SummaryPanel()
    qtbot.addWidget(widget)
    return widget


def show(panel: SummaryPanel, spec: GraphSpec) -> None:
    panel.show_analysis(spec, analyze(spec))


def test_rows_shapes_counts_and_total(panel):
    spec = chain(2, width=4)
    show(panel, spec)
    assert panel.rowCount() == len(spec.nodes) + 1
    assert [panel.cell(0, c) for c in range(3)] == ["input", "Input", "(8,)"]
    assert panel.cell(1, 0) == "fc0" and panel.cell(1, 3) == f"{8 * 4 + 4:,}"
    assert panel.cell(panel.rowCount() - 1, 0) == "Total"
    params = 8 * 4 + 4 + 4 * 4 + 4
    assert panel.totals()[0] == f"{params:,}"


def test_a_parameter_edit_updates_only_the_rows_that_changed(panel):
    spec = chain(40)
    show(panel, spec)
    resets = panel.summary_model.resets
    spec.node("fc39").params["out_features"] = 16  # the last Linear: itself, relu39, total
    show(panel, spec)
    assert panel.summary_model.resets == resets, "an in-place edit must not rebuild the table"
    assert panel.last_changed_rows == 4  # fc39, relu39, output (its input shape), total
    row = [panel.cell(r, 0) for r in range(panel.rowCount())].index("fc39")
    assert panel.cell(row, 2) == "(16,)"
    show(panel, spec)  # nothing changed: nothing announced
    assert panel.last_changed_rows == 0


def test_adding_a_layer_rebuilds_and_errors_are_red(panel):
    spec = chain(1)
    show(panel, spec)
    spec.nodes.append(Node("stray", "Linear", {"out_features": 3}))
    spec.edges.append(Edge("relu0", "stray", dst_port="bogus"))
    analysis = analyze(spec)
    panel.show_analysis(spec, analysis)
    layers = [panel.cell(r, 0) for r in range(panel.rowCount())]
    assert "stray" in layers
    bad = {p.node_id for p in analysis.errors}
    model = panel.summary_model
    from PySide6 import QtCore

    for row, layer in enumerate(layers[:-1]):
        color = model.data(model.index(row, 0), QtCore.Qt.ForegroundRole)
        assert (color is not None) == (layer in bad)
    assert bad, "the test network should have an error"


def test_columns_are_wide_enough_for_their_longest_text(panel):
    spec = chain(3)
    spec.nodes[1].id = "a_rather_long_layer_name_for_fc0"
    spec.edges[0].dst = spec.edges[1].src = spec.nodes[1].id
    show(panel, spec)
    metrics = panel.fontMetrics()
    assert panel.columnWidth(0) >= metrics.horizontalAdvance(spec.nodes[1].id)
    assert panel.columnWidth(1) >= metrics.horizontalAdvance("Linear")
