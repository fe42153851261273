"""find_mistakes: truly wrong samples, most confident first, with their raw rows; regression
residuals in the target's units, largest first."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.workbench.explain.explain_runs import (
    shared_image_run,
    shared_regression_run,
    shared_signal_run,
    shared_token_run,
)
from workbench.data.preprocessing import apply_preprocessing
from workbench.explain.errors import ExplainError
from workbench.explain.mistakes import find_mistakes
from workbench.run_model import rebuild_run


@pytest.fixture(scope="module")
def signal_run(tmp_path_factory):
    return shared_signal_run(tmp_path_factory)


def predictions(run_dir):
    rebuilt = rebuild_run(run_dir)
    with torch.no_grad():
        logits = rebuilt.module(torch.as_tensor(rebuilt.dataset.x_val))
    return rebuilt, torch.softmax(logits, dim=1).numpy()


def test_mistakes_are_truly_wrong_and_most_confident_first(signal_run):
    rebuilt, probs = predictions(signal_run)
    y, names = rebuilt.dataset.y_val, rebuilt.class_names
    result = find_mistakes(signal_run)
    truly_wrong = np.flatnonzero(probs.argmax(1) != y)
    assert result["task"] == "classification" and result["total"] == len(y)
    assert result["wrong"] == len(truly_wrong) > 0
    assert sorted(m["index"] for m in result["mistakes"]) == sorted(truly_wrong.tolist())
    confidences = [m["confidence"] for m in result["mistakes"]]
    assert confidences == sorted(confidences, reverse=True)
    for m in result["mistakes"]:
        i = m["index"]
        assert m["true"] == names[y[i]] != m["predicted"] == names[probs[i].argmax()]
        assert m["confidence"] == pytest.approx(probs[i].max(), abs=1e-5)
        assert sum(m["probabilities"].values()) == pytest.approx(1.0)
        assert m["probabilities"][m["predicted"]] == pytest.approx(m["confidence"])


def test_each_mistake_carries_its_raw_csv_row(signal_run):
    rebuilt, _ = predictions(signal_run)
    result = find_mistakes(signal_run, limit=2)
    assert len(result["mistakes"]) == min(2, result["wrong"])
    for m in result["mistakes"]:
        row = m["row"]
        assert row["label"] == m["true"] and row["f3"] in ("lo", "mid", "hi")
        encoded = apply_preprocessing(rebuilt.dataset.preprocessing, [row])
        assert np.allclose(encoded[0], rebuilt.dataset.x_val[m["index"]], atol=1e-5)


def test_regression_residuals_largest_first_in_target_units(tmp_path_factory):
    run = shared_regression_run(tmp_path_factory)
    result = find_mistakes(run, limit=5)
    assert result["task"] == "regression" and result["target"] == "price"
    sizes = [abs(r["residual"]) for r in result["residuals"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == 5
    rebuilt = rebuild_run(run)
    with torch.no_grad():
        out = rebuilt.module(torch.as_tensor(rebuilt.dataset.x_val)).numpy()[:, 0]
    scaling = rebuilt.dataset.preprocessing["target_scaling"]
    residuals = (rebuilt.dataset.y_val - out) * scaling["std"]
    assert sizes[0] == pytest.approx(np.abs(residuals).max(), rel=1e-4)
    for r in result["residuals"]:
        assert r["true"] == pytest.approx(float(r["row"]["price"]), abs=1e-3)
        assert r["residual"] == pytest.approx(r["true"] - r["predicted"])


@pytest.mark.parametrize("limit", [0, -3, 2.5, True])
def test_bad_limit_is_refused(signal_run, limit):
    with pytest.raises(ExplainError, match="limit must be a whole number"):
        find_mistakes(signal_run, limit=limit)


def test_image_mistakes_show_the_raw_pixels_in_0_1(tmp_path_factory):
    from sklearn.datasets import load_digits

    run = shared_image_run(tmp_path_factory)
    result = find_mistakes(run, limit=3)
    rebuilt = rebuild_run(run)
    assert result["wrong"] >= 1 and len(result["mistakes"]) == min(3, result["wrong"])
    raw = load_digits().images / 16.0
    for m in result["mistakes"]:
        image = np.asarray(m["image"])
        assert image.shape == (1, 8, 8) and image.min() >= 0 and image.max() <= 1
        assert "row" not in m
        # the same pixels as the digit the model saw, standardization undone
        x = rebuilt.dataset.x_val[m["index"]]
        pre = rebuilt.dataset.preprocessing
        assert np.allclose(image, (x * pre["std"][0] + pre["mean"][0]).clip(0, 1), atol=1e-4)
        assert np.abs(raw - image[0]).reshape(len(raw), -1).max(axis=1).min() < 1e-3


def test_token_mistakes_carry_the_token_ids(tmp_path_factory):
    run = shared_token_run(tmp_path_factory)
    result = find_mistakes(run, limit=4)
    x_val = rebuild_run(run).dataset.x_val
    assert result["wrong"] >= 1
    for m in result["mistakes"]:
        assert m["tokens"] == [int(t) for t in x_val[m["index"]]] and len(m["tokens"]) == 6
