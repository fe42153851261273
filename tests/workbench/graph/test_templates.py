"""Ready-made graph specs are valid and have the shapes they promise."""

from __future__ import annotations

import pytest

from workbench.graph.shape_inference import analyze
from workbench.graph.spec import GraphSpec
from workbench.graph.templates import TEMPLATES, chain, cnn, embedding_lstm, mlp


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_are_valid_and_round_trip(name: str) -> None:
    spec = TEMPLATES[name]()
    analysis = analyze(spec)
    assert analysis.ok, analysis.problems
    assert analysis.problems == []
    assert GraphSpec.from_dict(spec.to_dict()) == spec
    assert len({n.position for n in spec.nodes}) == len(spec.nodes)


def test_template_parameters_are_used() -> None:
    assert analyze(mlp(input_size=5, hidden=(7,), num_classes=2)).output_shape == (2,)
    assert [n.type for n in mlp(hidden=(4,), dropout=0.5).nodes].count("Dropout") == 1
    assert analyze(cnn((3, 16, 16), (4, 8, 16), 7)).nodes["flatten"].output_shape == (16 * 2 * 2,)
    assert analyze(embedding_lstm(seq_len=9, hidden=11)).nodes["lstm"].output_shape == (11,)


def test_chain_wires_each_layer_to_the_next() -> None:
    spec = chain("c", ("a", "Input", {"shape": [2]}), ("b", "ReLU", {}), ("c", "Output", {}))
    assert [(e.src, e.dst) for e in spec.edges] == [("a", "b"), ("b", "c")]
