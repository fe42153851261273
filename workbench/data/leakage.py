"""Test-set leakage: samples of the validation or test split that also appear in training.

A duplicate shared between splits lets the network be graded on what it has memorised, so
validation (and test) accuracy overstates how it does on new data. Exact copies are found by
comparing each sample's bytes, which is cheap enough to run with every training run.
"""

from __future__ import annotations

import numpy as np

from workbench.data.dataset import Dataset


def _row_keys(x: np.ndarray) -> np.ndarray:
    """One opaque value per sample holding its bytes, so numpy can sort and compare samples.

    An ImageArray (an image cache) is compared by a 16-byte digest of each row's raw pixels,
    read in chunks: the same verdict for the same pixels, without the split in memory."""
    from workbench.data.image_array import is_image_array

    if is_image_array(x):
        return _digest_keys(x)
    rows = np.ascontiguousarray(x).reshape(len(x), int(np.prod(x.shape[1:])))
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def _digest_keys(images: object) -> np.ndarray:
    import hashlib

    from workbench.data import image_array

    step = image_array.CHUNK_ROWS
    digests = bytearray()
    for start in range(0, len(images), step):  # type: ignore[arg-type]
        block = images.raw(np.arange(start, min(start + step, len(images))))  # type: ignore
        for row in block:
            digests += hashlib.blake2b(row.tobytes(), digest_size=16).digest()
    return np.frombuffer(bytes(digests), dtype=np.dtype((np.void, 16)))


def split_overlap(dataset: Dataset) -> dict[str, dict[str, int]]:
    """For 'val' and 'test': how many samples also occur in training (``shared``), of how
    many (``total``), and how many of those carry a different label there (``conflicting``).

    Samples are compared by their bytes with one sort (``np.unique``), not a Python loop: about
    2 ms for the digits sets, which the trainer pays at the end of every run. Labels (class
    indices, or a regression target's values) are compared exactly, never truncated.
    """
    train_keys = _row_keys(dataset.x_train)
    y_train = np.asarray(dataset.y_train, dtype=np.float64).reshape(len(train_keys))
    result = {}
    for which in ("val", "test"):
        x, y = dataset.split(which)
        if len(x) == 0 or len(train_keys) == 0 or x.shape[1:] != dataset.x_train.shape[1:] \
                or x.dtype != dataset.x_train.dtype:
            result[which] = {"shared": 0, "total": int(len(x)), "conflicting": 0}
            continue
        keys = np.concatenate([train_keys, _row_keys(x)])
        _, group = np.unique(keys, return_inverse=True)
        group = group.reshape(-1)
        in_train, in_split = group[:len(train_keys)], group[len(train_keys):]
        lowest = np.full(group.max() + 1, np.inf)
        highest = np.full(group.max() + 1, -np.inf)
        np.minimum.at(lowest, in_train, y_train)
        np.maximum.at(highest, in_train, y_train)
        shared = np.isfinite(lowest[in_split])  # the sample's group has a training member
        label = np.asarray(y, dtype=np.float64).reshape(len(in_split))
        differs = (lowest[in_split] != label) | (highest[in_split] != label)
        result[which] = {"shared": int(shared.sum()), "total": int(len(x)),
                         "conflicting": int((shared & differs).sum())}
    return result
