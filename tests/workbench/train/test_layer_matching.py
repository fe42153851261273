"""layer_matching: which layers load on fine-tune (the trainer's TransferPlan and the app's
preview both call match_layers)."""

from __future__ import annotations

import sys

import torch

from workbench.graph.compile import compile_graph
from workbench.graph.templates import chain, cnn, mlp
from workbench.runs.run_store import RunStore
from workbench.train.layer_matching import (
    LayerMatch,
    layer_difference,
    match_layers,
    node_tensor_shapes,
    source_tensors,
)
from workbench.train.transfer import TransferPlan

BN = {"weight": (8,), "bias": (8,), "running_mean": (8,), "running_var": (8,),
      "num_batches_tracked": ()}


def test_a_layer_loads_when_id_type_and_every_tensor_shape_match():
    own = {"fc1": {"weight": (4, 2), "bias": (4,)}, "bn": BN, "fc2": {"weight": (3, 4)},
           "fc3": {"weight": (3, 3)}, "fc4": {"weight": (1, 3)}}
    source = {"fc1": {"weight": (4, 2), "bias": (4,)}, "bn": BN,
              "fc2": {"weight": (2, 4)}, "fc3": {"weight": (3, 3), "bias": (3,)}}
    assert match_layers(own, source) == [
        LayerMatch("fc1", None), LayerMatch("bn", None),
        LayerMatch("fc2", "shape differs: expected (3, 4) found (2, 4)"),
        LayerMatch("fc3", "tensors differ: the source layer also has bias"),
        LayerMatch("fc4", "not in the source run")]
    assert [m.reason for m in match_layers(own, source, layers=["fc1", "bn"], head="bn")][:3] \
        == [None, "reset_head", "not in --layers"]


def test_another_layer_type_with_the_same_tensors_does_not_load():
    assert layer_difference(BN, BN, "BatchNorm2d", "BatchNorm1d") == \
        "type differs: expected BatchNorm2d, found BatchNorm1d"
    assert layer_difference(BN, BN, "BatchNorm2d", "BatchNorm2d") is None
    assert layer_difference({"weight": (8,)}, {"bias": (8,)}) == \
        "tensors differ: expected 'weight', the source layer has bias"


def test_node_tensor_shapes_are_the_compiled_networks_without_weights():
    spec = cnn((1, 8, 8), channels=(4,), num_classes=3)
    shapes = node_tensor_shapes(spec)
    module = compile_graph(spec)
    state = module.state_dict()
    expected = {n: {k[len(a) + 1:]: tuple(v.shape) for k, v in state.items()
                    if k.startswith(a + ".")} for n, a in module.node_names.items()}
    assert shapes == {n: t for n, t in expected.items() if t}
    assert shapes["conv1"]["weight"] == (4, 1, 3, 3) and shapes["fc"]["weight"] == (3, 64)
    assert "torch" in sys.modules  # imported inside the function


def test_the_trainer_loads_convolutions_for_another_image_size(tmp_path):
    """The app's preview used to skip these ("input differs"); the trainer loaded them."""
    torch.manual_seed(0)
    source = compile_graph(cnn((1, 8, 8), channels=(4,), num_classes=3))
    run = RunStore.create(tmp_path, "source")
    run.save_config({"graph": source.spec.to_dict(), "dataset": {"name": "digits"}})
    run.save_best(source.state_dict())
    module = compile_graph(cnn((1, 12, 12), channels=(4,), num_classes=3))
    plan = TransferPlan.prepare(module, {"from_run": str(run.path)})
    assert plan.matched == ["conv1", "bn1"]
    assert plan.skipped == [{"node": "fc", "reason": "shape differs: expected (3, 144) "
                                                     "found (3, 64)"}]
    assert torch.equal(module.conv1.weight, source.conv1.weight)
    expected = match_layers(node_tensor_shapes(module.spec), source_tensors(
        source.spec, {k: v.shape for k, v in source.state_dict().items()}),
        own_spec=module.spec, source_spec=source.spec)
    assert [m.node_id for m in expected if m.loaded] == plan.matched


def test_source_tensors_use_the_source_networks_attribute_names():
    spec = mlp(2, hidden=(4,), num_classes=3)
    assert source_tensors(spec, {"fc1.weight": (4, 2), "fc2.bias": (3,), "other.x": (1,)}) == \
        {"fc1": {"weight": (4, 2)}, "fc2": {"bias": (3,)}}


def _norm_net(kind, shape):
    return chain("n", ("input", "Input", {"shape": shape, "dtype": "float32"}), ("bn", kind, {}),
                 ("flatten", "Flatten", {}), ("fc", "Linear", {"out_features": 2}),
                 ("output", "Output", {"num_classes": 2}))


def test_the_trainer_skips_a_layer_of_another_type_even_with_the_same_tensors(tmp_path):
    """The trainer's own copy compared tensors only and loaded a BatchNorm1d's statistics into
    a BatchNorm2d; the preview said "type differs"."""
    source = compile_graph(_norm_net("BatchNorm1d", [4, 3]))
    run = RunStore.create(tmp_path, "source")
    run.save_config({"graph": source.spec.to_dict(), "dataset": {"name": "digits"}})
    run.save_best(source.state_dict())
    plan = TransferPlan.prepare(compile_graph(_norm_net("BatchNorm2d", [4, 3, 1])),
                                {"from_run": str(run.path)})
    assert plan.matched == ["fc"]
    assert plan.skipped == [{"node": "bn", "reason": "type differs: expected BatchNorm2d, "
                                                     "found BatchNorm1d"}]
