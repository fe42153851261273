"""ui/dialogs/fine_tune_plan.py: the preview says what the trainer will load (one rule)."""

from __future__ import annotations

import torch

from ui.dialogs.fine_tune_plan import layer_rows, read_parent
from workbench.graph.compile import compile_graph
from workbench.graph.spec import GraphSpec
from workbench.graph.templates import chain, cnn
from workbench.runs.run_store import RunStore
from workbench.train.transfer import TransferPlan


def _run(tmp_path, spec):
    torch.manual_seed(0)
    module = compile_graph(spec)
    run = RunStore.create(tmp_path, "source")
    run.save_config({"graph": spec.to_dict(), "dataset": {"name": "digits"}})
    run.save_best(module.state_dict())
    return str(run.path)


def _agree(run_dir, spec, reset_head=False):
    rows = layer_rows(read_parent(run_dir, spec), spec, reset_head=reset_head)
    plan = TransferPlan.prepare(compile_graph(spec), {"from_run": run_dir,
                                                      "reset_head": reset_head})
    assert [r.node_id for r in rows if r.loaded] == plan.matched
    skipped = {s["node"]: s["reason"] for s in plan.skipped}
    assert {r.node_id: r.reason for r in rows if not r.loaded}.keys() == skipped.keys()
    for row in rows:
        if not row.loaded:
            assert row.reason.startswith(skipped[row.node_id])
    return rows


def test_another_image_size_loads_the_convolutions_in_the_preview_too(tmp_path):
    """The preview's own copy skipped conv1 and bn1 ("input 1x12x12 vs 1x8x8") while the
    trainer loaded them."""
    run_dir = _run(tmp_path, cnn((1, 8, 8), channels=(4,), num_classes=3))
    rows = _agree(run_dir, cnn((1, 12, 12), channels=(4,), num_classes=3))
    assert [(r.node_id, r.loaded) for r in rows] == [("conv1", True), ("bn1", True),
                                                     ("fc", False)]
    assert rows[2].reason == "shape differs: expected (3, 144) found (3, 64)"


def test_a_stride_that_keeps_the_weights_loads_and_another_kernel_does_not(tmp_path):
    run_dir = _run(tmp_path, cnn((1, 8, 8), channels=(4,), num_classes=3))
    data = cnn((1, 8, 8), channels=(4,), num_classes=3).to_dict()
    conv = next(n for n in data["nodes"] if n["id"] == "conv1")
    conv["params"].update(stride=2, padding=0)
    rows = _agree(run_dir, GraphSpec.from_dict(data), reset_head=True)
    assert [(r.node_id, r.loaded) for r in rows][:2] == [("conv1", True), ("bn1", True)]
    assert rows[2].reason == "reset_head"
    conv["params"].update(kernel_size=5)
    rows = _agree(run_dir, GraphSpec.from_dict(data))
    assert rows[0].reason == ("shape differs: expected (4, 1, 5, 5) found (4, 1, 3, 3) "
                              "(changed since the run: kernel_size 5, was 3; stride 2, was 1; "
                              "padding 0, was 1)")


def test_a_layer_of_another_type_is_skipped_by_both(tmp_path):
    def net(kind, shape):
        return chain("n", ("input", "Input", {"shape": shape, "dtype": "float32"}),
                     ("bn", kind, {}), ("flatten", "Flatten", {}),
                     ("fc", "Linear", {"out_features": 2}), ("output", "Output", {"num_classes": 2}))

    run_dir = _run(tmp_path, net("BatchNorm1d", [4, 3]))
    rows = _agree(run_dir, net("BatchNorm2d", [4, 3, 1]))
    assert [(r.node_id, r.reason) for r in rows] == [
        ("bn", "type differs: expected BatchNorm2d, found BatchNorm1d"), ("fc", "")]
