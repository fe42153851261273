"""The data's values are checked against the network before training (no torch needed)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.graph.data_fit import check_data_fits
from workbench.graph.templates import chain, embedding_lstm, mlp


@pytest.fixture(scope="module")
def sequence():
    return load_dataset({"name": "sequence", "options": {"n_samples": 60, "vocab_size": 20}})


@pytest.fixture(scope="module")
def moons():
    return load_dataset({"name": "moons", "options": {"n_samples": 60}})


def fitted(spec, data):
    return fit_graph_to_dataset(spec, data.input_shape, data.input_dtype, data.num_classes)


def test_an_embedding_too_small_for_the_token_ids_is_named(sequence):
    spec = fitted(embedding_lstm(vocab=16, num_classes=2), sequence)
    problems = check_data_fits(spec, sequence)
    assert [p.node_id for p in problems] == ["embed"]
    assert problems[0].message == (
        "Embedding 'embed' has 16 entries (token ids 0..15), but dataset 'sequence' has token "
        "ids up to 19: set num_embeddings to at least 20")
    assert check_data_fits(fitted(embedding_lstm(vocab=20, num_classes=2), sequence),
                           sequence) == []


def test_embeddings_behind_a_reshape_are_checked_too(sequence):
    spec = chain("n", ("input", "Input", {"shape": [12], "dtype": "int64"}),
                 ("flat", "Flatten", {}),
                 ("embed", "Embedding", {"num_embeddings": 5, "embedding_dim": 4}),
                 ("pool", "Flatten", {}), ("fc", "Linear", {"out_features": 2}),
                 ("output", "Output", {"num_classes": 2}))
    assert [p.node_id for p in check_data_fits(fitted(spec, sequence), sequence)] == ["embed"]


def test_negative_token_ids(sequence):
    broken = dataclasses.replace(sequence, x_test=sequence.x_test - 5)
    spec = fitted(embedding_lstm(vocab=20, num_classes=2), sequence)
    assert "down to -" in check_data_fits(spec, broken)[0].message


def test_labels_past_the_head(moons):
    broken = dataclasses.replace(moons, y_val=np.where(moons.y_val == 1, 4, 0))
    problems = check_data_fits(fitted(mlp(2, hidden=(4,), num_classes=2), moons), broken)
    assert [p.node_id for p in problems] == ["output"]
    assert "receives 2 class scores" in problems[0].message
    assert "labels up to 4 (5 classes)" in problems[0].message
    negative = dataclasses.replace(moons, y_train=moons.y_train - 1)
    assert "negative class label" in check_data_fits(
        fitted(mlp(2, hidden=(4,), num_classes=2), moons), negative)[0].message


def test_array_dtype_and_non_finite_inputs(moons, sequence):
    spec = fitted(mlp(2, hidden=(4,), num_classes=2), moons)
    as_ints = dataclasses.replace(moons, x_train=moons.x_train.astype(np.int64))
    assert "holds int64 values" in check_data_fits(spec, as_ints)[0].message
    with_nan = moons.x_val.copy()
    with_nan[0, 0] = np.nan
    problems = check_data_fits(spec, dataclasses.replace(moons, x_val=with_nan))
    assert problems[0].node_id == "input" and "1 NaN/Inf" in problems[0].message
    tokens = fitted(embedding_lstm(vocab=20, num_classes=2), sequence)
    floats = dataclasses.replace(sequence, x_train=sequence.x_train.astype(np.float32))
    assert "takes int64 token ids" in check_data_fits(tokens, floats)[0].message


def test_a_fitting_network_has_no_problems(moons):
    assert check_data_fits(fitted(mlp(2, hidden=(4,), num_classes=2), moons), moons) == []


def test_regression_targets_must_be_finite(moons):
    spec = fitted(mlp(2, hidden=(4,), num_classes=2), moons)
    y = moons.y_train.astype(np.float32)
    y[:3] = np.nan
    regression = dataclasses.replace(moons, task="regression", y_train=y,
                                     y_val=moons.y_val.astype(np.float32),
                                     y_test=moons.y_test.astype(np.float32))
    problems = check_data_fits(spec, regression)
    assert [p.node_id for p in problems] == ["output"]
    assert "3 NaN/Inf target values" in problems[0].message
    y[:3] = 0.5
    assert check_data_fits(spec, regression) == []
