"""Dataset options that take part of a classification dataset, for any loader.

* ``classes: [5, 6, 7, 8, 9]`` keeps those classes, named by class name or index as the
  person wrote them; they are relabelled 0..k-1 in the order given, and keep their names
  ("5".."9"). Applied before the split, so the splits are those of the smaller dataset.
* ``train_fraction: 0.1`` keeps a stratified, seeded 10% of the TRAINING split only (at least
  one sample per class); validation and test are untouched, so runs with different fractions
  are compared on the same samples.

:func:`load_dataset` (registry.py) takes both out of the options before the loader sees them;
they stay in the dataset spec, so a built-in dataset's fingerprint (name + options) follows.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np

from workbench.data.errors import DataError

SUBSET_OPTIONS = ("classes", "train_fraction")


def split_subset_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(options for the loader, the subset options) of a dataset's options."""
    loader = {k: v for k, v in options.items() if k not in SUBSET_OPTIONS}
    subset = {k: options[k] for k in SUBSET_OPTIONS if options.get(k) is not None}
    return loader, subset


def class_index(wanted: Any, names: list[str]) -> int | None:
    """The index of one class as the ``classes`` option writes it, or None when it names no
    class. A class name first; else an index (an int, or ASCII digits in a string) in
    0..len-1; else an out-of-range number that is a class's name (``20`` for the class "20").
    The one rule for the loader and the dataset dialog."""
    if isinstance(wanted, str) and wanted in names:
        return names.index(wanted)
    index = wanted
    if isinstance(wanted, str) and re.fullmatch(r"\s*-?[0-9]+\s*", wanted):
        index = int(wanted)
    if isinstance(index, bool) or not isinstance(index, int):
        return None
    if 0 <= index < len(names):
        return index
    return names.index(str(index)) if str(index) in names else None


def _class_index(wanted: Any, names: list[str], dataset: str) -> int:
    """:func:`class_index`, or a DataError naming what was written and the classes."""
    index = class_index(wanted, names)
    if index is not None:
        return index
    number = isinstance(wanted, int) and not isinstance(wanted, bool) or (
        isinstance(wanted, str) and re.fullmatch(r"\s*-?[0-9]+\s*", wanted))
    if not number:
        raise DataError(f"dataset '{dataset}': option 'classes' lists {wanted!r}; expected a "
                        f"class name or index (classes: {', '.join(names)})")
    raise DataError(f"dataset '{dataset}': option 'classes' lists {wanted!r}, which is "
                    f"neither a class name nor an index 0..{len(names) - 1} (classes: "
                    f"{', '.join(names)})")


def select_classes(raw: Any, subset: dict[str, Any], dataset: str) -> tuple[Any, list[str]]:
    """(raw data holding only the chosen classes, relabelled; notes for the load report)."""
    if "classes" not in subset:
        return raw, []
    wanted = subset["classes"]
    if getattr(raw, "task", "classification") != "classification":
        raise DataError(f"dataset '{dataset}': option 'classes' is for classification "
                        f"datasets; this one is a {raw.task} task")
    if not isinstance(wanted, list) or len(wanted) < 2:
        raise DataError(f"dataset '{dataset}': option 'classes' must be a list of at least 2 "
                        f"class names or indices, found {wanted!r}")
    names = [str(n) for n in raw.class_names]
    indices = [_class_index(w, names, dataset) for w in wanted]
    if len(set(indices)) != len(indices):
        raise DataError(f"dataset '{dataset}': option 'classes' names a class twice: "
                        f"{wanted!r}")
    y = np.asarray(raw.y)
    keep = np.flatnonzero(np.isin(y, indices))
    relabel = np.full(len(names), -1, dtype=np.int64)
    relabel[indices] = np.arange(len(indices))
    changes: dict[str, Any] = {"y": relabel[y[keep]], "class_names": [names[i] for i in indices]}
    if raw.x is not None:
        from workbench.data.image_array import take_rows

        changes["x"] = take_rows(raw.x, keep)
    if raw.columns:
        changes["columns"] = {name: np.asarray(col)[keep] for name, col in raw.columns.items()}
    kept = ", ".join(changes["class_names"])
    note = (f"classes kept: {kept} of {len(names)} (relabelled 0..{len(indices) - 1}); "
            f"{len(keep)} of {len(y)} samples")
    return dataclasses.replace(raw, **changes), [note]


def train_fraction_indices(train: np.ndarray, y: np.ndarray, subset: dict[str, Any],
                           seed: int, stratify: bool, dataset: str
                           ) -> tuple[np.ndarray, list[str]]:
    """(the training indices to keep, notes): a stratified, seeded fraction of ``train``."""
    if "train_fraction" not in subset:
        return train, []
    fraction = subset["train_fraction"]
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) \
            or not 0.0 < fraction <= 1.0:
        raise DataError(f"dataset '{dataset}': option 'train_fraction' must be a number in "
                        f"(0, 1], found {fraction!r}")
    if fraction == 1.0:
        return train, []
    rng = np.random.default_rng([int(seed), 7])
    if stratify:
        parts = []
        for cls in np.unique(y[train]):
            members = train[y[train] == cls]
            count = max(1, int(round(len(members) * fraction)))
            parts.append(rng.permutation(members)[:count])
        kept = np.sort(np.concatenate(parts))
    else:
        count = max(1, int(round(len(train) * fraction)))
        kept = np.sort(rng.permutation(train)[:count])
    how = "stratified by class, " if stratify else ""
    note = (f"train_fraction {fraction:g}: {len(kept)} of {len(train)} training samples kept "
            f"({how}seed {seed}); validation and test untouched")
    return kept, [note]
