"""What the dataset's ``classes`` / ``train_fraction`` options would keep, worked out without Qt.

The figures come from the core's own loader (``workbench.data.load_dataset``, which applies
both options, see ``workbench/data/subsets.py``), so the dialog shows what training will get.
Loads are cached per dataset spec (a file dataset's key includes the file's modification
time); the datasets the app offers are small, so a load is tens of milliseconds.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workbench.data.subsets import SUBSET_OPTIONS, class_index


@dataclass(frozen=True)
class Counts:
    """One load of a dataset: its task, class names and split sizes (or why it failed)."""

    task: str = "classification"
    class_names: tuple[str, ...] = ()
    train: int = 0
    val: int = 0
    test: int = 0
    error: str = ""


def without_subset(dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset with ``classes`` and ``train_fraction`` taken out of its options."""
    plain = copy.deepcopy(dataset)
    plain["options"] = {k: v for k, v in (dataset.get("options") or {}).items()
                        if k not in SUBSET_OPTIONS}
    return plain


def with_subset(dataset: dict[str, Any], subset: dict[str, Any]) -> dict[str, Any]:
    """The dataset with its subset options replaced by ``subset`` (other options kept)."""
    changed = without_subset(dataset)
    changed["options"].update({k: subset[k] for k in SUBSET_OPTIONS if k in subset})
    return changed


