"""Test-set leakage: samples of the validation or test split that also appear in training.

A duplicate shared between splits lets the network be graded on what it has memorised, so
validation (and test) accuracy overstates how it does on new data. Exact copies are found by
hashing each sample's bytes, which is cheap enough to run before every training run.
"""

from __future__ import annotations

import hashlib

import numpy as np

from workbench.data.dataset import Dataset


def _digests(x: np.ndarray) -> list[bytes]:
    rows = np.ascontiguousarray(x).reshape(len(x), int(np.prod(x.shape[1:])))
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in rows]


def split_overlap(dataset: Dataset) -> dict[str, dict[str, int]]:
    """For 'val' and 'test': how many samples also occur in training (``shared``), of how
    many (``total``), and how many of those carry a different label there (``conflicting``)."""
    # class indices, or a regression target's values (compared exactly, never truncated)
    as_label = float if dataset.task == "regression" else int
    train_labels: dict[bytes, set[float]] = {}
    for digest, label in zip(_digests(dataset.x_train), dataset.y_train.tolist()):
        train_labels.setdefault(digest, set()).add(as_label(label))
    result = {}
    for which in ("val", "test"):
        x, y = dataset.split(which)
        shared = conflicting = 0
        for digest, label in zip(_digests(x), y.tolist()):
            labels = train_labels.get(digest)
            if labels is not None:
                shared += 1
                conflicting += int(labels != {as_label(label)})
        result[which] = {"shared": shared, "total": int(len(x)), "conflicting": conflicting}
    return result
