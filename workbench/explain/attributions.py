"""Per-sample attributions of a run's validation samples (issue 14), computed with captum.

:func:`compute_attributions` rebuilds the run (``workbench.run_model.rebuild_run``, its saved
preprocessing), explains the predicted class of chosen validation samples (regression: the
single output) and averages the maps per predicted class over up to ``samples`` validation
samples of each class. Results are cached in the run folder (:mod:`workbench.explain.cache`),
keyed by the arguments and the weights file's content. The methods themselves are in
:mod:`workbench.explain.attribution_methods`; which fit a model is decided here from the run's
saved config alone (no torch, no data): :func:`methods_for`, :func:`conv_layers`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from workbench.explain.cache import cached_artifact, open_run, store_artifact, weights_sha256
from workbench.explain.errors import ExplainCancelled, ExplainError
from workbench.explain.inputs import (
    display_images,
    feature_names_of,
    input_kind_of,
    rebuild_for_explain,
    tabular_column_groups,
)

METHODS = ("saliency", "ig", "gradcam", "occlusion", "ablation")
CACHE_NAME = "attributions"
_FITTING = {"image": ("saliency", "ig", "gradcam", "occlusion"),
            "tabular": ("saliency", "ig", "ablation"),
            "features": ("saliency", "ig", "ablation"),
            "tokens": ("ig",)}
_DIGITS = 6  # significant digits kept in the JSON


def input_kind(rebuilt: Any) -> str:
    """"image", "tabular", "tokens" or "features" for a rebuilt run (``RunForUse``) or a
    loaded dataset."""
    return input_kind_of(getattr(rebuilt, "dataset", None) or rebuilt)


def conv_layers(run_dir: str | Path) -> list[str]:
    """Graph node ids of the run's Conv2d layers that reach the output, in network order."""
    return [node.id for node in _live_nodes(run_dir) if node.type == "Conv2d"]


def methods_for(run_dir: str | Path) -> list[str]:
    """The methods of :data:`METHODS` that fit the run's model (Grad-CAM only with a conv
    layer, occlusion for images, ablation for tabular and other feature vectors)."""
    kind = _kind_from_config(run_dir)
    fitting = _FITTING[kind]
    if kind == "image" and not conv_layers(run_dir):
        fitting = tuple(m for m in fitting if m != "gradcam")
    return list(fitting)


def compute_attributions(run_dir: str | Path, method: str = "ig", samples: int = 8, *,
                         indices: Sequence[int] | None = None, layer: str | None = None,
                         weights: str = "best", steps: int = 32, noise_tunnel: bool = False,
                         progress: Callable[[int, int], None] | None = None,
                         cancel: Callable[[], bool] | None = None,
                         use_cache: bool = True) -> dict[str, Any]:
    """Attributions of validation samples for the predicted class (see the module docstring
    and docs/contracts.md for the result's shape). ExplainError for bad input, raised before
    anything is computed or written; ExplainCancelled when ``cancel()`` returns True."""
    run, layer = _check_arguments(run_dir, method, samples, steps, layer, noise_tunnel)
    weights_sha256(run, weights)  # ExplainError for a run without weights
    key = {"method": method, "samples": int(samples),
           "indices": None if indices is None else [int(i) for i in indices],
           "layer": layer, "steps": int(steps), "noise_tunnel": bool(noise_tunnel),
           "weights": str(weights)}
    if use_cache:
        found = cached_artifact(run, CACHE_NAME, key, weights)
        if found is not None:
            return {**found, "cached": True}
    rebuilt = rebuild_for_explain(run, weights)
    kind = input_kind(rebuilt)
    result = _compute(rebuilt, kind, method, int(samples), indices, layer, int(steps),
                      bool(noise_tunnel), progress, cancel)
    result["weights"] = str(weights)
    store_artifact(run, CACHE_NAME, key, weights, result)
    return {**result, "cached": False}


