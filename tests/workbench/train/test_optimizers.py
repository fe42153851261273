from __future__ import annotations

import pytest
import torch

from workbench.train.config import TrainConfig
from workbench.train.optimizers import make_optimizer, optimizer_names


@pytest.mark.parametrize("name", optimizer_names())
def test_every_optimizer_takes_param_groups_with_extra_keys(name):
    a, b = torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)
    groups = [{"params": list(a.parameters()), "lr_scale": 0.1, "name": "loaded"},
              {"params": list(b.parameters()), "lr_scale": 1.0, "name": "new"}]
    optimizer = make_optimizer(groups, TrainConfig(optimizer=name, lr=0.5))
    assert [(g["name"], g["lr_scale"], g["lr"]) for g in optimizer.param_groups] == [
        ("loaded", 0.1, 0.5), ("new", 1.0, 0.5)]
    b(a(torch.ones(3, 2))).sum().backward()
    optimizer.step()
