"""The small datasets that ship inside scikit-learn (no download needed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.data.raw import RawData


def _sklearn(name: str):
    from sklearn import datasets

    return getattr(datasets, f"load_{name}")()


def load_digits(options: dict[str, Any]) -> RawData:
    """8x8 handwritten digits as 64 features (1,797 samples, 10 classes)."""
    bunch = _sklearn("digits")
    return RawData(x=bunch.data.astype(np.float32), y=bunch.target.astype(np.int64),
                   class_names=[str(i) for i in range(10)])


def load_digits_images(options: dict[str, Any]) -> RawData:
    """The same digits as 1x8x8 images (pixel values 0..16)."""
    bunch = _sklearn("digits")
    return RawData(x=bunch.images[:, None, :, :].astype(np.float32),
                   y=bunch.target.astype(np.int64), class_names=[str(i) for i in range(10)],
                   prep="image", scale=1.0 / 16.0)


def _tabular(name: str) -> RawData:
    bunch = _sklearn(name)
    return RawData(x=bunch.data.astype(np.float32), y=bunch.target.astype(np.int64),
                   class_names=[str(c) for c in bunch.target_names])


def load_iris(options: dict[str, Any]) -> RawData:
    """Fisher's iris flowers: 4 features, 3 classes."""
    return _tabular("iris")


def load_wine(options: dict[str, Any]) -> RawData:
    """Wine cultivars: 13 chemical features, 3 classes."""
    return _tabular("wine")


def load_breast_cancer(options: dict[str, Any]) -> RawData:
    """Breast cancer Wisconsin: 30 features, malignant vs benign."""
    return _tabular("breast_cancer")


def load_diabetes(options: dict[str, Any]) -> RawData:
    """Diabetes progression one year after baseline (regression): 10 features, 442 patients.

    The target is a continuous score (25 to 346); the features come pre-scaled by scikit-learn.
    """
    bunch = _sklearn("diabetes")
    return RawData(x=bunch.data.astype(np.float32), y=bunch.target.astype(np.float64),
                   class_names=[], task="regression", target="progression",
                   extra={"feature_names": [str(n) for n in bunch.feature_names]})
