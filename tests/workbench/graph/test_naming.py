"""Node ids -> safe, unique Python attribute names (shared by compile and codegen)."""

from __future__ import annotations

import keyword

import pytest

from workbench.graph.naming import RESERVED, attribute_name, attribute_names


@pytest.mark.parametrize("node_id, name", [
    ("fc1", "fc1"), ("fc-1", "fc_1"), ("1st", "n_1st"), ("forward", "n_forward"),
    ("class", "n_class"), ("_hidden", "n_hidden"), ("Schicht ä", "Schicht__"), ("", "n_"),
    ("x", "n_x"), ("training", "n_training"),
])
def test_attribute_name(node_id: str, name: str) -> None:
    assert attribute_name(node_id) == name
    assert name.isidentifier() and not keyword.iskeyword(name) and name not in RESERVED


def test_clashes_get_numbered_in_order() -> None:
    assert attribute_names(["fc-1", "fc_1", "fc.1"]) == {
        "fc-1": "fc_1", "fc_1": "fc_1_2", "fc.1": "fc_1_3"}


def test_reserved_names_cover_torch_module_attributes() -> None:
    from torch import nn

    public = {n for n in dir(nn.Module) if not n.startswith("_")}
    assert public <= RESERVED, sorted(public - RESERVED)
