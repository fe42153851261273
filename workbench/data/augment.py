"""Data augmentation of training batches: the ``augment`` setting, parsed, checked, applied.

The setting is one comma-separated text (or, in a project file, a list of the same items):

- images: ``hflip``, ``vflip`` (mirror half the samples), ``crop=AREA`` (random resized crop
  that keeps at least AREA of the picture), ``rotate=DEGREES``, ``color=STRENGTH``
  (brightness, contrast, saturation and a quarter as much hue), ``erase=P`` (blank a random
  rectangle with probability P), ``cutmix=ALPHA`` (paste a box from another sample; the label
  is mixed by area);
- tabular and other feature vectors: ``noise=STD`` (Gaussian noise on the standardized numeric
  columns only, in standard deviations);
- both: ``mixup=ALPHA`` (blend pairs of samples and their targets, lambda ~ Beta(ALPHA, ALPHA));
- ``none`` or an empty text: off.

An item without a value takes its default (``crop`` is ``crop=0.6``). :func:`canonical_augment`
writes the items in one fixed order with every value, and that text is what a run's config
records, so two spellings of the same augmentation compare equal in the runs diff.

The operations are torchvision's transforms v2 (``workbench/data/augment_ops.py``), run on the
training device on each batch, with each sample's own random draw, seeded by (run seed, epoch,
batch index) under a forked RNG: a resumed run is bit-exact, and the global RNG (dropout) is
left as it was. Validation, test, evaluation, explanations and export never see them: only the
trainer's training batches go through :func:`make_augmenter`'s augmenter.

This module imports no torch at start-up (the training config parses the setting with it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class AugmentOp:
    """One augmentation name: its default value (None: takes no value), range and data kinds."""

    name: str
    default: float | None
    low: float = 0.0
    high: float = 1.0
    low_open: bool = True
    kinds: tuple[str, ...] = ("image",)
    unit: str = ""
    help: str = ""

    @property
    def form(self) -> str:
        return self.name if self.default is None else f"{self.name}={self.unit}"


# In the order they are applied (and written in the canonical text).
OPS: dict[str, AugmentOp] = {op.name: op for op in (
    AugmentOp("hflip", None, help="mirror left-right, half the samples"),
    AugmentOp("vflip", None, help="mirror top-bottom, half the samples"),
    AugmentOp("crop", 0.6, unit="AREA",
              help="random resized crop keeping at least AREA (0-1] of the picture"),
    AugmentOp("rotate", 15.0, high=180.0, unit="DEGREES", help="rotate up to +-DEGREES"),
    AugmentOp("color", 0.3, unit="STRENGTH",
              help="brightness, contrast, saturation jitter (hue a quarter of it)"),
    AugmentOp("erase", 0.25, unit="P", help="blank a random rectangle with probability P"),
    AugmentOp("noise", 0.1, high=10.0, kinds=("vector",), unit="STD",
              help="Gaussian noise on standardized numeric columns"),
    AugmentOp("mixup", 0.2, high=10.0, kinds=("image", "vector"), unit="ALPHA",
              help="blend pairs of samples and targets, lambda ~ Beta(ALPHA, ALPHA)"),
    AugmentOp("cutmix", 1.0, high=10.0, unit="ALPHA",
              help="paste a box from another sample; label mixed by area"),
)}
MIXERS = ("mixup", "cutmix")
VALID_FORMS = ", ".join(op.form for op in OPS.values()) + ", or none"
HELP = ("augment training batches, comma-separated: " + VALID_FORMS
        + " (hflip..erase and cutmix: images; noise: tabular; mixup: both; empty = off)")

Items = list[tuple[str, float | None]]


def parse_augment(text: str | list[str] | tuple[str, ...] | None) -> Items:
    """``"hflip,crop=0.6"`` -> ``[("hflip", None), ("crop", 0.6)]`` in the canonical order.

    Accepts a list of items too. ``""``, ``"none"`` and None are off (``[]``). ValueError with
    one line naming the bad item and the valid forms.
    """
    if text is None:
        return []
    if isinstance(text, (list, tuple)):
        if not all(isinstance(t, str) for t in text):
            raise ValueError(f"augment: a list of items must hold texts such as 'hflip' or "
                             f"'crop=0.6', found {list(text)!r}")
        text = ",".join(text)
    if not isinstance(text, str):
        raise ValueError(f"augment must be a text such as 'hflip,crop=0.6' or a list of "
                         f"items, found {type(text).__name__} {text!r}")
    raw = [part.strip() for part in text.split(",")]
    raw = [part for part in raw if part]
    if raw == ["none"] or not raw:
        return []
    found: dict[str, float | None] = {}
    for part in raw:
        name, _, value_text = part.partition("=")
        name, value_text = name.strip().lower(), value_text.strip()
        if name == "none":
            raise ValueError(f"augment: 'none' cannot be combined with other items, found "
                             f"{text!r}")
        op = OPS.get(name)
        if op is None:
            raise ValueError(f"augment: unknown item {part!r}; expected {VALID_FORMS}")
        if name in found:
            raise ValueError(f"augment: {name!r} is given twice in {text!r}")
        found[name] = _value(op, part, value_text, "=" in part)
    return [(name, found[name]) for name in OPS if name in found]


def _value(op: AugmentOp, part: str, text: str, has_equals: bool) -> float | None:
    if op.default is None:
        if has_equals:
            raise ValueError(f"augment: {op.name!r} takes no value, found {part!r}")
        return None
    if not has_equals:
        return op.default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"augment: {part!r} needs a number, as in {op.name}={op.default:g}"
                         f" ({op.help})") from None
    above = value > op.low if op.low_open else value >= op.low
    if not (math.isfinite(value) and above and value <= op.high):
        bracket = "(" if op.low_open else "["
        raise ValueError(f"augment: {op.name} must be in {bracket}{op.low:g}, {op.high:g}] "
                         f"({op.help}), found {text}")
    return value


def canonical_augment(items: Items) -> str:
    """The text of parsed items in the canonical order, every value written (``""`` = off)."""
    order = {name: i for i, name in enumerate(OPS)}
    parts = []
    for name, value in sorted(items, key=lambda item: order[item[0]]):
        parts.append(name if value is None else f"{name}={value:g}")
    return ",".join(parts)


def normalize_augment(value: Any) -> str:
    """A config's ``augment`` (text or list) as its canonical text; ValueError when bad."""
    return canonical_augment(parse_augment(value))


