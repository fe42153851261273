"""A suggested student: the teacher's network with every width scaled down (x 0.25 default)."""

from __future__ import annotations

from typing import Any

from workbench.compress.errors import CompressError

WIDTH_PARAMS = {"Linear": "out_features", "Conv1d": "out_channels", "Conv2d": "out_channels",
                "LSTM": "hidden_size", "GRU": "hidden_size", "RNN": "hidden_size"}


def smaller_copy(spec: Any, factor: float = 0.25) -> Any:
    """A copy of ``spec`` (a GraphSpec) whose Linear units, conv channels and recurrent hidden
    sizes are ``factor`` times the teacher's (at least 1); the layer feeding the Output keeps
    its width (the classes), grouped convolutions stay divisible by their groups.
    CompressError when the result does not validate."""
    from workbench.graph.shape_inference import analyze

    if not 0.0 < factor <= 1.0:
        raise CompressError(f"the width factor must be in (0, 1], found {factor}")
    small = spec.copy()
    outputs = {n.id for n in small.nodes if n.type == "Output"}
    heads = {e.src for e in small.edges if e.dst in outputs}
    for node in small.nodes:
        key = WIDTH_PARAMS.get(node.type)
        if key is None or node.id in heads or key not in node.params:
            continue
        width = max(1, round(int(node.params[key]) * factor))
        groups = int(node.params.get("groups", 1) or 1)
        if groups > 1:
            width = max(groups, width - width % groups)
        node.params = {**node.params, key: width}
    small.name = f"{spec.name or 'network'}-x{factor:g}"
    analysis = analyze(small)
    if not analysis.ok:
        problems = "; ".join(p.message for p in analysis.errors)
        raise CompressError(f"the teacher's network scaled to x{factor:g} widths does not "
                            f"validate ({problems}); give a student project instead")
    return small


def network_size(spec: Any) -> tuple[int, int]:
    """(parameters, MACs per sample) of a GraphSpec."""
    from workbench.graph.shape_inference import analyze

    analysis = analyze(spec)
    return int(analysis.total_params), int(analysis.total_macs)
