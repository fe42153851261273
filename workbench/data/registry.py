"""Datasets by name: load, split (seeded, stratified) and preprocess (fitted on train only)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.data.dataset import Dataset, DatasetSpec
from workbench.data.errors import DataError

Loader = Callable[[dict[str, Any]], Any]

# name -> "module:function", imported on first use so listing datasets stays cheap.
_BUILTIN: dict[str, str] = {
    "digits": "workbench.data.builtin:load_digits",
    "digits_images": "workbench.data.builtin:load_digits_images",
    "iris": "workbench.data.builtin:load_iris",
    "wine": "workbench.data.builtin:load_wine",
    "breast_cancer": "workbench.data.builtin:load_breast_cancer",
    "moons": "workbench.data.synthetic:load_moons",
    "circles": "workbench.data.synthetic:load_circles",
    "spirals": "workbench.data.synthetic:load_spirals",
    "xor": "workbench.data.synthetic:load_xor",
    "blobs": "workbench.data.synthetic:load_blobs",
    "sequence": "workbench.data.sequence:load_sequence",
    "csv": "workbench.data.csv_loader:load_csv",
    "image_folder": "workbench.data.image_folder:load_image_folder",
    "npz": "workbench.data.npz_loader:load_npz",
}
_REGISTERED: dict[str, Loader] = {}
_FILE_BASED = {"csv", "image_folder", "npz"}

# Cheap answers for the GUI's dataset selector: (input shape, dtype, classes).
_KNOWN_INFO: dict[str, tuple[tuple[int, ...], str, int]] = {
    "digits": ((64,), "float32", 10), "digits_images": ((1, 8, 8), "float32", 10),
    "iris": ((4,), "float32", 3), "wine": ((13,), "float32", 3),
    "breast_cancer": ((30,), "float32", 2), "moons": ((2,), "float32", 2),
    "circles": ((2,), "float32", 2), "xor": ((2,), "float32", 2),
}


def register_dataset(name: str, loader: Loader) -> None:
    """Add a dataset (plugins use this). ``loader(options) -> RawData``."""
    _REGISTERED[name] = loader


def list_datasets() -> list[str]:
    return sorted(set(_BUILTIN) | set(_REGISTERED))


def needs_file(name: str) -> bool:
    """True for datasets that read a user's file or folder (option 'path')."""
    return name in _FILE_BASED


def _loader(name: str) -> Loader:
    if name in _REGISTERED:
        return _REGISTERED[name]
    if name not in _BUILTIN:
        raise DataError(f"unknown dataset '{name}'; known: {', '.join(list_datasets())}")
    module, func = _BUILTIN[name].split(":")
    return getattr(importlib.import_module(module), func)


def _as_spec(spec: DatasetSpec | dict[str, Any]) -> DatasetSpec:
    return spec if isinstance(spec, DatasetSpec) else DatasetSpec.from_dict(spec)


def load_dataset(spec: DatasetSpec | dict[str, Any]) -> Dataset:
    """Load, split and preprocess. Raises DataError with a message for people."""
    from workbench.data.preprocessing import (
        apply_preprocessing,
        fit_image,
        fit_standardize,
        fit_tabular,
    )
    from workbench.data.splits import split_indices

    spec = _as_spec(spec)
    if not isinstance(spec.options, dict):
        raise DataError(f"dataset options must be an object, found {spec.options!r}")
    raw = _loader(spec.name)(spec.options)
    y = raw.y
    tr, va, te = split_indices(y, spec.val_fraction, spec.test_fraction, spec.split_seed,
                               spec.stratify)
    if len(tr) == 0:
        raise DataError(f"dataset '{spec.name}' has too few samples ({len(y)}) to split")
    if spec.val_fraction > 0 and len(va) == 0:
        raise DataError(
            f"dataset '{spec.name}' has {len(y)} samples; with val_fraction "
            f"{spec.val_fraction} the validation split is empty. Expected at least one "
            f"validation sample: add rows or raise val_fraction")
    if raw.prep == "tabular":
        pre = fit_tabular(raw.columns, raw.numeric, tr, raw.target)
        x = apply_preprocessing(pre, raw.columns)
    else:
        assert raw.x is not None
        if raw.prep == "standardize":
            pre = fit_standardize(raw.x[tr])
        elif raw.prep == "image":
            pre = fit_image(raw.x[tr], raw.scale)
        else:
            pre = {"kind": "none"}
        x = apply_preprocessing(pre, raw.x)
    x = x.astype(np.int64 if raw.input_dtype == "int64" else np.float32)
    pre = {**pre, **({"vocab_size": raw.extra["vocab_size"]} if "vocab_size" in raw.extra
                     else {})}
    return Dataset(x_train=x[tr], y_train=y[tr], x_val=x[va], y_val=y[va], x_test=x[te],
                   y_test=y[te], input_shape=tuple(int(d) for d in x.shape[1:]),
                   input_dtype=raw.input_dtype, num_classes=len(raw.class_names),
                   class_names=list(raw.class_names), preprocessing=pre, name=spec.name)


def dataset_info(spec: DatasetSpec | dict[str, Any]) -> tuple[tuple[int, ...], str, int]:
    """(input shape, input dtype, number of classes); cheap for the built-in sets."""
    spec = _as_spec(spec)
    options = spec.options or {}
    if spec.name in _KNOWN_INFO and not options:
        return _KNOWN_INFO[spec.name]
    if spec.name == "sequence":
        from workbench.data.raw import int_option

        return (int_option(options, "seq_len", 12, 3, 1000),), "int64", 2
    if spec.name in ("spirals", "blobs"):
        from workbench.data.raw import int_option

        k = int_option(options, "n_classes", 3, 2, 50)
        d = int_option(options, "n_features", 2, 1, 1000) if spec.name == "blobs" else 2
        return (d,), "float32", k
    data = load_dataset(spec)
    return data.input_shape, data.input_dtype, data.num_classes