def data_kind(dataset: Any) -> tuple[str, str]:
    """("image" | "vector" | other, a few words describing the data) for the refusals."""
    pre = getattr(dataset, "preprocessing", None) or {}
    kind = pre.get("kind", "none")
    shape = tuple(getattr(dataset, "input_shape", ()) or ())
    name = getattr(dataset, "name", "") or "this dataset"
    if getattr(dataset, "input_dtype", "float32") == "int64":
        return "tokens", f"'{name}' holds token ids {shape}"
    if kind == "image" and len(shape) == 3:
        return "image", f"'{name}' holds images {shape}"
    if kind in ("tabular", "standardize") and len(shape) == 1:
        return "vector", f"'{name}' holds feature vectors of {shape[0]} values"
    return kind, f"'{name}' holds inputs of shape {shape} ({kind} preprocessing)"


def augment_problem(augment: Any, dataset: Any) -> str | None:
    """None when ``augment`` fits ``dataset``, else one line why not (before a run starts)."""
    try:
        items = parse_augment(augment)
    except ValueError as exc:
        return str(exc)
    if not items:
        return None
    kind, described = data_kind(dataset)
    regression = getattr(dataset, "task", "classification") == "regression"
    for name, _ in items:
        op = OPS[name]
        if kind not in op.kinds:
            wanted = " or ".join({"image": "images (image preprocessing, C x H x W)",
                                  "vector": "tabular or standardized feature vectors"}[k]
                                 for k in op.kinds)
            return f"augment '{name}' needs {wanted}, but {described}"
        if name == "cutmix" and regression:
            return ("augment 'cutmix' mixes class labels by area; a regression target has "
                    "none: use mixup")
    if kind == "vector" and "noise" in dict(items) and not noise_positions(dataset).any():
        return (f"augment 'noise' adds noise to standardized numeric columns, but {described} "
                f"with no numeric column")
    return None


