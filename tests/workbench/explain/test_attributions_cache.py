"""The explain cache: keyed by arguments and by the weights file's content."""

from __future__ import annotations

import pytest

from workbench.explain.cache import (
    artifact_name,
    cached_artifact,
    store_artifact,
    weights_path,
    weights_sha256,
)
from workbench.explain.errors import ExplainError
from workbench.runs.run_store import RunStore


@pytest.fixture()
def run(tmp_path):
    store = RunStore.create(tmp_path, "cached")
    store.save_config({"graph": {}, "dataset": {"name": "moons", "options": {}}})
    return store


def test_no_weights_is_a_clear_error(run):
    with pytest.raises(ExplainError, match="no saved weights yet"):
        weights_path(run.path)
    with pytest.raises(ExplainError, match="no checkpoint yet"):
        weights_path(run.path, "last")
    with pytest.raises(ExplainError, match="not a run folder|run folder"):
        weights_path(run.path / "nope")


def test_result_is_found_only_for_the_same_key_and_weights(run):
    import torch

    run.save_best({"w": torch.ones(3)})
    key = {"method": "ig", "samples": 4}
    assert cached_artifact(run.path, "attributions", key) is None
    store_artifact(run.path, "attributions", key, "best", {"value": 1})
    assert cached_artifact(run.path, "attributions", key) == {"value": 1}
    assert cached_artifact(run.path, "attributions", {**key, "samples": 5}) is None
    assert artifact_name("attributions", key) in run.artifacts()
    before = weights_sha256(run.path)
    run.save_best({"w": torch.zeros(3)})  # retrained: other content, same file name
    assert weights_sha256(run.path) != before
    assert cached_artifact(run.path, "attributions", key) is None
