"""Every bundled example can be built from scratch in the editor, as a person would build it.

Starting from File > New (an Input and an Output on the canvas): pick the example's dataset in
the selector, drop each layer from the palette, type each parameter that differs from what the
node shows into the inspector, and drag each wire to its port. The result must be the
example's network: same layers and parameters (defaults resolved), same wires, same parameter
count, and, with the example's weights copied in, the same outputs.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from PySide6 import QtWidgets

from tests.ui.editor_driver import (
    add_from_palette,
    choose_classes_and_share,
    choose_dataset,
    type_param,
    wire,
)
from workbench.graph.catalogue import get_layer
from workbench.graph.compile import compile_graph
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import GraphSpec
from workbench.paths import example_paths
from workbench.project import load_project

EXAMPLES = [p.name.split(".")[0] for p in example_paths()]
COLUMNS, SPACING_X, SPACING_Y = 6, 240.0, 140.0


def test_every_example_is_covered():
    assert set(EXAMPLES) >= {"mlp_digits", "cnn_digits", "resnet_small", "tabular_csv"}


def canonical(spec: GraphSpec, order: list[str]) -> tuple[list, list]:
    """Nodes as (type, resolved params) in ``order``; edges by index in that order."""
    index = {node_id: i for i, node_id in enumerate(order)}
    assert sorted(index) == sorted(n.id for n in spec.nodes)
    nodes = []
    for node_id in order:
        node = spec.node(node_id)
        nodes.append((node.type, get_layer(node.type).resolve_params(node.params)))
    edges = sorted((index[e.src], e.src_port, index[e.dst], e.dst_port) for e in spec.edges)
    return nodes, edges


def differing(type_name: str, want: dict[str, Any], have: dict[str, Any]) -> dict[str, Any]:
    """The parameters (num_inputs first: it decides the ports) whose values differ."""
    layer = get_layer(type_name)
    want, have = layer.resolve_params(want), layer.resolve_params(have)
    names = sorted((n for n in want if want[n] != have[n]), key=lambda n: n != "num_inputs")
    return {n: want[n] for n in names}


def sample_batch(shape: tuple[int, ...], dtype: str) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    if dtype == "int64":
        return torch.randint(0, 4, (3, *shape), generator=gen)
    return torch.randn((3, *shape), generator=gen)


@pytest.mark.parametrize("name", EXAMPLES)
def test_build_example_from_scratch(name, window, monkeypatch):
    path = next(p for p in example_paths() if p.name.split(".")[0] == name)
    example = load_project(path)
    target = example.graph
    dataset = example.resolved_dataset()
    options = dataset.get("options") or {}

    # File > New: the fixture's window holds a new project.
    window.registry.trigger("file.new")
    spec = window.document.spec
    assert sorted(n.type for n in spec.nodes) == ["Input", "Output"] and not spec.edges

    # The dataset selector; file-based datasets ask for their file (and CSV target column),
    # then the classes and training share beside the selector, where the example sets them.
    if "path" in options:
        monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                            staticmethod(lambda *a, **k: (options["path"], "")))
        monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory",
                            staticmethod(lambda *a, **k: options["path"]))
    if "target" in options:  # the CSV dataset dialog: pick the example's target, press OK
        from ui.dialogs.dataset_dialog import CsvDatasetDialog

        def accept(dialog: CsvDatasetDialog) -> int:
            dialog.target_combo.setCurrentText(options["target"])
            return QtWidgets.QDialog.Accepted

        monkeypatch.setattr(CsvDatasetDialog, "exec", accept)
    choose_dataset(window, dataset["name"])
    if "classes" in options or "train_fraction" in options:  # the classes and share dialog
        choose_classes_and_share(window, options.get("classes"),
                                 options.get("train_fraction", 1.0))
    assert window.document.project.resolved_dataset() == dataset, window.last_error

    # Layers: the Input and Output already on the canvas stand for the example's; every
    # other layer comes from the palette, laid out on a grid so no two overlap.
    built: dict[str, str] = {}
    existing = {n.type: n.id for n in window.document.spec.nodes}
    for i, node in enumerate(target.nodes):
        if node.type in ("Input", "Output") and node.type in existing:
            built[node.id] = existing.pop(node.type)
            continue
        x, y = 300.0 + SPACING_X * (i % COLUMNS), 200.0 + SPACING_Y * (i // COLUMNS)
        built[node.id] = add_from_palette(window, node.type, x, y)
        assert window.document.spec.node(built[node.id]).type == node.type

    # Parameters through the inspector's editors (num_inputs before wiring Add/Concat).
    for node in target.nodes:
        mine = window.document.spec.node(built[node.id])
        for param, value in differing(node.type, node.params, mine.params).items():
            type_param(window, built[node.id], param, value)
        assert not differing(node.type, node.params,
                             window.document.spec.node(built[node.id]).params)

    # Wires, port to port.
    for edge in target.edges:
        wire(window, built[edge.src], built[edge.dst], edge.dst_port, edge.src_port)
        assert (built[edge.src], edge.src_port, built[edge.dst], edge.dst_port) in {
            e.key for e in window.document.spec.edges}, window.statusBar().currentMessage()

    mine = window.document.spec
    analysis = window.document.analyze_now()
    assert analysis.ok, [p.message for p in analysis.errors]
    order = [built[n.id] for n in target.nodes]
    assert canonical(mine, order) == canonical(target, [n.id for n in target.nodes])
    assert analysis.total_params == analyze(target).total_params
    assert window.document.dirty and window.windowTitle().startswith("untitled*")

    model, reference = compile_graph(mine.copy()), compile_graph(target)
    count = sum(p.numel() for p in model.parameters())
    assert count == sum(p.numel() for p in reference.parameters()) == analysis.total_params
    for node in target.nodes:  # the example's weights, node by node, into the built model
        theirs, ours = reference.node_module(node.id), model.node_module(built[node.id])
        assert (theirs is None) == (ours is None)
        if ours is not None:
            ours.load_state_dict(theirs.state_dict())
    model.eval()
    reference.eval()
    batch = sample_batch(reference.input_shape, reference.input_dtype)
    with torch.no_grad():
        out, expected = model(batch), reference(batch)
    (output,) = [n for n in target.nodes if n.type == "Output"]
    width = output.params.get("num_outputs") or output.params["num_classes"]  # regression: values
    assert out.shape == expected.shape == (3, width)
    assert torch.allclose(out, expected, atol=1e-6)
