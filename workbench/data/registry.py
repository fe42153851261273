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
    "mnist_5k": "workbench.data.builtin:load_mnist_5k",
    "mnist1d": "workbench.data.mnist1d:load_mnist1d",
    "colour_shapes": "workbench.data.colour_shapes:load_colour_shapes",
    "iris": "workbench.data.builtin:load_iris",
    "wine": "workbench.data.builtin:load_wine",
    "breast_cancer": "workbench.data.builtin:load_breast_cancer",
    "diabetes": "workbench.data.builtin:load_diabetes",
    "noisy_linear": "workbench.data.synthetic:load_noisy_linear",
    "noisy_sine": "workbench.data.synthetic:load_noisy_sine",
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
    "diabetes": ((10,), "float32", 1), "noisy_linear": ((5,), "float32", 1),
    "noisy_sine": ((1,), "float32", 1),
    "mnist_5k": ((1, 28, 28), "float32", 10), "mnist1d": ((40,), "float32", 10),
    "colour_shapes": ((3, 32, 32), "float32", 10),
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


def load_dataset(spec: DatasetSpec | dict[str, Any],
                 preprocessing: dict[str, Any] | None = None, *, progress: Any = None,
                 cancel: Any = None) -> Dataset:
    """Load, split and preprocess. Raises DataError with a message for people.

    With ``preprocessing`` (a dict saved with a run), that preprocessing is applied as it is,
    never re-fitted, so a run's model sees exactly the inputs it was trained on; the splits are
    the same either way (they depend only on the spec).

    ``progress`` (called with :class:`workbench.data.image_cache.Progress`) and ``cancel``
    (returns True to stop) reach loaders that decode or generate for a while (image folders,
    large generated image sets); their splits are lazy :class:`ImageArray` views of a uint8
    cache on disk, converted to float32 per batch.
    """
    from workbench.data.image_array import is_image_array, take_rows
    from workbench.data.load_report import complete_report
    from workbench.data.preprocessing import apply_preprocessing
    from workbench.data.splits import split_indices
    from workbench.data.subsets import split_subset_options, train_fraction_indices

    spec = _as_spec(spec)
    if not isinstance(spec.options, dict):
        raise DataError(f"dataset options must be an object, found {spec.options!r}")
    loader_options, subset = split_subset_options(spec.options)
    if spec.name == "image_folder" and isinstance(preprocessing, dict) \
            and preprocessing.get("kind") == "image":  # decode at the size the run was trained
        loader_options.setdefault("size", list(preprocessing.get("size") or []) or None)
        loader_options.setdefault("grayscale", int(preprocessing.get("channels", 3)) == 1)
    raw = _call_loader(_loader(spec.name), loader_options, progress, cancel)
    task = getattr(raw, "task", "classification")
    if task not in ("classification", "regression"):
        raise DataError(f"dataset '{spec.name}': task must be 'classification' or "
                        f"'regression', found {task!r}")
    regression = task == "regression"
    raw, kept_out, notes = _select_classes(raw, subset, spec.name)
    y = raw.y
    tr, va, te = split_indices(y, spec.val_fraction, spec.test_fraction, spec.split_seed,
                               spec.stratify and not regression)
    tr, fraction_notes = train_fraction_indices(tr, y, subset, spec.split_seed,
                                                spec.stratify and not regression, spec.name)
    notes += fraction_notes
    if len(tr) == 0:
        raise DataError(f"dataset '{spec.name}' has too few samples ({len(y)}) to split")
    if spec.val_fraction > 0 and len(va) == 0:
        raise DataError(
            f"dataset '{spec.name}' has {len(y)} samples; with val_fraction "
            f"{spec.val_fraction} the validation split is empty. Expected at least one "
            f"validation sample: add rows or raise val_fraction")
    if preprocessing is not None:
        pre = _check_saved(spec.name, raw.prep, preprocessing, regression)
    else:
        pre = _fit(raw, tr)
    if is_image_array(raw.x):  # lazy: converted per batch, never held as float32
        x = raw.x.with_preprocessing(pre)
    else:
        x = apply_preprocessing(pre, raw.columns if raw.prep == "tabular" else raw.x)
        x = x.astype(np.int64 if raw.input_dtype == "int64" else np.float32)
    if "vocab_size" in raw.extra and "vocab_size" not in pre:
        pre = {**pre, "vocab_size": raw.extra["vocab_size"]}
    if regression:
        num_classes, class_names = 1, [raw.target or "target"]
    else:
        num_classes, class_names = len(raw.class_names), list(raw.class_names)
    report = complete_report(raw, spec.name, task, y, class_names, tuple(x.shape[1:]))
    if notes:
        report["notes"] = [*report.get("notes", []), *notes]
        report["subset"] = {**subset, "train_rows": int(len(tr))}
    if regression:
        if "target_scaling" not in pre:
            pre = {**pre, "target_scaling": fit_target_scaling(y[tr])}
        y = scale_target(pre["target_scaling"], y)
    table = {**raw.columns, **kept_out} if raw.prep == "tabular" else {}
    row_columns = {which: {name: np.asarray(values)[rows] for name, values in table.items()}
                   for which, rows in (("train", tr), ("val", va), ("test", te))} if table else {}
    return Dataset(x_train=take_rows(x, tr), y_train=y[tr], x_val=take_rows(x, va),
                   y_val=y[va], x_test=take_rows(x, te), y_test=y[te], input_shape=tuple(int(d) for d in x.shape[1:]),
                   input_dtype=raw.input_dtype, num_classes=num_classes,
                   class_names=class_names, preprocessing=pre, task=task, name=spec.name,
                   load_report=report, row_columns=row_columns)


