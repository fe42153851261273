"""Structured pruning on the spec: each dependency case gives a valid smaller spec whose module
computes exactly what the original computes with the removed channels zeroed."""

from __future__ import annotations

import pytest
import torch

from workbench.compress.errors import CompressError
from workbench.compress.prune import prune_network
from workbench.graph.compile import compile_graph
from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node
from workbench.paths import find_example
from workbench.project import load_project


def graph(nodes: list[tuple[str, str, dict]], edges: list[tuple[str, str] | tuple[str, str, str]]
          ) -> GraphSpec:
    return GraphSpec([Node(i, t, p) for i, t, p in nodes],
                     [Edge(e[0], e[1], "out", e[2] if len(e) == 3 else "in") for e in edges])


def trained_like(spec: GraphSpec, seed: int = 0) -> torch.nn.Module:
    """The compiled module with random BatchNorm statistics and affine (not the identity)."""
    torch.manual_seed(seed)
    module = compile_graph(spec)
    for m in module.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-1, 1)
    return module.eval()


def zeroed(spec: GraphSpec, state: dict, result) -> torch.nn.Module:
    """The ORIGINAL network with the removed channels zeroed: producers' rows and biases,
    and the BatchNorm affine of removed channels (so a BatchNorm outputs 0 there)."""
    module = compile_graph(spec)
    module.load_state_dict(state)
    names, plan = module.node_names, result.plan
    with torch.no_grad():
        for node_id, gone in plan.removed.items():
            layer = module.node_module(node_id)
            layer.weight[gone] = 0
            if layer.bias is not None:
                layer.bias[gone] = 0
        for node_id, kind in plan.graph.kinds.items():
            if kind == "norm":
                layer = getattr(module, names[node_id])
                gone = [i for i in range(layer.num_features) if i not in plan.keep_in[node_id]]
                layer.weight[gone] = 0
                layer.bias[gone] = 0
    return module.eval()


def check_equivalent(spec: GraphSpec, ratio: float = 0.5, shape=(1, 8, 8), **kw):
    module = trained_like(spec)
    state = module.state_dict()
    result = prune_network(spec, state, ratio, **kw)
    assert analyze(result.spec).ok
    pruned = compile_graph(result.spec)
    pruned.load_state_dict(result.state, strict=True)
    pruned.eval()
    x = torch.randn(7, *shape)
    with torch.no_grad():
        want, got, plain = zeroed(spec, state, result)(x), pruned(x), module(x)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(got, plain, atol=1e-3)  # channels really went
    assert result.after["params"] < result.before["params"]
    assert result.after["macs"] < result.before["macs"]
    return result


def conv(out: int, **kw) -> dict:
    return {"out_channels": out, "kernel_size": 3, "padding": 1, **kw}


IO = [("input", "Input", {"shape": [1, 8, 8]}), ("output", "Output", {"num_classes": 3})]


def test_conv_bn_conv_chain_and_flatten_into_linear():
    spec = graph(IO + [("c1", "Conv2d", conv(8)), ("bn1", "BatchNorm2d", {}),
                       ("r1", "ReLU", {}), ("c2", "Conv2d", conv(6, in_channels=8)),
                       ("bn2", "BatchNorm2d", {}), ("r2", "ReLU", {}),
                       ("pool", "MaxPool2d", {}), ("flat", "Flatten", {}),
                       ("fc1", "Linear", {"out_features": 10}), ("r3", "ReLU", {}),
                       ("fc2", "Linear", {"out_features": 3})],
                 [("input", "c1"), ("c1", "bn1"), ("bn1", "r1"), ("r1", "c2"), ("c2", "bn2"),
                  ("bn2", "r2"), ("r2", "pool"), ("pool", "flat"), ("flat", "fc1"),
                  ("fc1", "r3"), ("r3", "fc2"), ("fc2", "output")])
    result = check_equivalent(spec)
    widths = {n.id: n.params for n in result.spec.nodes}
    assert widths["c1"]["out_channels"] == 4 and widths["c2"]["out_channels"] == 3
    assert widths["c2"]["in_channels"] == 4            # a stated input width follows
    assert widths["fc1"]["out_features"] == 5
    assert widths["fc2"]["out_features"] == 3          # the layer feeding the Output stays
    # Flatten maps indices: fc1 keeps 3 channels x 16 positions of its 96 inputs
    assert len(result.plan.keep_in["fc1"]) == 3 * 16
    assert result.state["fc1.weight"].shape == (5, 48)
    assert result.state["bn1.running_var"].shape == (4,)


