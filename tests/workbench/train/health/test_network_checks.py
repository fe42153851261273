from __future__ import annotations

import torch

from workbench.graph.compile import compile_graph
from workbench.graph.templates import mlp
from workbench.train.health import check_run, network_context

# a deep Sigmoid stack as measured: the gradient shrinks ~5-10x per layer toward the input
SIGMOID_NORMS = {"fc1": 1.2e-08, "fc2": 1.6e-08, "fc3": 3.9e-08, "fc4": 2.4e-07,
                 "fc5": 2.1e-06, "fc6": 1.4e-05, "fc7": 9.5e-05, "fc8": 7.3e-04,
                 "fc9": 4.4e-03, "fc10": 2.8e-02, "fc11": 1.6e-01}


def codes(findings):
    return {f.code for f in findings}


def test_deep_sigmoid_stack_is_one_vanishing_finding_and_never_exploding(history):
    context = network_context(compile_graph(mlp(16, (32,) * 10, 4, activation="Sigmoid")))
    h = history([1, .99], grad_norm=[SIGMOID_NORMS, SIGMOID_NORMS])
    (found,) = check_run(h, context)
    assert found.code == "vanishing_gradients"
    assert found.layers == ["fc1", "fc2", "fc3", "fc4", "fc5", "fc6", "fc7"]
    assert found.evidence["layer"] == "fc1" and "10 Sigmoid/Tanh" in found.explanation


def test_vanishing_uses_the_layers_after_not_a_median(history):
    # the old median rule called fc10 and fc11 'exploding' here (the median is ~1e-5)
    h = history([1, .99], grad_norm=[SIGMOID_NORMS, SIGMOID_NORMS])
    assert codes(check_run(h, {})) == {"vanishing_gradients"}
    # a small output-layer gradient makes no layer vanish, nor (all below 1) explode
    shrinking_head = {"fc1": 1.0, "fc2": 1.0, "fc3": 1e-5}
    assert check_run(history([1, .5], grad_norm=[shrinking_head] * 2), {}) == []


def test_exploding_toward_the_input_and_over_time(history):
    growing_back = {"fc1": 5e5, "fc2": 2e2, "fc3": 1.0}
    (found,) = check_run(history([1, .9], grad_norm=[growing_back] * 2), {})
    assert found.code == "exploding_gradients" and found.layers == ["fc1"]
    growing = [{"a": 0.01, "b": 0.01}, {"a": 0.1, "b": 0.01}, {"a": 5.0, "b": 0.02}]
    (found,) = check_run(history([1, .9, .8], grad_norm=growing), {})
    assert found.code == "exploding_gradients" and "grew 500x" in found.explanation
    assert found.layers == ["a"]


def test_gradients_ordered_by_the_network_not_the_dict(history):
    norms = {"fc2": 1.0, "fc1": 1e-6}  # dict order reversed; the network says fc1 comes first
    context = {"layer_order": ["input", "fc1", "act1", "fc2", "output"]}
    (found,) = check_run(history([1, .9], grad_norm=[norms] * 2), context)
    assert found.code == "vanishing_gradients" and found.layers == ["fc1"]


def test_dead_units_one_finding_for_all_dead_layers(history):
    h = history([1, .5], dead_fraction=[{"act1": 0.0}, {"act1": 0.45, "act2": 0.3,
                                                        "act3": 0.9}])
    h[-1]["train_accuracy"] = 0.6
    (found,) = check_run(h, {})
    assert found.code == "dead_relu" and found.layers == ["act1", "act3"]
    assert found.severity == "error"  # 90% dead
    assert "45% of the units after 'act1' and 90% after 'act3'" in found.explanation
    # a network that still fits its training data gets a note, not an alarm
    h[-1]["train_accuracy"] = 0.99
    (note,) = check_run(h, {})
    assert note.severity == "info" and "still fits its training data (99%" in note.explanation
    # a healthy deep ReLU net was measured with up to 30% of a layer silent: no finding
    assert check_run(history([1, .5], dead_fraction=[{}, {"act1": 0.3}]), {}) == []


def test_network_context_of_a_graph_and_of_a_plain_module():
    context = network_context(compile_graph(mlp(4, (8,), 2, activation="Tanh")))
    assert context["layer_order"] == ["input", "fc1", "act1", "fc2", "output"]
    assert context["layer_types"]["act1"] == "Tanh"
    plain = network_context(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()))
    assert plain == {"layer_order": ["0", "1"], "layer_types": {"0": "Linear", "1": "ReLU"}}