def _call_loader(loader: Loader, options: dict[str, Any], progress: Any, cancel: Any) -> Any:
    """``loader(options)``, with ``progress``/``cancel`` for loaders that take them."""
    import inspect

    if progress is None and cancel is None:
        return loader(options)
    try:
        accepted = inspect.signature(loader).parameters
    except (TypeError, ValueError):
        accepted = {}
    extra = {k: v for k, v in (("progress", progress), ("cancel", cancel))
             if v is not None and k in accepted}
    return loader(options, **extra)


def _select_classes(raw: Any, subset: dict[str, Any], dataset: str
                    ) -> tuple[Any, dict[str, np.ndarray], list[str]]:
    """``select_classes`` applied to the inputs and to the columns kept out of them (option
    'exclude', ``raw.extra["kept_out"]``) alike: (raw, kept-out columns, notes)."""
    import dataclasses

    from workbench.data.subsets import select_classes

    kept_out = dict(raw.extra.get("kept_out") or {})
    if not kept_out:
        raw, notes = select_classes(raw, subset, dataset)
        return raw, {}, notes
    merged, notes = select_classes(dataclasses.replace(raw, columns={**raw.columns, **kept_out}),
                                   subset, dataset)
    columns = {k: v for k, v in merged.columns.items() if k not in kept_out}
    return (dataclasses.replace(merged, columns=columns),
            {k: merged.columns[k] for k in kept_out}, notes)


def _fit(raw: Any, tr: np.ndarray) -> dict[str, Any]:
    """Preprocessing statistics from the training rows only."""
    from workbench.data.preprocessing import (
        fit_image,
        fit_image_rows,
        fit_standardize,
        fit_tabular,
    )

    if raw.prep == "tabular":
        pre = fit_tabular(raw.columns, raw.numeric, tr, raw.target,
                          bool(raw.extra.get("missing_indicator", False)),
                          raw.extra.get("decimal_comma", ()))
        return {**pre, **({"csv": raw.extra["csv"]} if "csv" in raw.extra else {})}
    assert raw.x is not None
    if raw.prep == "standardize":  # named inputs (explanations show the names) where known
        names = raw.extra.get("feature_names")
        return {**fit_standardize(raw.x[tr]), **({"feature_names": list(names)} if names else {})}
    if raw.prep == "image":
        from workbench.data.image_array import is_image_array

        if is_image_array(raw.x):  # statistics read in chunks off the cache
            return fit_image_rows(raw.x.subset(tr), raw.scale)
        return fit_image(raw.x[tr], raw.scale)
    return {"kind": "none"}


def _check_saved(name: str, prep: str, saved: Any, regression: bool) -> dict[str, Any]:
    """A saved preprocessing dict that fits this data, or a DataError saying why not."""
    if not isinstance(saved, dict):
        raise DataError(f"dataset '{name}': saved preprocessing must be an object, found "
                        f"{type(saved).__name__}")
    kind = saved.get("kind", "none")
    expected = prep if prep in ("tabular", "standardize", "image") else "none"
    if kind != expected:
        raise DataError(f"dataset '{name}': the saved preprocessing is of kind {kind!r}, but "
                        f"this data needs {expected!r}; was the run trained on other data?")
    if regression and "target_scaling" not in saved:
        raise DataError(f"dataset '{name}' is a regression target but the saved "
                        f"preprocessing has no 'target_scaling' (mean and std of the target)")
    return dict(saved)


def fit_target_scaling(y_train: np.ndarray) -> dict[str, float]:
    """Mean and std of a regression target on the training split (std 1 when constant)."""
    values = np.asarray(y_train, dtype=np.float64)
    mean = float(values.mean()) if len(values) else 0.0
    std = float(values.std()) if len(values) else 1.0
    return {"mean": mean, "std": std if std > 1e-12 else 1.0}


def scale_target(scaling: dict[str, Any], y: np.ndarray) -> np.ndarray:
    """A raw regression target standardized: (y - mean) / std, float32."""
    try:
        mean, std = float(scaling["mean"]), float(scaling["std"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"target_scaling must be {{'mean': number, 'std': number}}, found "
                        f"{scaling!r}") from exc
    return ((np.asarray(y, dtype=np.float64) - mean) / std).astype(np.float32)


_REGRESSION_BUILTINS = {"diabetes", "noisy_linear", "noisy_sine"}


def dataset_task(spec: DatasetSpec | dict[str, Any]) -> str:
    """"classification" or "regression"; cheap for the built-in sets, loads the others."""
    spec = _as_spec(spec)
    if spec.name in _REGRESSION_BUILTINS:
        return "regression"
    if spec.name in _BUILTIN and spec.name not in _FILE_BASED:
        return "classification"
    return load_dataset(spec).task


def dataset_info(spec: DatasetSpec | dict[str, Any]) -> tuple[tuple[int, ...], str, int]:
    """(input shape, input dtype, number of classes); cheap for the built-in sets."""
    spec = _as_spec(spec)
    options = spec.options or {}
    if spec.name in _KNOWN_INFO and not options:
        return _KNOWN_INFO[spec.name]
    if spec.name == "sequence":
        from workbench.data.raw import int_option

        return (int_option(options, "seq_len", 12, 3, 1000),), "int64", 2
    if spec.name == "colour_shapes" and not {"classes", "train_fraction"} & set(options):
        from workbench.data.colour_shapes import CLASSES, shape_options  # no images generated

        size = shape_options(options)[1]
        return (3, size, size), "float32", len(CLASSES)
    if spec.name in ("spirals", "blobs"):
        from workbench.data.raw import int_option

        k = int_option(options, "n_classes", 3, 2, 50)
        d = int_option(options, "n_features", 2, 1, 1000) if spec.name == "blobs" else 2
        return (d,), "float32", k
    data = load_dataset(spec)
    return data.input_shape, data.input_dtype, data.num_classes
