"""Preprocessing fitted on the training split only, saved as plain JSON with every run.

The dict is self-contained so that an exported bundle (numpy + onnxruntime only) can repeat it:

- ``{"kind": "none"}``: inputs used as they are (token ids).
- ``{"kind": "standardize", "mean": [F], "std": [F]}``: ``(x - mean) / std`` per feature.
- ``{"kind": "image", "size": [H, W], "channels": C, "scale": s, "mean": [C], "std": [C]}``:
  an image is resized to ``size`` (bilinear), converted to ``C`` channels (1 = grayscale "L",
  3 = "RGB"), laid out as C x H x W, multiplied by ``scale`` and standardized per channel.
- ``{"kind": "tabular", "target": name, "columns": [...], "feature_names": [...],
  "missing_values": [...], "csv": {"delimiter": d}}``: each entry of ``columns`` is
  ``{"name", "type": "numeric", "median", "mean", "std", "indicator"}`` (missing cells become the
  median, then standardized; optional 0/1 missing indicator) or ``{"name", "type":
  "categorical", "categories": [...]}`` (missing cells are the category "missing"; one-hot in
  that order; an unseen category is all zeros). Features are concatenated in ``columns`` order.
  See :mod:`workbench.data.tabular`.
- any kind may carry ``"target_scaling": {"mean", "std"}`` (a regression target, standardized
  on the training split; the model predicts ``(y - mean) / std``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.tabular import encode_tabular, fit_tabular, rows_to_columns

__all__ = ["apply_preprocessing", "encode_tabular", "fit_image", "fit_standardize",
           "fit_tabular", "image_to_array", "rows_to_columns"]

_EPS = 1e-8


def _safe_std(std: np.ndarray) -> np.ndarray:
    return np.where(std < _EPS, 1.0, std)


def fit_standardize(x_train: np.ndarray) -> dict[str, Any]:
    flat = x_train.reshape(len(x_train), -1).astype(np.float64)
    return {"kind": "standardize", "mean": flat.mean(0).tolist(),
            "std": _safe_std(flat.std(0)).tolist()}


def fit_image(x_train: np.ndarray, scale: float) -> dict[str, Any]:
    """``x_train`` is raw N x C x H x W pixel values."""
    scaled = x_train.astype(np.float64) * scale
    mean = scaled.mean(axis=(0, 2, 3))
    std = _safe_std(scaled.std(axis=(0, 2, 3)))
    return {"kind": "image", "size": [int(x_train.shape[2]), int(x_train.shape[3])],
            "channels": int(x_train.shape[1]), "scale": scale, "mean": mean.tolist(),
            "std": std.tolist()}


def fit_image_rows(images: Any, scale: float) -> dict[str, Any]:
    """:func:`fit_image` for an :class:`~workbench.data.image_array.ImageArray` of raw pixels,
    read in chunks (the same statistics, without the whole split in memory)."""
    mean, std = images.channel_stats(scale)
    return {"kind": "image", "size": [int(images.shape[2]), int(images.shape[3])],
            "channels": int(images.shape[1]), "scale": scale, "mean": mean.tolist(),
            "std": _safe_std(std).tolist()}


def apply_preprocessing(pre: Mapping[str, Any], raw: Any) -> np.ndarray:
    """Turn raw inputs into model inputs exactly as training did.

    ``raw`` is an array for "none"/"standardize"/"image" (images: N x C x H x W raw pixels, or
    a PIL image, or a list of PIL images) and a dict of columns or a list of row dicts for
    "tabular".
    """
    kind = pre.get("kind", "none")
    if kind == "none":
        return np.asarray(raw)
    if kind == "standardize":
        x = np.asarray(raw, dtype=np.float64)
        mean, std = np.asarray(pre["mean"]), np.asarray(pre["std"])
        return ((x.reshape(len(x), -1) - mean) / std).reshape(x.shape).astype(np.float32)
    if kind == "image":
        x = _images_to_array(pre, raw).astype(np.float64) * float(pre["scale"])
        mean = np.asarray(pre["mean"]).reshape(1, -1, 1, 1)
        std = np.asarray(pre["std"]).reshape(1, -1, 1, 1)
        return ((x - mean) / std).astype(np.float32)
    if kind == "tabular":
        columns = raw if isinstance(raw, Mapping) else rows_to_columns(raw)
        return encode_tabular(pre, columns)
    raise DataError(f"unknown preprocessing kind {kind!r}; expected none, standardize, image "
                    f"or tabular")


def _images_to_array(pre: Mapping[str, Any], raw: Any) -> np.ndarray:
    if isinstance(raw, np.ndarray):
        return raw
    images = raw if isinstance(raw, (list, tuple)) else [raw]
    return np.stack([image_to_array(im, pre["size"], int(pre["channels"])) for im in images])


def image_to_array(image: Any, size: Sequence[int], channels: int) -> np.ndarray:
    """A PIL image as raw C x H x W pixels, resized and converted like training did."""
    from PIL import Image

    mode = "L" if channels == 1 else "RGB"
    image = image.convert(mode)
    h, w = int(size[0]), int(size[1])
    if image.size != (w, h):
        image = image.resize((w, h), Image.BILINEAR)
    arr = np.asarray(image, dtype=np.float64)
    return arr[None, :, :] if channels == 1 else arr.transpose(2, 0, 1)
