from __future__ import annotations

import pytest

from workbench.data import load_dataset
from workbench.graph.templates import mlp


@pytest.fixture(scope="session")
def moons():
    return load_dataset({"name": "moons", "options": {"n_samples": 300}})


@pytest.fixture
def spec():
    return mlp(2, hidden=(16,), num_classes=2, dropout=0.1)