def noise_positions(dataset: Any) -> np.ndarray:
    """Bool mask over the input features: True at the standardized numeric columns."""
    pre = getattr(dataset, "preprocessing", None) or {}
    width = int(np.prod(getattr(dataset, "input_shape", (0,)) or (0,)))
    if pre.get("kind") == "standardize":
        return np.ones(width, dtype=bool)
    mask: list[bool] = []
    for column in pre.get("columns", []) if pre.get("kind") == "tabular" else []:
        if column["type"] == "numeric":
            mask.append(True)
            if column.get("indicator"):
                mask.append(False)  # the 0/1 "<name>_missing" feature stays exact
        else:
            mask.extend([False] * len(column["categories"]))
    out = np.zeros(width, dtype=bool)
    out[:min(width, len(mask))] = mask[:width]
    return out


def batch_seed(seed: int, epoch: int, batch: int) -> int:
    """The torch seed of one training batch's augmentation, from (run seed, epoch, batch)."""
    state = np.random.SeedSequence([int(seed), int(epoch), int(batch), 0xA06]).generate_state(2)
    return int(state[0]) << 31 ^ int(state[1])


def make_augmenter(config: Any, dataset: Any, device: Any) -> Any:
    """The run's augmenter (``aug(xb, yb, epoch, batch) -> (xb, yb)``), or None when off.

    ValueError (one line) when the setting does not fit the dataset.
    """
    items = parse_augment(getattr(config, "augment", ""))
    if not items:
        return None
    problem = augment_problem(canonical_augment(items), dataset)
    if problem:
        raise ValueError(problem)
    from workbench.data.augment_ops import Augmenter

    return Augmenter(items, dataset, int(getattr(config, "seed", 0)), device)


def preview_augment(dataset: Any, augment_text: Any, count: int = 16,
                    epoch: int = 0) -> np.ndarray:
    """``count`` augmented training images as uint8 (count, H, W, 3) pixels, for a preview grid.

    The first ``count`` training samples, augmented as batch 0 of ``epoch`` with seed 0; grey
    images are repeated to three channels. ValueError when the data are not images or the text
    is bad.
    """
    import torch

    problem = augment_problem(augment_text, dataset)
    if problem:
        raise ValueError(problem)
    kind, described = data_kind(dataset)
    if kind != "image":
        raise ValueError(f"the augmentation preview shows images, but {described}")
    x = np.asarray(dataset.x_train[:count], dtype=np.float32)
    y = np.asarray(dataset.y_train[:count])
    pre = dataset.preprocessing
    mean = np.asarray(pre["mean"], dtype=np.float32).reshape(1, -1, 1, 1)
    std = np.asarray(pre["std"], dtype=np.float32).reshape(1, -1, 1, 1)
    items = parse_augment(augment_text)
    if items:
        from workbench.data.augment_ops import Augmenter

        aug = Augmenter(items, dataset, 0, "cpu")
        xb, _ = aug(torch.from_numpy(x), torch.from_numpy(y), epoch, 0)
        x = xb.numpy()
    pixels = np.clip(x * std + mean, 0.0, 1.0)
    if pixels.shape[1] == 1:
        pixels = np.repeat(pixels, 3, axis=1)
    return np.round(pixels[:, :3].transpose(0, 2, 3, 1) * 255.0).astype(np.uint8)
