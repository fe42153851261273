from __future__ import annotations

import json

from workbench.graph.layout import COLUMN_WIDTH, layered_positions
from workbench.graph.spec import GraphSpec
from workbench.paths import find_example


def test_chain_is_one_row_left_to_right():
    spec = GraphSpec.from_dict(json.loads(find_example("mlp_digits").read_text())["graph"])
    pos = layered_positions(spec)
    xs = [pos[n.id][0] for n in spec.nodes]
    assert xs == [i * COLUMN_WIDTH for i in range(len(xs))]
    assert {pos[n.id][1] for n in spec.nodes} == {0.0}


def test_residual_branch_gets_its_own_row_and_add_comes_after_both():
    spec = GraphSpec.from_dict(json.loads(find_example("resnet_small").read_text())["graph"])
    pos = layered_positions(spec)
    assert pos["b1_add"][0] > pos["b1_bn2"][0] > pos["stem_relu"][0]
    positions = list(pos.values())
    assert len(set(positions)) == len(positions)  # no two nodes on top of each other
