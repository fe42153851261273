from __future__ import annotations

import pytest

from workbench.train.config import TrainConfig


def test_round_trip_and_int_to_float():
    c = TrainConfig.from_dict({"lr": 1, "epochs": 3})
    assert c.lr == 1.0 and TrainConfig.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("data, message", [
    ({"epochs": 0}, "'epochs' must be between 1"),
    ({"optimizer": "lion"}, "'optimizer' must be one of sgd"),
    ({"lr": "fast"}, "'lr' must be float, found 'fast'"),
    ({"batch_size": True}, "'batch_size' must be int"),
    ({"colour": 1}, "unknown training setting(s) colour"),
    ({"nesterov": True}, "'nesterov' needs optimizer sgd with momentum > 0"),
])
def test_bad_values_name_field_expected_and_found(data, message):
    with pytest.raises(ValueError) as info:
        TrainConfig.from_dict(data)
    assert message in str(info.value)
