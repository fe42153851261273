"""Calibration data for static quantization: N training samples, preprocessed as trained.

The samples come from the run's TRAINING split with the run's saved preprocessing (the rebuilt
dataset of ``workbench.run_model.rebuild_run``); validation samples are kept for measuring.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.compress.errors import CompressError

CALIBRATION_BATCH = 32


def calibration_samples(x_train: np.ndarray, samples: int, seed: int = 0) -> np.ndarray:
    """``samples`` training samples picked at random (seeded), in their original order.

    CompressError when ``samples`` is not positive or the training split is empty.
    """
    if samples < 1:
        raise CompressError(f"calibration needs at least 1 sample, found --samples {samples}")
    if x_train is None or len(x_train) == 0:
        raise CompressError("the calibration set is empty: the run's training split has no "
                            "samples (static quantization needs training samples to calibrate; "
                            "use --mode dynamic)")
    count = min(samples, len(x_train))
    index = np.sort(np.random.default_rng(seed).permutation(len(x_train))[:count])
    return np.ascontiguousarray(x_train[index])


def calibration_reader(x: np.ndarray, batch: int = CALIBRATION_BATCH) -> Any:
    """An onnxruntime ``CalibrationDataReader`` feeding ``x`` as ``input`` in batches; it can
    be rewound (ORT reads it once per calibration)."""
    from onnxruntime.quantization import CalibrationDataReader

    class _ArrayReader(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = [x[i:i + batch] for i in range(0, len(x), batch)]
            self._next = 0

        def get_next(self) -> dict[str, np.ndarray] | None:
            if self._next >= len(self._batches):
                return None
            self._next += 1
            return {"input": self._batches[self._next - 1]}

        def __len__(self) -> int:
            return len(self._batches)

        def rewind(self) -> None:
            self._next = 0

    return _ArrayReader()
