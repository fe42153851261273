from __future__ import annotations

import pytest


def make_history(train_loss, val_loss=None, **extra):
    """Epoch records as the trainer writes them (train accuracy high unless given)."""
    val_loss = val_loss or train_loss
    return [{"epoch": i, "train_loss": t, "val_loss": v, "train_accuracy": 0.99,
             "val_accuracy": 0.9, **{k: v[i] for k, v in extra.items()}}
            for i, (t, v) in enumerate(zip(train_loss, val_loss))]


@pytest.fixture
def history():
    return make_history
