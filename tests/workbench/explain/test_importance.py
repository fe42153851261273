"""Permutation importance: the features that carry the label rank first, one-hot columns of a
CSV column are shuffled together, seeded, cached, cancellable, bad input refused."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.workbench.explain.explain_runs import (
    shared_image_run,
    shared_regression_run,
    shared_signal_run,
    shared_token_run,
)
from workbench.explain.errors import ExplainCancelled, ExplainError
from workbench.explain.importance import feature_groups, permutation_importance
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def signal_run(tmp_path_factory):
    return shared_signal_run(tmp_path_factory)


def test_features_that_carry_the_label_rank_first(signal_run):
    result = permutation_importance(signal_run, repeats=3, use_cache=False)
    ranked = [row["feature"] for row in result["importance"]]
    assert result["metric"] == "accuracy" and result["baseline"] > 0.85
    assert set(ranked[:2]) == {"f0", "f3"}, result["importance"]
    assert all(row["mean"] < 0.05 for row in result["importance"][2:])
    means = [row["mean"] for row in result["importance"]]
    assert means == sorted(means, reverse=True) and result["samples"] == 60


def test_one_hot_columns_of_a_csv_column_are_one_feature(signal_run):
    result = permutation_importance(signal_run, repeats=1, use_cache=False)
    features = [row["feature"] for row in result["importance"]]
    assert sorted(features) == ["f0", "f1", "f2", "f3", "f4", "f5"]
    f3 = next(row for row in result["importance"] if row["feature"] == "f3")
    assert f3["inputs"] == ["f3=hi", "f3=lo", "f3=mid"]


def test_seeded_repeats_give_a_spread_and_the_same_numbers_again(signal_run):
    first = permutation_importance(signal_run, repeats=4, seed=7, use_cache=False)
    again = permutation_importance(signal_run, repeats=4, seed=7, use_cache=False)
    assert first["importance"] == again["importance"]
    top = first["importance"][0]
    assert top["std"] > 0 and first["repeats"] == 4


def test_cached_in_the_run_folder_and_cancel_writes_nothing(signal_run):
    run = RunStore.open(signal_run)
    before = set(run.artifacts())
    with pytest.raises(ExplainCancelled):
        permutation_importance(signal_run, repeats=2, seed=99, cancel=lambda: True)
    assert set(run.artifacts()) == before
    seen = []
    fresh = permutation_importance(signal_run, repeats=2, seed=98,
                                   progress=lambda done, total: seen.append((done, total)))
    assert not fresh["cached"] and seen[-1] == (12, 12) and len(seen) == 12
    cached = permutation_importance(signal_run, repeats=2, seed=98)
    assert cached["cached"] and cached["importance"] == fresh["importance"]
    assert len(set(run.artifacts()) - before) == 1


@pytest.mark.parametrize("repeats, seed", [(0, 0), (2.5, 0), (2, -1)])
def test_bad_arguments_are_refused_before_anything_is_written(signal_run, repeats, seed):
    run = RunStore.open(signal_run)
    before = set(run.artifacts())
    with pytest.raises(ExplainError, match="repeats|seed"):
        permutation_importance(signal_run, repeats=repeats, seed=seed)
    assert set(run.artifacts()) == before


def test_run_without_weights_is_refused(tmp_path):
    store = RunStore.create(tmp_path, "empty")
    store.save_config({"graph": {}, "dataset": {"name": "moons", "options": {}}})
    with pytest.raises(ExplainError, match="no saved weights"):
        permutation_importance(store.path)
    with pytest.raises(ExplainError, match="run folder"):
        permutation_importance(tmp_path / "nowhere")


def test_regression_uses_r2(tmp_path_factory):
    run = shared_regression_run(tmp_path_factory)
    result = permutation_importance(run, repeats=2, use_cache=False)
    assert result["metric"] == "r2" and result["baseline"] > 0.8
    assert [row["feature"] for row in result["importance"]] == ["a", "b"]
    assert result["importance"][0]["mean"] > 0.5 > abs(result["importance"][1]["mean"])


def test_image_patches_and_token_positions():
    images = SimpleNamespace(preprocessing={"kind": "image"}, input_dtype="float32",
                             input_shape=(1, 8, 8))
    patches = feature_groups(images)
    assert len(patches) == 16 and patches[5]["feature"] == "patch 1,1"
    assert patches[5]["box"] == [2, 4, 2, 4]
    covered = np.zeros((8, 8), dtype=int)
    for group in patches:
        r0, r1, c0, c1 = group["box"]
        covered[r0:r1, c0:c1] += 1
    assert (covered == 1).all()
    tokens = SimpleNamespace(preprocessing={"kind": "none"}, input_dtype="int64",
                             input_shape=(6,))
    assert [g["feature"] for g in feature_groups(tokens)] == [f"position {i}" for i in range(6)]


def test_image_run_ranks_16_patches(tmp_path_factory):
    run = shared_image_run(tmp_path_factory)
    result = permutation_importance(run, repeats=1, use_cache=False)
    assert result["input_kind"] == "image" and len(result["importance"]) == 16
    assert result["baseline"] > 0.5 and result["importance"][0]["mean"] > 0.02
    assert {row["feature"] for row in result["importance"]} == {
        f"patch {r},{c}" for r in range(4) for c in range(4)}


def test_token_run_shuffles_positions(tmp_path_factory):
    run = shared_token_run(tmp_path_factory)
    result = permutation_importance(run, repeats=2, use_cache=False)
    assert result["input_kind"] == "tokens" and result["metric"] == "accuracy"
    assert sorted(row["feature"] for row in result["importance"]) == [
        f"position {i}" for i in range(6)]