def test_residual_add_prunes_the_same_channels_in_every_branch():
    spec = load_project(find_example("resnet_small")).graph
    result = check_equivalent(spec)
    removed = result.plan.removed
    assert removed["stem"] == removed["b1_conv2"] == removed["b2_conv2"]
    assert len(removed["stem"]) == 8 and removed["b1_conv1"] != []
    groups = {tuple(g["layers"]): g for g in result.plan.groups_report()}
    assert groups[("stem", "b1_conv2", "b2_conv2")]["kept"] == 8
    assert groups[("fc",)]["prunable"] == 0


def test_concat_on_channels_maps_indices_and_on_another_axis_joins():
    nodes = IO + [("a", "Conv2d", conv(4)), ("b", "Conv2d", conv(6)),
                  ("cat", "Concat", {"num_inputs": 2, "dim": 1}), ("r", "ReLU", {}),
                  ("c", "Conv2d", conv(5)), ("gap", "AdaptiveAvgPool2d", {}),
                  ("flat", "Flatten", {}), ("fc", "Linear", {"out_features": 3})]
    edges = [("input", "a"), ("input", "b"), ("a", "cat", "in0"), ("b", "cat", "in1"),
             ("cat", "r"), ("r", "c"), ("c", "gap"), ("gap", "flat"), ("flat", "fc"),
             ("fc", "output")]
    result = check_equivalent(graph(nodes, edges))
    keep_a, keep_b = result.plan.keep["a"], result.plan.keep["b"]
    assert (len(keep_a), len(keep_b)) == (2, 3)
    assert result.plan.keep_in["c"] == keep_a + [4 + i for i in keep_b]
    # along the height, the same channel of both inputs is one unit (like Add)
    nodes[3] = ("b", "Conv2d", conv(4))
    nodes[4] = ("cat", "Concat", {"num_inputs": 2, "dim": 2})
    result = check_equivalent(graph(nodes, edges), shape=(1, 8, 8))
    assert result.plan.removed["a"] == result.plan.removed["b"]


def test_l1_and_l2_remove_the_smallest_filters():
    spec = graph(IO + [("c1", "Conv2d", conv(4)), ("r", "ReLU", {}), ("flat", "Flatten", {}),
                       ("fc", "Linear", {"out_features": 3})],
                 [("input", "c1"), ("c1", "r"), ("r", "flat"), ("flat", "fc"),
                  ("fc", "output")])
    state = compile_graph(spec).state_dict()
    weight = torch.zeros(4, 1, 3, 3)
    weight[0, 0, 0, :] = torch.tensor([3.0, 0, 0])     # L1 3, L2 3
    weight[1, 0, 0, :] = torch.tensor([1.0, 1, 1])     # L1 3... but L2 1.73
    weight[1, 0, 1, 0] = 0.5                           # L1 3.5, L2 1.80
    weight[2] = 10.0
    weight[3, 0, 0, 0] = 0.1
    state["c1.weight"] = weight
    assert prune_network(spec, state, 0.5, "l1").plan.removed["c1"] == [0, 3]
    assert prune_network(spec, state, 0.5, "l2").plan.removed["c1"] == [1, 3]
    grads = {k: torch.zeros_like(v) for k, v in state.items()}
    grads["c1.weight"][0] = 1.0                        # only filter 0 matters to the loss
    grads["c1.weight"][2] = 1.0
    assert prune_network(spec, state, 0.5, "taylor", grads=grads).plan.removed["c1"] == [1, 3]