def _check_arguments(run_dir: str | Path, method: str, samples: int, steps: int,
                     layer: str | None, noise_tunnel: bool) -> tuple[Any, str | None]:
    run = open_run(run_dir)
    if method not in METHODS:
        raise ExplainError(f"unknown attribution method {method!r}; expected one of "
                           f"{', '.join(METHODS)}")
    for name, value in (("samples", samples), ("steps", steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ExplainError(f"{name} must be a whole number >= 1; found {value!r}")
    kind = _kind_from_config(run.path)
    fitting = methods_for(run.path)
    if method not in fitting:
        convs = conv_layers(run.path)
        why = (f"Grad-CAM needs a Conv2d layer and this network has none (layers: "
               f"{', '.join(n.id for n in _live_nodes(run.path))})"
               if method == "gradcam" else f"'{method}' does not fit {kind} inputs")
        raise ExplainError(f"{why}; methods that fit this run: {', '.join(fitting)}"
                           + (f" (conv layers: {', '.join(convs)})" if convs else ""))
    if noise_tunnel and (method not in ("saliency", "ig") or kind == "tokens"):
        raise ExplainError(f"the noise tunnel (SmoothGrad) applies to saliency and ig on float "
                           f"inputs; found method '{method}' on {kind} inputs")
    if method != "gradcam":
        return run, None
    convs = conv_layers(run.path)
    if layer is None:
        return run, convs[-1]  # the last conv layer: the usual Grad-CAM choice
    if layer not in convs:
        raise ExplainError(f"layer {layer!r} is not a conv layer of this network; expected "
                           f"one of {', '.join(convs)}")
    return run, layer


def _compute(rebuilt: Any, kind: str, method: str, samples: int,
             indices: Sequence[int] | None, layer: str | None, steps: int, noise_tunnel: bool,
             progress: Callable[[int, int], None] | None,
             cancel: Callable[[], bool] | None) -> dict[str, Any]:
    import torch

    from workbench.explain.attribution_methods import Attributor, predictions

    data, module = rebuilt.dataset, rebuilt.module
    x_val, y_val = data.x_val, data.y_val
    shown = _shown(indices, samples, len(x_val))
    regression = rebuilt.task == "regression"
    outputs = predictions(module, x_val)
    predicted = np.zeros(len(x_val), dtype=np.int64) if regression else outputs.argmax(1)
    averaged = [] if regression else _per_class(predicted, samples, outputs.shape[1])
    units = list(dict.fromkeys([*shown, *averaged]))
    layer_module = _layer_module(module, kind, layer)
    attributor = Attributor(module, kind, method, layer_module=layer_module, steps=steps,
                            noise_tunnel=noise_tunnel)
    with torch.no_grad():
        one_dim = module(torch.as_tensor(x_val[:1])).dim() == 1
    maps: dict[int, np.ndarray] = {}
    started = time.perf_counter()
    for done, index in enumerate(units):
        if cancel is not None and cancel():
            raise ExplainCancelled(f"attributions cancelled after {done} of {len(units)} "
                                   f"samples")
        target = None if one_dim else int(predicted[index])
        maps[index] = attributor(torch.as_tensor(x_val[index:index + 1]), target)
        if progress is not None:
            progress(done + 1, len(units))
    seconds = (time.perf_counter() - started) / max(1, len(units))
    return _assemble(rebuilt, kind, method, layer, shown, averaged, maps, outputs, predicted,
                     y_val, x_val, seconds)


def _assemble(rebuilt: Any, kind: str, method: str, layer: str | None, shown: list[int],
              averaged: list[int], maps: dict[int, np.ndarray], outputs: np.ndarray,
              predicted: np.ndarray, y_val: np.ndarray, x_val: np.ndarray,
              seconds: float) -> dict[str, Any]:
    data = rebuilt.dataset
    pre = data.preprocessing or {}
    regression = rebuilt.task == "regression"
    names = rebuilt.class_names
    groups = tabular_column_groups(pre) if kind == "tabular" else []
    probabilities = None if regression else _softmax(outputs)
    result: dict[str, Any] = {"method": method, "input_kind": kind, "layer": layer,
                              "target": "predicted"}
    if kind in ("tabular", "features"):
        result["feature_names"] = feature_names_of(data)
    if kind == "tabular":
        result["columns"] = [name for name, _ in groups]
    images = display_images(pre, x_val[shown]) if kind == "image" and shown else None
    rows = []
    for at, index in enumerate(shown):
        sample: dict[str, Any] = {"index": int(index), "attribution": _plain(maps[index])}
        if regression:
            sample.update(true=_target_value(pre, y_val[index]),
                          predicted=_target_value(pre, outputs[index, 0]), probability=None)
        else:
            sample.update(true=_label(names, y_val[index]),
                          predicted=_label(names, predicted[index]),
                          probability=float(probabilities[index, predicted[index]]))
        if groups:
            sample["column_attribution"] = _plain(_column_sums(maps[index], groups))
        if kind == "tokens":
            sample["tokens"] = [int(t) for t in x_val[index]]
        if images is not None:
            sample["image"] = _plain(images[at])
        rows.append(sample)
    result["samples"] = rows
    if kind != "tokens":
        result["class_average"] = _class_average(maps, shown if regression else averaged,
                                                 predicted, names, regression)
    result["seconds_per_sample"] = float(seconds)
    return result


def _class_average(maps: dict[int, np.ndarray], indices: list[int], predicted: np.ndarray,
                   names: list[str], regression: bool) -> dict[str, Any]:
    """Mean map per predicted class ("all" for regression), over the given samples."""
    by_class: dict[str, list[np.ndarray]] = {}
    for index in indices:
        label = "all" if regression else _label(names, predicted[index])
        by_class.setdefault(label, []).append(maps[index])
    return {label: _plain(np.mean(found, axis=0)) for label, found in by_class.items()}


def _shown(indices: Sequence[int] | None, samples: int, count: int) -> list[int]:
    if count == 0:
        raise ExplainError("the run's validation split is empty: there is nothing to explain "
                           "(give the dataset a validation fraction > 0)")
    if indices is None:
        return list(range(min(samples, count)))
    chosen = []
    for index in indices:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or \
                not 0 <= int(index) < count:
            raise ExplainError(f"indices must be validation rows 0..{count - 1}; found "
                               f"{index!r}")
        chosen.append(int(index))
    if not chosen:
        raise ExplainError("indices is empty: expected at least one validation row")
    return list(dict.fromkeys(chosen))


def _per_class(predicted: np.ndarray, samples: int, classes: int) -> list[int]:
    """Up to ``samples`` validation rows per predicted class, in validation order."""
    picked: list[int] = []
    for label in range(classes):
        picked += [int(i) for i in np.flatnonzero(predicted == label)[:samples]]
    return sorted(picked)


def _layer_module(module: Any, kind: str, layer: str | None) -> Any:
    if kind == "tokens":
        embedding = next((n.id for n in module.spec.nodes
                          if n.type == "Embedding" and n.id in module.node_names), None)
        if embedding is None:
            raise ExplainError("token attributions need an Embedding layer; this network has "
                               "none")
        return module.node_module(embedding)
    return None if layer is None else module.node_module(layer)


def _kind_from_config(run_dir: str | Path) -> str:
    run = open_run(run_dir)
    config = run.config
    graph_input = next((n for n in _live_nodes(run.path) if n.type == "Input"), None)
    params = graph_input.params if graph_input is not None else {}
    probe = SimpleNamespace(preprocessing=config.get("preprocessing") or {},
                            input_dtype=params.get("dtype", "float32"),
                            input_shape=tuple(params.get("shape") or ()))
    return input_kind_of(probe)


def _live_nodes(run_dir: str | Path) -> list[Any]:
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec

    run = open_run(run_dir)
    try:
        spec = GraphSpec.from_dict(run.config["graph"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ExplainError(f"run '{run.path.name}' has no readable network in its config.json: "
                           f"{exc}") from exc
    live = analyze(spec).live
    return [spec.node(node_id) for node_id in live]


def _column_sums(values: np.ndarray, groups: list[tuple[str, list[int]]]) -> np.ndarray:
    return np.array([float(np.sum(values[cols])) for _, cols in groups])


def _softmax(outputs: np.ndarray) -> np.ndarray:
    from workbench.explain.attribution_methods import softmax

    return softmax(outputs)


def _label(names: list[str], value: Any) -> str:
    index = int(value)
    return names[index] if 0 <= index < len(names) else str(index)


def _target_value(pre: dict[str, Any], value: Any) -> float:
    """A regression value on the target's own scale (the saved standardization undone)."""
    scaling = pre.get("target_scaling") or {}
    return float(value) * float(scaling.get("std", 1.0)) + float(scaling.get("mean", 0.0))


def _plain(values: Any) -> Any:
    """An array as nested lists of floats with :data:`_DIGITS` significant digits."""
    array = np.asarray(values, dtype=np.float64)
    flat = np.array([float(f"{v:.{_DIGITS}g}") for v in array.ravel()])
    return flat.reshape(array.shape).tolist()
