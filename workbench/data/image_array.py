"""ImageArray: rows of a uint8 image cache seen as model inputs, without holding them in memory.

A Dataset's ``x_train`` / ``x_val`` / ``x_test`` are numpy arrays for data that fits in memory.
For image folders and large generated image sets they are ImageArrays instead: a read-only
``numpy.memmap`` of raw pixels (N x C x H x W, uint8, written once by
:mod:`workbench.data.image_cache`), the positions of this split's rows in it, and the saved image
preprocessing (``scale``, per-channel ``mean`` and ``std``). Indexing returns float32 model
inputs ``(pixels * scale - mean) / std`` for just the rows asked for, so code written for arrays
(``x[i:j]``, ``x[indices]``, ``len(x)``, ``x.shape``) keeps working while memory stays flat
however many images there are. The trainer reads :meth:`raw` batches and converts them to float
on the training device instead.

``np.asarray(image_array)`` materializes every row as float32: fine for a validation split of a
few thousand images, to be avoided on a big training split (iterate :meth:`chunks`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

CHUNK_ROWS = 256
STATS_CHUNK_BYTES = 8 << 20


class ImageArray:
    """Lazy float32 view of uint8 image rows (see the module docstring)."""

    def __init__(self, pixels: np.ndarray, rows: np.ndarray | None = None,
                 preprocessing: Mapping[str, Any] | None = None) -> None:
        if pixels.ndim != 4 or pixels.dtype != np.uint8:
            raise ValueError(f"ImageArray needs uint8 pixels of shape N x C x H x W, found "
                             f"{pixels.dtype} {pixels.shape}")
        self.pixels = pixels
        self.rows = (np.arange(len(pixels), dtype=np.int64) if rows is None
                     else np.asarray(rows, dtype=np.int64))
        self.preprocessing = dict(preprocessing) if preprocessing else None
        channels = pixels.shape[1]
        if self.preprocessing is not None:
            self.scale = float(self.preprocessing.get("scale", 1.0))
            self.mean = np.asarray(self.preprocessing.get("mean", [0.0] * channels),
                                   dtype=np.float64).reshape(1, -1, 1, 1)
            self.std = np.asarray(self.preprocessing.get("std", [1.0] * channels),
                                  dtype=np.float64).reshape(1, -1, 1, 1)
            # x * (scale / std) - mean / std in float32: what the trainer computes on the
            # device for a batch (workbench/train/batches.py), so both give the same inputs
            self._mul = (self.scale / self.std).astype(np.float32)
            self._sub = (self.mean / self.std).astype(np.float32)
        else:
            self.scale, self.mean, self.std = 1.0, None, None

    # array protocol ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), *self.pixels.shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float32 if self.preprocessing is not None else np.uint8)

    @property
    def ndim(self) -> int:
        return 4

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def nbytes(self) -> int:
        """Bytes the rows would take materialized (float32 once preprocessed)."""
        return self.size * self.dtype.itemsize

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, tuple):  # x[i, ...] and the like: rows first, the rest on the result
            return self[key[0]][(slice(None), *key[1:])] if not _is_scalar(key[0]) \
                else self[key[0]][key[1:]]
        if _is_scalar(key):
            return self._convert(self.raw(np.array([int(key)])))[0]
        return self._convert(self.raw(np.arange(len(self.rows))[key]))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(self.shape, dtype=self.dtype)
        for start, chunk in self.chunks():
            out[start:start + len(chunk)] = chunk
        return out if dtype is None else out.astype(dtype, copy=False)

    def __iter__(self) -> Iterator[np.ndarray]:
        for _, chunk in self.chunks():
            yield from chunk

    def __repr__(self) -> str:
        kind = "float32 inputs" if self.preprocessing is not None else "raw uint8 pixels"
        return f"ImageArray({len(self)} rows of {tuple(self.shape[1:])}, {kind})"

    # lazy operations ---------------------------------------------------------------------
    def raw(self, positions: Any) -> np.ndarray:
        """uint8 pixels (k, C, H, W) of the rows at ``positions`` (0-based in this array),
        in that order. Reads the cache rows in ascending order (sequential on disk)."""
        wanted = self.rows[np.asarray(positions, dtype=np.int64)]
        if len(wanted) == 0:
            return np.empty((0, *self.pixels.shape[1:]), dtype=np.uint8)
        order = np.argsort(wanted, kind="stable")
        out = np.empty((len(wanted), *self.pixels.shape[1:]), dtype=np.uint8)
        out[order] = self.pixels[wanted[order]]
        return out

    def subset(self, positions: Any) -> ImageArray:
        """The rows at ``positions`` as another lazy array (nothing is read)."""
        return ImageArray(self.pixels, self.rows[np.asarray(positions, dtype=np.int64)],
                          self.preprocessing)

    def with_preprocessing(self, preprocessing: Mapping[str, Any] | None) -> ImageArray:
        """The same rows converted with ``preprocessing`` (an image preprocessing dict)."""
        return ImageArray(self.pixels, self.rows, preprocessing)

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[tuple[int, np.ndarray]]:
        """(start, converted rows) in order, ``rows`` at a time."""
        for start in range(0, len(self.rows), rows):
            yield start, self._convert(self.raw(np.arange(start, min(start + rows,
                                                                     len(self.rows)))))

    def channel_stats(self, scale: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel mean and std of ``pixels * scale`` over these rows, read in chunks of
        about 8 MB (exact sums: a uint8 value and its square are exact in float32)."""
        channels = self.pixels.shape[1]
        total = np.zeros(channels, dtype=np.float64)
        squares = np.zeros(channels, dtype=np.float64)
        rows = max(1, STATS_CHUNK_BYTES // max(1, int(np.prod(self.pixels.shape[1:])) * 4))
        for start in range(0, len(self.rows), rows):
            block = self.raw(np.arange(start, min(start + rows, len(self.rows))))
            values = block.astype(np.float32)
            total += values.sum(axis=(0, 2, 3), dtype=np.float64)
            values *= values
            squares += values.sum(axis=(0, 2, 3), dtype=np.float64)
        count = max(len(self.rows) * self.pixels.shape[2] * self.pixels.shape[3], 1)
        mean = total / count
        std = np.sqrt(np.maximum(squares / count - mean * mean, 0.0))
        return mean * scale, std * scale

    def _convert(self, block: np.ndarray) -> np.ndarray:
        if self.preprocessing is None:
            return block
        out = block.astype(np.float32)
        out *= self._mul
        out -= self._sub
        return out


def _is_scalar(key: Any) -> bool:
    return isinstance(key, (int, np.integer))


def is_image_array(x: Any) -> bool:
    """True for an :class:`ImageArray` (a lazy split) rather than an in-memory array."""
    return isinstance(x, ImageArray)


def take_rows(x: Any, positions: Any) -> Any:
    """``x[positions]`` for an array; a lazy subset (nothing read) for an ImageArray."""
    return x.subset(positions) if isinstance(x, ImageArray) else x[positions]
