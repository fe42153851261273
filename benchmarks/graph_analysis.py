"""How long ``analyze()`` takes on large graphs (the editor re-runs it on every edit).

Run: ``python benchmarks/graph_analysis.py``. Builds residual networks of about 100 and 300
nodes (Conv2d / BatchNorm2d / ReLU / Add blocks, then a classifier head) and prints the median
milliseconds per analyze() call next to the 200 ms interactive budget.
"""

from __future__ import annotations

import statistics
import time

from workbench.graph.shape_inference import analyze
from workbench.graph.spec import Edge, GraphSpec, Node

BUDGET_MS = 200.0


def residual_graph(target_nodes: int) -> GraphSpec:
    """A ResNet-style graph with about ``target_nodes`` nodes (6 per residual block)."""
    nodes = [Node("input", "Input", {"shape": [3, 16, 16]}),
             Node("stem", "Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1})]
    edges = [Edge("input", "stem")]
    previous, block = "stem", 0
    while len(nodes) + 6 + 4 <= target_nodes:
        block += 1
        p = f"b{block}_"
        ids = [p + "conv1", p + "bn1", p + "relu1", p + "conv2", p + "bn2"]
        nodes += [Node(ids[0], "Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
                  Node(ids[1], "BatchNorm2d"), Node(ids[2], "ReLU"),
                  Node(ids[3], "Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
                  Node(ids[4], "BatchNorm2d"), Node(p + "add", "Add", {"num_inputs": 2})]
        edges += [Edge(previous, ids[0])] + [Edge(a, b) for a, b in zip(ids, ids[1:], strict=False)]
        edges += [Edge(ids[4], p + "add", dst_port="in0"),
                  Edge(previous, p + "add", dst_port="in1")]
        previous = p + "add"
    while len(nodes) + 4 < target_nodes:
        relu = f"extra_relu{len(nodes)}"
        nodes.append(Node(relu, "ReLU"))
        edges.append(Edge(previous, relu))
        previous = relu
    nodes += [Node("gap", "AdaptiveAvgPool2d"), Node("flatten", "Flatten"),
              Node("fc", "Linear", {"out_features": 10}), Node("output", "Output",
                                                               {"num_classes": 10})]
    edges += [Edge(previous, "gap"), Edge("gap", "flatten"), Edge("flatten", "fc"),
              Edge("fc", "output")]
    return GraphSpec(nodes, edges, f"resnet_{len(nodes)}")


def time_analyze(spec: GraphSpec, repeats: int = 30) -> float:
    analyze(spec)  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        analysis = analyze(spec)
        samples.append((time.perf_counter() - start) * 1000.0)
    assert analysis.ok, analysis.problems
    return statistics.median(samples)


def main() -> None:
    print(f"{'graph':<14}{'nodes':>7}{'edges':>7}{'ms/analyze':>13}{'budget ratio':>15}")
    for target in (100, 300):
        spec = residual_graph(target)
        ms = time_analyze(spec)
        print(f"{spec.name:<14}{len(spec.nodes):>7}{len(spec.edges):>7}{ms:>13.2f}"
              f"{ms / BUDGET_MS:>14.3f}x")


if __name__ == "__main__":
    main()
