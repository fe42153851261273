"""Seeded train/validation/test splits, stratified by class by default."""

from __future__ import annotations

import numpy as np

from workbench.data.errors import DataError


def split_indices(y: np.ndarray, val_fraction: float, test_fraction: float, seed: int,
                  stratify: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays (train, val, test). Same inputs always give the same split."""
    for label, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise DataError(f"{label} must be a number in [0, 1), found {value!r}")
    if val_fraction + test_fraction >= 0.9:
        raise DataError(f"val_fraction + test_fraction must leave at least 10% for training, "
                        f"found {val_fraction} + {test_fraction}")
    rng = np.random.default_rng(seed)
    n = len(y)
    if not stratify:
        order = rng.permutation(n)
        n_test = int(round(n * test_fraction))
        n_val = int(round(n * val_fraction))
        return (np.sort(order[n_test + n_val:]), np.sort(order[n_test:n_test + n_val]),
                np.sort(order[:n_test]))
    train, val, test = [], [], []
    for cls in np.unique(y):
        members = np.flatnonzero(y == cls)
        members = members[rng.permutation(len(members))]
        n_test = int(round(len(members) * test_fraction))
        n_val = int(round(len(members) * val_fraction))
        test.append(members[:n_test])
        val.append(members[n_test:n_test + n_val])
        train.append(members[n_test + n_val:])
    return tuple(np.sort(np.concatenate(parts)) for parts in (train, val, test))  # type: ignore[return-value]
