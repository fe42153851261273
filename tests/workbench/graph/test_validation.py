"""Each kind of structural problem appears on the right node with a message that says what
was expected and what was found."""

from __future__ import annotations

import pytest

from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node
from workbench.graph.templates import chain, mlp
from workbench.graph.validation import GraphError, Problem, check_structure


def problems(spec: GraphSpec, severity: str = "error") -> list[tuple[str | None, str]]:
    return [(p.node_id, p.message) for p in analyze(spec).problems if p.severity == severity]


def simple() -> GraphSpec:
    return chain("s", ("input", "Input", {"shape": [4]}), ("fc1", "Linear", {"out_features": 3}),
                 ("output", "Output", {"num_classes": 3}))


def test_valid_graph_has_no_problems() -> None:
    analysis = analyze(simple())
    assert analysis.ok and analysis.problems == []
    assert analysis.order == ["input", "fc1", "output"]


def test_cycle_is_reported_on_each_node_in_it() -> None:
    spec = chain("c", ("input", "Input", {"shape": [4]}), ("fc1", "Linear", {"out_features": 4}),
                 ("add", "Add", {}), ("relu", "ReLU", {}), ("output", "Output", {}))
    spec.edges = [Edge("input", "fc1"), Edge("fc1", "add", dst_port="in0"),
                  Edge("relu", "add", dst_port="in1"), Edge("add", "relu"),
                  Edge("relu", "output")]
    found = problems(spec)
    assert ("add", "Add 'add' is part of a cycle (add -> relu -> add); data must flow one way "
                   "from Input to Output") in found
    assert ("relu", "ReLU 'relu' is part of a cycle (relu -> add -> relu); data must flow one "
                    "way from Input to Output") in found
    assert {n for n, _ in found} == {"add", "relu"}
    assert "add" not in analyze(spec).order


def test_self_loop_is_a_cycle() -> None:
    spec = simple()
    spec.nodes.insert(2, Node("relu", "ReLU"))
    spec.edges = [Edge("input", "fc1"), Edge("relu", "relu"), Edge("fc1", "output")]
    assert ("relu", "ReLU 'relu' is part of a cycle (relu -> relu); data must flow one way "
                    "from Input to Output") in problems(spec)


def test_unconnected_inputs_name_the_port() -> None:
    spec = simple()
    spec.nodes.append(Node("add", "Add", {"num_inputs": 3}))
    spec.edges.append(Edge("fc1", "add", dst_port="in1"))
    spec.edges = [e for e in spec.edges if e.dst != "output"]
    found = problems(spec)
    assert ("add", "Add 'add' input 'in0' is not connected") in found
    assert ("add", "Add 'add' input 'in2' is not connected") in found
    assert ("output", "Output 'output' input is not connected") in found


def test_unknown_layer_type_suggests_a_close_name() -> None:
    spec = simple()
    spec.nodes[1].type = "Linaer"
    assert problems(spec) == [("fc1", "Node 'fc1' has unknown layer type 'Linaer' (did you "
                                      "mean 'Linear'?)")]


def test_duplicate_ids() -> None:
    spec = simple()
    spec.nodes.append(Node("fc1", "ReLU"))
    assert ("fc1", "2 nodes share the id 'fc1'; every node needs its own id") in problems(spec)


@pytest.mark.parametrize("kind", ["Input", "Output"])
def test_missing_input_or_output(kind: str) -> None:
    spec = simple()
    spec.nodes = [n for n in spec.nodes if n.type != kind]
    spec.edges = [e for e in spec.edges if e.src in {n.id for n in spec.nodes}
                  and e.dst in {n.id for n in spec.nodes}]
    messages = [m for node, m in problems(spec) if node is None]
    assert len(messages) == 1 and messages[0].startswith(f"The network has no {kind} node")


