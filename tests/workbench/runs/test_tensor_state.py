"""Optimizer state round-trips through tensors + JSON; damaged JSON is a message."""

from __future__ import annotations

import pytest
import torch

from workbench.runs.file_checks import RunFileError
from workbench.runs.tensor_state import flatten_optimizer_state, unflatten_optimizer_state


def adam_state():
    layer = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(layer.parameters())
    layer(torch.ones(4, 3)).sum().backward()
    optimizer.step()
    return optimizer.state_dict()


def test_round_trip():
    state = adam_state()
    tensors, structure = flatten_optimizer_state(state)
    back = unflatten_optimizer_state(tensors, structure)
    assert back["param_groups"][0]["betas"] == state["param_groups"][0]["betas"]
    for pid, values in state["state"].items():
        assert torch.equal(back["state"][pid]["exp_avg"], values["exp_avg"])


@pytest.mark.parametrize("structure, words", [
    (7, "expected an object, found int"),
    ({"param_groups": 5}, "'param_groups' must be a list"),
    ({"param_groups": [{"params": ["a"]}]}, "'param_groups' must be a list"),
    ({"param_groups": [{"params": [0, 1]}], "scalars": [1]}, "'scalars' must map"),
    ({"param_groups": [{"params": [0, 1]}], "scalars": {"x": {}}}, "'scalars' must map"),
    ({"param_groups": []}, "which no parameter group lists"),
])
def test_damaged_structure_is_named(structure, words):
    tensors, _ = flatten_optimizer_state(adam_state())
    with pytest.raises(RunFileError, match=words) as info:
        unflatten_optimizer_state(tensors, structure, "ckpt.json")
    assert str(info.value).startswith("ckpt.json: ")


def test_badly_named_tensors():
    _, structure = flatten_optimizer_state(adam_state())
    with pytest.raises(RunFileError, match="state.<parameter number>.<name>"):
        unflatten_optimizer_state({"state.x.exp_avg": torch.zeros(1)}, structure)
