"""Built-in regression datasets: diabetes (scikit-learn) and the noisy synthetic ones."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import load_dataset
from workbench.data.builtin import load_diabetes
from workbench.data.registry import dataset_info, dataset_task
from workbench.data.synthetic import load_noisy_linear, load_noisy_sine


@pytest.mark.parametrize("name", ["diabetes", "noisy_linear", "noisy_sine"])
def test_regression_sets_load_standardized(name):
    data = load_dataset({"name": name})
    assert data.task == "regression" and data.num_classes == 1
    assert data.y_train.dtype == np.float32 and data.y_train.ndim == 1
    assert abs(float(data.y_train.mean())) < 1e-4
    assert float(data.y_train.std()) == pytest.approx(1.0, abs=1e-3)
    assert data.preprocessing["target_scaling"]["std"] > 0
    assert dataset_task({"name": name}) == "regression"
    assert dataset_info({"name": name}) == (data.input_shape, data.input_dtype, 1)


def test_diabetes_keeps_its_raw_target():
    raw = load_diabetes({})
    assert raw.x.shape == (442, 10) and raw.target == "progression"
    assert 25 <= raw.y.min() and raw.y.max() <= 346


def test_synthetic_noise_option_sets_the_residual():
    for noise in (0.0, 1.0):
        raw = load_noisy_linear({"noise": noise, "n_samples": 2000, "n_features": 3})
        design = np.c_[np.ones(len(raw.y)), raw.x]
        coef, *_ = np.linalg.lstsq(design, raw.y, rcond=None)
        assert float((raw.y - design @ coef).std()) == pytest.approx(noise, abs=0.05)
    sine = load_noisy_sine({"noise": 0.0, "n_samples": 50})
    assert np.allclose(sine.y, np.sin(2 * sine.x[:, 0]) + 0.5 * sine.x[:, 0], atol=1e-5)


def test_classification_sets_are_not_regression():
    assert dataset_task({"name": "iris"}) == "classification"
    assert load_dataset({"name": "iris"}).task == "classification"


def test_diabetes_inputs_keep_their_names_for_explanations():
    from workbench.data.registry import load_dataset
    from workbench.explain.inputs import feature_names_of

    dataset = load_dataset({"name": "diabetes"})
    assert feature_names_of(dataset)[:4] == ["age", "sex", "bmi", "bp"]
    again = load_dataset({"name": "diabetes"}, preprocessing=dataset.preprocessing)
    assert (again.x_val == dataset.x_val).all()  # the saved names change nothing else