def test_second_input_and_output_are_errors_on_the_extra_node() -> None:
    spec = simple()
    spec.nodes += [Node("input2", "Input", {"shape": [4]}), Node("out2", "Output")]
    spec.edges.append(Edge("input2", "out2"))
    found = problems(spec)
    assert ("input2", "Input 'input2' is one of 2 Input nodes (input, input2); exactly one is "
                      "allowed") in found
    assert ("out2", "Output 'out2' is one of 2 Output nodes (output, out2); exactly one is "
                    "allowed") in found


def test_dangling_nodes_are_warnings_and_left_out() -> None:
    spec = simple()
    spec.nodes.append(Node("side", "Linear", {"out_features": 7}))
    spec.edges.append(Edge("input", "side"))
    analysis = analyze(spec)
    assert analysis.ok
    assert problems(spec, "warning") == [
        ("side", "Linear 'side' does not lead to the Output; it is left out of the model")]
    assert analysis.nodes["side"].params == 35
    assert analysis.total_params == 15
    assert "side" not in analysis.live


def test_bad_param_values_are_reported_and_stop_inference_on_that_node() -> None:
    spec = simple()
    spec.node("fc1").params["out_features"] = -2
    assert problems(spec) == [("fc1", "Linear 'fc1': 'out_features' must be an integer >= 1, "
                                      "found -2")]
    analysis = analyze(spec)
    assert analysis.nodes["fc1"].output_shape is None
    assert analysis.nodes["output"].output_shape is None


def test_unknown_params_are_a_warning() -> None:
    spec = simple()
    spec.node("fc1").params["units"] = 3
    assert analyze(spec).ok
    assert problems(spec, "warning") == [
        ("fc1", "Linear 'fc1': unknown parameter 'units' ignored (parameters: out_features, "
                "bias, in_features)")]


def test_edges_to_missing_nodes_and_ports() -> None:
    spec = simple()
    spec.edges += [Edge("fc1", "ghost"), Edge("fc1", "output", "out", "in3"),
                   Edge("output", "fc1", "out", "in")]
    found = problems(spec)
    assert ("fc1", "Edge from 'fc1' to 'ghost' refers to missing node 'ghost'") in found
    assert ("output", "Output 'output' has no input port 'in3' (input ports: in); it cannot "
                      "take the edge from 'fc1'") in found
    assert ("output", "Output 'output' has no output port 'out' (output ports: none)") in found


def test_two_edges_into_one_port() -> None:
    spec = simple()
    spec.edges.append(Edge("input", "output"))
    assert ("output", "Output 'output' input 'in' has two incoming edges (from 'fc1' and "
                      "'input'); an input takes exactly one") in problems(spec)


def test_check_structure_order_is_stable_and_topological() -> None:
    spec = mlp(hidden=(8, 8))
    spec.nodes.reverse()
    structure = check_structure(spec)
    assert structure.order[0] == "input" and structure.order[-1] == "output"
    position = {n: i for i, n in enumerate(structure.order)}
    assert all(position[e.src] < position[e.dst] for e in spec.edges)


def test_graph_error_lists_every_error() -> None:
    error = GraphError([Problem("a", "first thing"), Problem("b", "second thing"),
                        Problem("c", "only a warning", "warning")])
    assert str(error) == "the network has 2 problems:\n  - first thing\n  - second thing"
    assert isinstance(error, ValueError) and len(error.problems) == 3


def test_analyze_never_raises_on_garbage_params() -> None:
    spec = simple()
    spec.node("fc1").params = {"out_features": {"nested": [1, 2]}, "bias": None}
    spec.node("input").params = {"shape": "64"}
    analysis = analyze(spec)
    assert not analysis.ok
    assert {p.node_id for p in analysis.errors} == {"fc1", "input"}


def test_long_cycles_are_shortened_in_messages() -> None:
    spec = mlp(hidden=(8, 8, 8, 8))
    spec.edges = [e for e in spec.edges if e.dst != "fc1"] + [Edge("fc5", "fc1")]
    message = dict(problems(spec))["fc1"]
    assert message == ("Linear 'fc1' is part of a cycle (fc1 -> act1 -> fc2 -> ... (9 nodes) "
                       "-> fc5 -> fc1); data must flow one way from Input to Output")
