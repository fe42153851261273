"""Preprocessing fitted on the training split only, saved as plain JSON with every run.

The dict is self-contained so that an exported bundle (numpy + onnxruntime only) can repeat it:

- ``{"kind": "none"}``: inputs used as they are (token ids).
- ``{"kind": "standardize", "mean": [F], "std": [F]}``: ``(x - mean) / std`` per feature.
- ``{"kind": "image", "size": [H, W], "channels": C, "scale": s, "mean": [C], "std": [C]}``:
  an image is resized to ``size`` (bilinear), converted to ``C`` channels (1 = grayscale "L",
  3 = "RGB"), laid out as C x H x W, multiplied by ``scale`` and standardized per channel.
- ``{"kind": "tabular", "target": name, "columns": [...], "feature_names": [...]}``: each entry
  of ``columns`` is ``{"name", "type": "numeric", "mean", "std"}`` (value parsed as float, then
  standardized) or ``{"name", "type": "categorical", "categories": [...]}`` (one-hot in that
  order; an unseen category is all zeros). Features are concatenated in ``columns`` order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench.data.errors import DataError

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


def fit_tabular(columns: Mapping[str, np.ndarray], numeric: Sequence[str],
                train_idx: np.ndarray, target: str) -> dict[str, Any]:
    """Column statistics from the training rows only."""
    specs: list[dict[str, Any]] = []
    names: list[str] = []
    for name, values in columns.items():
        train_values = values[train_idx]
        if name in numeric:
            numbers = train_values.astype(np.float64)
            std = float(numbers.std()) if len(numbers) else 1.0
            specs.append({"name": name, "type": "numeric", "mean": float(numbers.mean()),
                          "std": std if std > _EPS else 1.0})
            names.append(name)
        else:
            categories = sorted({str(v) for v in train_values})
            specs.append({"name": name, "type": "categorical", "categories": categories})
            names.extend(f"{name}={c}" for c in categories)
    return {"kind": "tabular", "target": target, "columns": specs, "feature_names": names}


def rows_to_columns(rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
                    column_names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """CSV records (dicts, or lists in ``column_names`` order) to columns of strings."""
    if rows and not isinstance(rows[0], Mapping):
        if column_names is None:
            raise DataError("rows given as lists need the column names")
        rows = [dict(zip(column_names, r)) for r in rows]
    keys = list(rows[0].keys()) if rows else list(column_names or [])
    return {k: np.array([str(r.get(k, "")) for r in rows], dtype=object)  # type: ignore[union-attr]
            for k in keys}


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


def encode_tabular(pre: Mapping[str, Any], columns: Mapping[str, np.ndarray]) -> np.ndarray:
    parts = []
    for spec in pre["columns"]:
        name = spec["name"]
        if name not in columns:
            raise DataError(f"column '{name}' is missing; expected columns: "
                            f"{', '.join(c['name'] for c in pre['columns'])}")
        values = columns[name]
        if spec["type"] == "numeric":
            try:
                numbers = np.asarray(values, dtype=np.float64)
            except ValueError as exc:
                raise DataError(f"column '{name}' must be numeric: {exc}") from exc
            parts.append(((numbers - spec["mean"]) / spec["std"])[:, None])
        else:
            cats = {c: i for i, c in enumerate(spec["categories"])}
            onehot = np.zeros((len(values), len(cats)))
            for row, value in enumerate(values):
                index = cats.get(str(value))
                if index is not None:
                    onehot[row, index] = 1.0
            parts.append(onehot)
    return np.concatenate(parts, axis=1).astype(np.float32)


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
