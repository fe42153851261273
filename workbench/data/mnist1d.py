"""MNIST-1D (Greydanus, 2020): ten 1-D digit templates, padded, shifted, scaled, sheared and
noised into 40-point signals. Small enough to train in seconds, hard enough that a logistic
regression (~32% test accuracy in the paper), an MLP (~68%) and a CNN (~94%) come apart.

Generated here with the ``mnist1d`` package's ``make_dataset()`` (its paper's default arguments:
5,000 samples, 80% train / 20% test, seed 42); nothing is downloaded, and its pickle-based
``get_dataset`` is never called. The package seeds numpy's and Python's global random
generators; this loader puts them back as it found them.

Options: ``seed`` (default 42, the paper's set) and ``samples`` (default 5,000; a multiple of
10). The rows keep the package's order (its 4,000 training signals, then its 1,000 test ones);
the Workbench's own seeded split then decides train / validation / test. The package already
centres and scales the whole set (one mean, one standard deviation), so the signals are used as
they are (preprocessing "none"): a per-position standardization would reshape the very curves a
convolution reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.raw import RawData, int_option

PAPER_SEED = 42
LENGTH = 40


def paper_arguments() -> dict[str, Any]:
    """The package's default ``make_dataset`` arguments (those of the paper)."""
    try:
        from mnist1d.data import get_dataset_args
    except ImportError as exc:
        raise DataError("dataset 'mnist1d' needs the mnist1d package; found none: "
                        "pip install mnist1d") from exc
    return dict(get_dataset_args(as_dict=True))


def make_signals(seed: int = PAPER_SEED, samples: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 (samples, 40), y int64): the package's train rows, then its test rows."""
    import random

    from mnist1d.data import make_dataset
    from mnist1d.utils import ObjectView

    args = {**paper_arguments(), "seed": int(seed), "num_samples": int(samples)}
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        made = make_dataset(ObjectView(args))
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    x = np.concatenate([made["x"], made["x_test"]]).astype(np.float32)
    y = np.concatenate([made["y"], made["y_test"]]).astype(np.int64)
    if x.shape != (samples, LENGTH):
        raise DataError(f"dataset 'mnist1d': expected {samples} signals of {LENGTH} points "
                        f"from mnist1d.make_dataset, found shape {x.shape}")
    return x, y


def load_mnist1d(options: dict[str, Any]) -> RawData:
    """MNIST-1D signals: input (40,), 10 classes."""
    seed = int_option(options, "seed", PAPER_SEED, 0, 2**31 - 1)
    samples = int_option(options, "samples", 5000, 100, 1_000_000)
    if samples % 10:
        raise DataError(f"option 'samples' must be a multiple of 10 (one tenth per digit), "
                        f"found {samples}")
    unknown = sorted(set(options) - {"seed", "samples"})
    if unknown:
        raise DataError(f"dataset 'mnist1d': unknown option(s) {', '.join(unknown)}; expected "
                        f"seed, samples")
    x, y = make_signals(seed, samples)
    return RawData(x=x, y=y, class_names=[str(i) for i in range(10)], prep="none")
