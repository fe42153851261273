from __future__ import annotations

import pytest

from workbench.train.config import TrainConfig
from workbench.train.schedules import PlateauState, learning_rate, update_plateau


def lrs(**kw):
    c = TrainConfig(lr=1.0, epochs=10, **kw)
    return [learning_rate(c, e) for e in range(10)]


def test_shapes_of_each_schedule():
    assert lrs() == [1.0] * 10
    assert lrs(schedule="step", step_size=3, gamma=0.5)[:7] == [1, 1, 1, .5, .5, .5, .25]
    assert lrs(schedule="exponential", gamma=0.5)[2] == 0.25
    assert lrs(schedule="polynomial", power=1.0)[5] == pytest.approx(0.5)
    cosine = lrs(schedule="cosine")
    assert cosine[0] == 1.0 and cosine[5] == pytest.approx(0.5) and cosine[9] < 0.03


def test_warmup_is_linear_then_schedule():
    values = lrs(schedule="cosine", warmup_epochs=2)
    assert values[0] == pytest.approx(0.1) and values[1] == pytest.approx(0.55)
    assert values[2] == pytest.approx(1.0)


def test_plateau_cuts_after_patience():
    c = TrainConfig(lr=1.0, schedule="plateau", plateau_patience=1, gamma=0.1)
    state = PlateauState()
    for loss in (1.0, 0.9, 0.95, 0.96):
        update_plateau(c, state, loss)
    assert learning_rate(c, 4, state) == pytest.approx(0.1)