def test_global_scope_removes_the_ratio_of_all_units_unevenly():
    spec = load_project(find_example("resnet_small")).graph
    state = trained_like(spec).state_dict()
    with torch.no_grad():
        state["b1_conv1.weight"][:12] *= 0.01   # b1_conv1 mostly unimportant
    result = prune_network(spec, state, 0.5, scope="global")
    kept = {g["layers"][0]: g["kept"] for g in result.plan.groups_report()}
    assert sum(16 - kept[k] for k in ("stem", "b1_conv1", "b2_conv1")) == 24
    assert kept["b1_conv1"] <= 4 < kept["b2_conv1"]
    check_equivalent(spec, scope="global")


@pytest.mark.parametrize("ratio, method, scope, message", [
    (1.0, "l1", "layer", "would remove every one of the 8 channels of layer 'c1'"),
    (0.97, "l1", "layer", "would remove every one"),
    (0.0, "l1", "layer", "in (0, 1], found 0.0"),
    (1.5, "l1", "layer", "in (0, 1], found 1.5"),
    (0.5, "l3", "layer", "one of l1, l2, taylor, found 'l3'"),
    (0.5, "l1", "net", "one of layer, global, found 'net'"),
    (0.5, "taylor", "layer", "needs gradients"),
])
def test_refusals_name_what_was_expected(ratio, method, scope, message):
    spec = graph(IO + [("c1", "Conv2d", conv(8)), ("flat", "Flatten", {}),
                       ("fc", "Linear", {"out_features": 3})],
                 [("input", "c1"), ("c1", "flat"), ("flat", "fc"), ("fc", "output")])
    with pytest.raises(CompressError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        prune_network(spec, compile_graph(spec).state_dict(), ratio, method, scope)


def test_nothing_to_prune_when_only_the_head_and_untracked_layers_have_channels():
    spec = graph([("input", "Input", {"shape": [6]}), ("ln", "LayerNorm", {}),
                  ("fc", "Linear", {"out_features": 3}),
                  ("output", "Output", {"num_classes": 3})],
                 [("input", "ln"), ("ln", "fc"), ("fc", "output")])
    with pytest.raises(CompressError, match="nothing to prune"):
        prune_network(spec, compile_graph(spec).state_dict(), 0.5)


def test_layers_pruning_cannot_see_through_keep_their_inputs():
    spec = graph([("input", "Input", {"shape": [6]}), ("fc1", "Linear", {"out_features": 8}),
                  ("soft", "Softmax", {}), ("fc2", "Linear", {"out_features": 8}),
                  ("r", "ReLU", {}), ("fc3", "Linear", {"out_features": 3}),
                  ("output", "Output", {"num_classes": 3})],
                 [("input", "fc1"), ("fc1", "soft"), ("soft", "fc2"), ("fc2", "r"),
                  ("r", "fc3"), ("fc3", "output")])
    result = check_equivalent(spec, shape=(6,))
    assert result.plan.removed["fc1"] == []           # a Softmax over it: kept whole
    assert len(result.plan.removed["fc2"]) == 4


def test_a_filter_followed_by_batchnorm_is_measured_folded():
    spec = graph(IO + [("c1", "Conv2d", conv(4)), ("bn", "BatchNorm2d", {}), ("r", "ReLU", {}),
                       ("flat", "Flatten", {}), ("fc", "Linear", {"out_features": 3})],
                 [("input", "c1"), ("c1", "bn"), ("bn", "r"), ("r", "flat"), ("flat", "fc"),
                  ("fc", "output")])
    state = compile_graph(spec).state_dict()
    state["c1.weight"] = torch.ones(4, 1, 3, 3) * torch.tensor([1.0, 2, 3, 4]).view(4, 1, 1, 1)
    state["bn.weight"] = torch.tensor([1.0, 1, 0.01, 0.01])  # filters 2, 3 scaled to nothing
    assert prune_network(spec, state, 0.5).plan.removed["c1"] == [2, 3]
    state["bn.running_var"] = torch.tensor([1e4, 1e4, 1e-4, 1e-4])  # ... and back up
    assert prune_network(spec, state, 0.5).plan.removed["c1"] == [0, 1]
