"""DatasetSpec (what to load, JSON-able) and Dataset (loaded, split, preprocessed arrays)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from workbench.data.errors import DataError


@dataclass
class DatasetSpec:
    """Which dataset, with which options and split; lives in project files and run configs."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    split_seed: int = 0
    stratify: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetSpec:
        if not isinstance(data, dict) or not data.get("name"):
            raise DataError(f"dataset settings need a 'name', found {data!r}")
        known = {"name", "options", "val_fraction", "test_fraction", "split_seed", "stratify"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DataError(f"unknown dataset setting(s) {', '.join(unknown)}; expected "
                            f"{', '.join(sorted(known))}")
        options = data.get("options")
        if options is not None and not isinstance(options, dict):
            raise DataError(f"dataset 'options' must be an object of option: value, found "
                            f"{type(options).__name__} {options!r:.60}")
        spec = cls(**{k: v for k, v in data.items() if k in known})
        spec.options = dict(spec.options or {})
        return spec


@dataclass
class Dataset:
    """Arrays ready for training. Features/images float32, token ids int64, labels int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    input_shape: tuple[int, ...]
    input_dtype: str
    num_classes: int
    class_names: list[str]
    preprocessing: dict[str, Any] = field(default_factory=lambda: {"kind": "none"})
    task: str = "classification"
    name: str = ""
    # What loading decided and found (target, task, delimiter, rows dropped, cells imputed…),
    # JSON; shown by the CLI, saved in the run's config.json, previewed by the app.
    load_report: dict[str, Any] = field(default_factory=dict)
    # CSV data only: split ("train", "val", "test") -> column -> the raw cells as strings, row
    # for row aligned with that split's x and y; the model's input columns and the ones kept
    # out of its inputs (option 'exclude'). Empty for other data.
    row_columns: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def split(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of 'train', 'val' or 'test'."""
        if which not in ("train", "val", "test"):
            raise ValueError(f"split must be 'train', 'val' or 'test', found {which!r}")
        return getattr(self, f"x_{which}"), getattr(self, f"y_{which}")

    def class_counts(self, which: str = "train") -> dict[str, int]:
        """How many samples of each class the split holds ({} for a regression target)."""
        _, y = self.split(which)
        if self.task == "regression":
            return {}
        counts = np.bincount(y, minlength=self.num_classes)
        return {name: int(c) for name, c in zip(self.class_names, counts)}
