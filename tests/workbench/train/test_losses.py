"""Losses per task: regression losses on standardized float targets, 'auto', task mismatches."""

from __future__ import annotations

import pytest
import torch

from workbench.train.config import TrainConfig
from workbench.train.losses import loss_task_error, losses_for, make_loss, resolve_loss

OUT = torch.tensor([[0.5], [-1.0], [3.0]])
Y = torch.tensor([0.0, 1.0, 0.5])  # (N,) targets beside (N, 1) outputs


def test_regression_losses_match_their_definitions():
    err = OUT[:, 0] - Y
    expected = {"mse": (err ** 2).mean(), "mae": err.abs().mean(),
                "huber": torch.where(err.abs() <= 1, 0.5 * err ** 2, err.abs() - 0.5).mean()}
    for name, value in expected.items():
        loss = make_loss(TrainConfig(loss=name), 1, "regression")(OUT, Y)
        assert loss.shape == () and torch.isclose(loss, value), name


def test_regression_loss_has_gradients_on_the_outputs():
    out = OUT.clone().requires_grad_(True)
    make_loss(TrainConfig(loss="mae"), 1, "regression")(out, Y).backward()
    assert torch.allclose(out.grad[:, 0], torch.sign(OUT[:, 0] - Y) / 3)


def test_auto_is_cross_entropy_for_classes_and_mse_for_regression():
    assert TrainConfig().loss == "auto"
    assert resolve_loss("auto", "classification") == "cross_entropy"
    assert resolve_loss("auto", "regression") == "mse"
    mse = make_loss(TrainConfig(), 1, "regression")(OUT, Y)
    assert torch.isclose(mse, ((OUT[:, 0] - Y) ** 2).mean())
    logits, labels = torch.tensor([[2.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 0])
    ce = make_loss(TrainConfig(), 2)(logits, labels)
    assert torch.isclose(ce, torch.nn.functional.cross_entropy(logits, labels))


def test_classification_mse_still_regresses_one_hot_probabilities():
    logits, labels = torch.tensor([[2.0, 0.0]]), torch.tensor([0])
    value = make_loss(TrainConfig(loss="mse"), 2, "classification")(logits, labels)
    p = torch.softmax(logits, dim=-1)
    assert torch.isclose(value, ((p - torch.tensor([[1.0, 0.0]])) ** 2).mean())


def test_a_loss_for_the_other_task_is_a_clear_error():
    message = loss_task_error("cross_entropy", "regression")
    assert "cross_entropy" in message and "is for classification" in message
    assert "mse" in message and "mae" in message and "huber" in message
    assert "is for regression" in loss_task_error("huber", "classification")
    assert loss_task_error("mse", "regression") is None
    assert loss_task_error("mse", "classification") is None
    with pytest.raises(ValueError, match="bce.*is for classification"):
        make_loss(TrainConfig(loss="bce"), 1, "regression")
    assert losses_for("regression") == ["huber", "mae", "mse"]


LOGITS = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.3, -0.7]])


@pytest.mark.parametrize("name", ["cross_entropy", "bce", "mse"])
def test_classification_losses_take_soft_targets(name):
    """Mixup/cutmix give (B, K) probabilities: one-hot rows score as the class indices do, and a
    blend scores as the same blend of the two one-hot losses (each loss is linear in the
    target, except mse, checked against its formula)."""
    loss = make_loss(TrainConfig(loss=name), 3)
    hard = torch.tensor([0, 2])
    onehot = torch.nn.functional.one_hot(hard, 3).float()
    assert torch.isclose(loss(LOGITS, onehot), loss(LOGITS, hard))
    other = torch.tensor([1, 1])
    soft = 0.7 * onehot + 0.3 * torch.nn.functional.one_hot(other, 3).float()
    if name == "mse":
        expected = ((torch.softmax(LOGITS, -1) - soft) ** 2).mean()
    else:
        expected = 0.7 * loss(LOGITS, hard) + 0.3 * loss(LOGITS, other)
    assert torch.isclose(loss(LOGITS, soft), expected)


def test_cross_entropy_with_soft_targets_keeps_label_smoothing():
    soft = torch.tensor([[0.6, 0.4, 0.0], [0.0, 0.0, 1.0]])
    smooth = make_loss(TrainConfig(loss="cross_entropy", label_smoothing=0.3), 3)(LOGITS, soft)
    plain = make_loss(TrainConfig(loss="cross_entropy"), 3)(LOGITS, soft)
    assert not torch.isclose(smooth, plain)
