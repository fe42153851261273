"""Does the network fit its data? Checks on the actual arrays, before any training.

Shape inference (``analyze``) knows the dataset only by its input shape, dtype and class count;
these checks look at the values: token ids against an Embedding's ``num_embeddings`` (an
Embedding with 16 entries on token ids up to 19 would die mid-epoch with ``IndexError: index
out of range in self``), labels against the width of the classifier head, the arrays' dtype
against the Input, and NaN/Inf inputs. Each problem carries the id of the node to fix, so the
editor can badge it. No torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.graph.shape_inference import Analysis, analyze
from workbench.graph.spec import GraphSpec
from workbench.graph.validation import Problem

# layers that pass token ids through unchanged (so an Embedding after them sees the data's ids)
_ID_PRESERVING = {"Reshape", "Flatten"}


def check_data_fits(spec: GraphSpec, dataset: Any, analysis: Analysis | None = None
                    ) -> list[Problem]:
    """Problems (with node ids) where the dataset's values do not fit ``spec``; [] if none.

    ``dataset`` is a :class:`workbench.data.Dataset` (train, val and test arrays all checked).
    """
    analysis = analysis if analysis is not None else analyze(spec)
    name = getattr(dataset, "name", "") or "the dataset"
    label = f"dataset '{name}'" if name != "the dataset" else name
    xs = [a for a in (dataset.x_train, dataset.x_val, dataset.x_test) if a is not None and a.size]
    ys = [a for a in (dataset.y_train, dataset.y_val, dataset.y_test) if a is not None and a.size]
    problems: list[Problem] = []
    inputs = [n for n in spec.nodes if n.type == "Input"]
    for node in inputs:
        problems += _input_problems(node.id, node.params.get("dtype", "float32"), xs, label)
    if problems:
        return problems
    for node in inputs:
        if node.params.get("dtype") == "int64" and xs:
            problems += _token_problems(spec, node.id, xs, label)
    if getattr(dataset, "task", "classification") == "classification" and ys:
        problems += _label_problems(spec, analysis, ys, label)
    elif ys:
        problems += _target_problems(spec, ys, label)
    return problems


def _target_problems(spec: GraphSpec, ys: list[np.ndarray], label: str) -> list[Problem]:
    """Regression targets must be finite numbers (a NaN target makes every loss NaN)."""
    output = next((n for n in spec.nodes if n.type == "Output"), None)
    bad = sum(int(np.count_nonzero(~np.isfinite(y))) for y in ys
              if np.issubdtype(y.dtype, np.floating))
    if output is None or not bad:
        return []
    return [Problem(output.id, f"{label} has {bad:,} NaN/Inf target values; a regression "
                               f"needs a number for every sample: fill or drop them first")]


def _input_problems(node_id: str, dtype: str, xs: list[np.ndarray], label: str
                    ) -> list[Problem]:
    for x in xs:
        if dtype == "int64" and not np.issubdtype(x.dtype, np.integer):
            return [Problem(node_id, f"Input '{node_id}' takes int64 token ids, but {label} "
                                     f"holds {x.dtype} values")]
        if dtype != "int64" and not np.issubdtype(x.dtype, np.floating):
            return [Problem(node_id, f"Input '{node_id}' takes {dtype} values, but {label} "
                                     f"holds {x.dtype} values")]
    if dtype != "int64":
        from workbench.data.image_array import is_image_array

        # cached images are uint8 pixels: always finite (and never read whole here)
        bad = sum(int(np.count_nonzero(~np.isfinite(x))) for x in xs if not is_image_array(x))
        if bad:
            return [Problem(node_id, f"{label} has {bad:,} NaN/Inf input values; training "
                                     f"on them gives NaN: fill or drop them first")]
    return []


def _token_problems(spec: GraphSpec, input_id: str, xs: list[np.ndarray], label: str
                    ) -> list[Problem]:
    low = min(int(x.min()) for x in xs)
    high = max(int(x.max()) for x in xs)
    problems = []
    for node in _embeddings_fed_by(spec, input_id):
        entries = node.params.get("num_embeddings")
        if not isinstance(entries, int):
            continue
        if low < 0:
            problems.append(Problem(node.id, f"Embedding '{node.id}' looks up token ids from "
                                             f"0, but {label} has token ids down to {low}"))
        elif high >= entries:
            problems.append(Problem(node.id, (
                f"Embedding '{node.id}' has {entries} entries (token ids 0..{entries - 1}), "
                f"but {label} has token ids up to {high}: set num_embeddings to at least "
                f"{high + 1}")))
    return problems


def _embeddings_fed_by(spec: GraphSpec, input_id: str) -> list[Any]:
    by_id = {n.id: n for n in spec.nodes}
    found, frontier, seen = [], [input_id], {input_id}
    while frontier:
        current = frontier.pop()
        for edge in spec.edges:
            if edge.src != current or edge.dst in seen or edge.dst not in by_id:
                continue
            seen.add(edge.dst)
            node = by_id[edge.dst]
            if node.type == "Embedding":
                found.append(node)
            elif node.type in _ID_PRESERVING:
                frontier.append(node.id)
    return found


def _label_problems(spec: GraphSpec, analysis: Analysis, ys: list[np.ndarray], label: str
                    ) -> list[Problem]:
    output = next((n for n in spec.nodes if n.type == "Output"), None)
    if output is None:
        return []
    if not all(np.issubdtype(y.dtype, np.integer) for y in ys):
        return [Problem(output.id, f"{label} has non-integer labels "
                                   f"({next(y.dtype for y in ys)}) for a classifier")]
    shapes = [shape for key, shape in analysis.edge_shapes.items() if key[2] == output.id]
    if not shapes or not shapes[0]:
        return []
    width = int(shapes[0][-1])
    low = min(int(y.min()) for y in ys)
    high = max(int(y.max()) for y in ys)
    if low < 0:
        return [Problem(output.id, f"{label} has a negative class label ({low}); labels "
                                   f"must be 0..{width - 1}")]
    if high >= width:
        return [Problem(output.id, f"Output '{output.id}' receives {width} class scores, but "
                                   f"{label} has labels up to {high} ({high + 1} classes): "
                                   f"give the last layer {high + 1} outputs")]
    return []