def subset_of(dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset's ``classes`` / ``train_fraction`` options (those that are set)."""
    options = dataset.get("options") or {}
    return {k: options[k] for k in SUBSET_OPTIONS if options.get(k) is not None}


def _cache_key(dataset: dict[str, Any]) -> str:
    path = (dataset.get("options") or {}).get("path")
    stamp = None
    if isinstance(path, str) and path:
        try:
            stamp = os.stat(path).st_mtime_ns
        except OSError:
            stamp = "missing"
    return json.dumps([dataset, stamp], sort_keys=True, default=str)


@lru_cache(maxsize=64)
def _load_counts(key: str) -> Counts:
    from workbench.data import DataError, load_dataset

    dataset = json.loads(key)[0]
    try:
        data = load_dataset(dataset)
    except (DataError, ValueError, OSError) as exc:
        return Counts(error=str(exc))
    return Counts(data.task, tuple(data.class_names) if data.task == "classification" else (),
                  len(data.y_train), len(data.y_val), len(data.y_test))


def load_counts(dataset: dict[str, Any]) -> Counts:
    """Task, class names and split sizes of ``dataset`` as training would load it (cached)."""
    return _load_counts(_cache_key(dataset))


def base_counts(dataset: dict[str, Any]) -> Counts:
    """:func:`load_counts` of the whole dataset (no ``classes``, no ``train_fraction``)."""
    return load_counts(without_subset(dataset))


def availability(dataset: dict[str, Any]) -> tuple[bool, str]:
    """(whether classes and a training share can be chosen for ``dataset``, why not)."""
    from workbench.data import registry

    name = dataset.get("name", "")
    if name in registry._BUILTIN and not registry.needs_file(name):  # known without loading
        if registry.dataset_task(dataset) == "regression":
            return False, (f"'{name}' is a regression dataset: choosing classes and a "
                           f"training share is for classification datasets")
        return True, ""
    counts = base_counts(dataset)
    if counts.error:
        return False, f"The dataset '{name}' cannot be loaded: {counts.error}"
    if counts.task != "classification":
        return False, (f"'{name}' is a {counts.task} dataset: choosing classes and a training "
                       f"share is for classification datasets")
    return True, ""


def class_indices(wanted: Any, names: list[str]) -> list[int]:
    """The indices of the classes an option lists, in its order, by the core's rule
    (:func:`workbench.data.subsets.class_index`); entries that name no class, and repeats,
    are left out (the core's loader reports them)."""
    if not isinstance(wanted, list):
        return []
    indices: list[int] = []
    for item in wanted:
        index = class_index(item, names)
        if index is not None and index not in indices:
            indices.append(index)
    return indices


def classes_option(indices: list[int], names: list[str]) -> list[int | str]:
    """How the project file lists the kept classes: a class whose name is its own index
    (the digits) by that number, any other by its name; in the order kept."""
    return [i if names[i] == str(i) else names[i] for i in indices]


def subset_options(indices: list[int], names: list[str], percent: float,
                   current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The options for ``indices`` kept (all, in natural order: none) and ``percent`` of the
    training split (100: none). An unchanged ``current`` train_fraction keeps its digits."""
    options: dict[str, Any] = {}
    if indices != list(range(len(names))):
        options["classes"] = classes_option(indices, names)
    if percent < 100:
        old = (current or {}).get("train_fraction")
        same = isinstance(old, (int, float)) and round(old * 100, 1) == round(percent, 1)
        options["train_fraction"] = old if same else round(percent / 100, 4)
    return options


def preview_text(dataset: dict[str, Any], subset: dict[str, Any]) -> tuple[bool, str]:
    """(whether the options load, one line saying what they keep), e.g. "keeps 5 of 10
    classes: 5, 6, 7, 8, 9; training split 628 -> 63 samples; validation and test unchanged"."""
    whole = base_counts(dataset)
    if whole.error:
        return False, whole.error
    names = list(whole.class_names)
    classes_only = load_counts(with_subset(dataset, {k: v for k, v in subset.items()
                                                     if k == "classes"}))
    chosen = load_counts(with_subset(dataset, subset))
    for counts in (classes_only, chosen):
        if counts.error:
            return False, counts.error
    kept = list(chosen.class_names)
    if "classes" in subset:
        relabel = (f", relabelled 0..{len(kept) - 1}"
                   if kept != names[:len(kept)] else "")
        classes = f"keeps {len(kept)} of {len(names)} classes: {', '.join(kept)}{relabel}"
    else:
        classes = f"keeps all {len(names)} classes"
    if "train_fraction" in subset:
        train = f"training split {classes_only.train} -> {chosen.train} samples"
    else:
        train = f"training split {chosen.train} samples"
    if "classes" in subset:
        rest = (f"validation {chosen.val} and test {chosen.test} samples (of the kept "
                f"classes)")
    else:
        rest = "validation and test unchanged"
    return True, f"{classes}; {train}; {rest}"


def short_text(dataset: dict[str, Any]) -> str:
    """A few words for the toolbar button: what the subset options keep ("" for the whole
    dataset), without loading."""
    subset = subset_of(dataset)
    parts = []
    if isinstance(subset.get("classes"), list):
        parts.append(f"{len(subset['classes'])} classes")
    fraction = subset.get("train_fraction")
    if isinstance(fraction, (int, float)) and not isinstance(fraction, bool) and fraction < 1:
        parts.append(f"{fraction * 100:g}% train")
    return ", ".join(parts)


def carry_message(kept: dict[str, Any], dropped: list[str]) -> str:
    """What switching datasets did to the subset options, for the status bar ("" if none)."""
    words = []
    if "classes" in kept:
        words.append(f"classes {', '.join(str(c) for c in kept['classes'])}")
    if "train_fraction" in kept:
        words.append(f"training share {kept['train_fraction'] * 100:g}%")
    text = f"kept {' and '.join(words)}" if words else ""
    if dropped:
        text += ("; " if text else "") + f"dropped {'; '.join(dropped)}"
    return text


def carry_subset(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The subset options of ``old`` that still apply to the dataset ``new``, and what was
    dropped and why. ``classes`` carry when the new dataset has the same classes (by name);
    ``train_fraction`` carries to any classification dataset."""
    subset = subset_of(old)
    if not subset:
        return {}, []
    ok, why = availability(new)
    if not ok:
        return {}, [f"{', '.join(sorted(subset))} ({why})"]
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    if "classes" in subset:
        old_names = list(base_counts(old).class_names)
        new_names = list(base_counts(new).class_names)
        wanted = [old_names[i] for i in class_indices(subset["classes"], old_names)]
        if wanted and all(n in new_names for n in wanted):
            kept["classes"] = classes_option([new_names.index(n) for n in wanted], new_names)
        else:
            dropped.append(f"classes ('{new.get('name')}' has other classes)")
    if "train_fraction" in subset:
        kept["train_fraction"] = subset["train_fraction"]
    return kept, dropped
