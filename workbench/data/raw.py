"""What a loader returns before splitting and preprocessing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class RawData:
    """Unsplit data. ``prep`` says how to preprocess: "standardize", "image", "none", "tabular".

    For "tabular", ``x`` is None and ``columns`` holds the feature columns as strings, with
    ``numeric`` naming the numeric ones; for "image", ``x`` is N x C x H x W raw pixels and
    ``scale`` maps them to [0, 1]. ``task`` is "classification" (``y`` int64 class indices)
    or "regression" (``y`` the raw float target, standardized later by load_dataset).
    ``report`` says what the loader decided for the person (see workbench.data.load_report).
    """

    x: np.ndarray | None
    y: np.ndarray
    class_names: list[str]
    prep: str = "standardize"
    input_dtype: str = "float32"
    scale: float = 1.0
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    numeric: list[str] = field(default_factory=list)
    target: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    task: str = "classification"
    report: dict[str, Any] = field(default_factory=dict)  # what the loader decided (csv)


def int_option(options: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer option in [low, high], or a DataError naming it."""
    from workbench.data.errors import DataError

    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise DataError(f"option '{name}' must be an integer, found {value!r}")
    if not low <= int(value) <= high:
        raise DataError(f"option '{name}' must be between {low} and {high}, found {value}")
    return int(value)


def float_option(options: dict[str, Any], name: str, default: float, low: float,
                 high: float) -> float:
    """A number option in [low, high], or a DataError naming it."""
    from workbench.data.errors import DataError

    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(f"option '{name}' must be a number, found {value!r}")
    if not low <= float(value) <= high:
        raise DataError(f"option '{name}' must be between {low} and {high}, found {value}")
    return float(value)
