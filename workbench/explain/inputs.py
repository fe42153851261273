"""A run's validation inputs as a person sees them: raw CSV rows, displayable images, and
which model input columns belong to which CSV column.

The dataset a rebuilt run carries (``workbench.run_model.rebuild_run``) holds the ENCODED
inputs. The explain views need the other side too: :func:`val_raw_rows` gives the
raw cells ``load_dataset`` kept (``Dataset.row_columns``) so that raw row ``i`` is exactly the
row encoded as ``dataset.x_val[i]`` (a test checks that encoding the rows again gives
``x_val``); :func:`display_images` undoes the saved image standardization.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

INPUT_KINDS = ("image", "tabular", "tokens", "features")


def rebuild_for_explain(run_dir: Any, weights: Any = "best") -> Any:
    """``rebuild_run(run_dir, weights=weights, purpose="analysis")`` for an explanation, with
    the problems a person can fix (no run folder, no weights, changed data, an empty
    validation split, damaged files) as ExplainError."""
    from workbench.explain.cache import open_run, weights_path
    from workbench.explain.errors import ExplainError
    from workbench.run_model import DataChangedError, rebuild_run

    run = open_run(run_dir)
    weights_path(run, weights)  # ExplainError when the run has no such weights
    try:
        rebuilt = rebuild_run(run, weights=weights, purpose="analysis")
    except DataChangedError as exc:
        raise ExplainError(str(exc)) from exc
    except (FileNotFoundError, ValueError, KeyError) as exc:  # data gone, bad files
        raise ExplainError(f"run '{run.path.name}' cannot be rebuilt for analysis: "
                           f"{exc}") from exc
    if len(rebuilt.dataset.x_val) == 0:
        raise ExplainError(f"run '{run.path.name}': explanations use the validation split, "
                           f"and it is empty (val_fraction "
                           f"{run.config['dataset'].get('val_fraction')}); expected at least "
                           f"one validation sample")
    return rebuilt


def input_kind_of(dataset: Any) -> str:
    """"tabular" (CSV columns), "tokens" (int64 ids), "image" (N x C x H x W floats) or
    "features" (any other float vectors) for a loaded dataset."""
    pre = getattr(dataset, "preprocessing", None) or {}
    if pre.get("kind") == "tabular":
        return "tabular"
    if str(getattr(dataset, "input_dtype", "float32")) == "int64":
        return "tokens"
    if len(tuple(dataset.input_shape)) == 3:
        return "image"
    return "features"


def feature_names_of(dataset: Any) -> list[str]:
    """One name per model input column of a flat input: the saved tabular ``feature_names``,
    else ``x0``, ``x1``, …"""
    pre = getattr(dataset, "preprocessing", None) or {}
    names = pre.get("feature_names")
    width = int(np.prod(dataset.input_shape)) if dataset.input_shape else 0
    if isinstance(names, list) and len(names) == width:
        return [str(n) for n in names]
    return [f"x{i}" for i in range(width)]


def tabular_column_groups(pre: Mapping[str, Any]) -> list[tuple[str, list[int]]]:
    """(CSV column, the model input columns it became) in input order: a numeric column and
    its "<name>_missing" indicator, or all the one-hot columns of a categorical column."""
    groups: list[tuple[str, list[int]]] = []
    at = 0
    for spec in pre.get("columns", []):
        if spec.get("type") == "numeric":
            width = 2 if spec.get("indicator") else 1
        else:
            width = len(spec.get("categories", []))
        groups.append((str(spec["name"]), list(range(at, at + width))))
        at += width
    return groups


def val_raw_rows(dataset: Any) -> list[dict[str, Any]]:
    """The validation split's rows as read from the file, {column: raw cell}, in the order of
    ``dataset.x_val`` (``Dataset.row_columns``: the input columns and those kept out of the
    inputs), with the target column added: its class name (classification) or its value in
    the target's own units (regression). [] for data without CSV columns."""
    columns = (getattr(dataset, "row_columns", None) or {}).get("val") or {}
    if not columns:
        return []
    pre = dataset.preprocessing or {}
    target = str(pre.get("target") or (dataset.class_names[0] if dataset.class_names
                                       else "target"))
    y = np.asarray(dataset.y_val)
    if dataset.task == "regression":
        scaling = pre.get("target_scaling") or {}
        mean, std = float(scaling.get("mean", 0.0)), float(scaling.get("std", 1.0))
        # float32 targets carry about 7 significant digits: no more are shown
        labels: list[Any] = [float(f"{float(v) * std + mean:.7g}")
                             for v in y.reshape(len(y), -1)[:, 0]]
    else:
        labels = [str(dataset.class_names[int(v)]) for v in y]
    return [{**{name: _plain(values[i]) for name, values in columns.items()}, target: label}
            for i, label in enumerate(labels)]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON writes."""
    return value.item() if isinstance(value, np.generic) else value


def display_images(pre: Mapping[str, Any], x: np.ndarray) -> np.ndarray:
    """Model inputs (N x C x H x W) as float32 values in [0, 1] for showing: the saved image
    standardization undone (its ``scale`` maps raw pixels to [0, 1]); other inputs are
    stretched per image to [0, 1]."""
    x = np.asarray(x, dtype=np.float64)
    if pre.get("kind") == "image" and x.ndim == 4:
        mean = np.asarray(pre["mean"], dtype=np.float64).reshape(1, -1, 1, 1)
        std = np.asarray(pre["std"], dtype=np.float64).reshape(1, -1, 1, 1)
        return np.clip(x * std + mean, 0.0, 1.0).astype(np.float32)
    if pre.get("kind") == "standardize":
        mean = np.asarray(pre["mean"], dtype=np.float64)
        std = np.asarray(pre["std"], dtype=np.float64)
        x = (x.reshape(len(x), -1) * std + mean).reshape(x.shape)
    flat = x.reshape(len(x), -1)
    lo = flat.min(axis=1, keepdims=True) if flat.size else flat
    span = (flat.max(axis=1, keepdims=True) - lo) if flat.size else flat
    span = np.where(span > 0, span, 1.0)
    return ((flat - lo) / span).reshape(x.shape).astype(np.float32)
