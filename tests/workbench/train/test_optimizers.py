from __future__ import annotations

import pytest
import torch

from workbench.train.config import TrainConfig
from workbench.train.optimizers import fused_note, make_optimizer, optimizer_names


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


FUSED_IN_TORCH = ["sgd", "adagrad", "adam", "adamw"]  # torch.optim classes with fused=


@pytest.mark.parametrize("name", optimizer_names())
def test_the_fused_kernel_is_taken_where_torch_offers_it(name):
    import inspect

    import torch
    from torch.utils._foreach_utils import _get_fused_kernels_supported_devices

    params = [torch.nn.Parameter(torch.zeros(3, 2))]
    optimizer = make_optimizer(params, TrainConfig(optimizer=name, lr=0.1))
    offered = "fused" in inspect.signature(type(optimizer).__init__).parameters \
        and "cpu" in _get_fused_kernels_supported_devices()
    assert offered == (name in FUSED_IN_TORCH)
    assert bool(optimizer.param_groups[0].get("fused")) == offered
    assert (fused_note(optimizer) is None) == offered
    if not offered:
        assert fused_note(optimizer) == (f"{type(optimizer).__name__} runs without a fused "
                                         f"kernel: torch {torch.__version__.split('+')[0]} "
                                         f"has none for it")


def test_a_refused_fused_kernel_is_said_not_silent():
    import torch

    # torch has no fused kernel for tensors on the meta device: the default runs, with why
    params = [torch.nn.Parameter(torch.zeros(3, device="meta"))]
    optimizer = make_optimizer(params, TrainConfig(optimizer="adam", lr=0.1))
    assert not optimizer.param_groups[0].get("fused")
    note = fused_note(optimizer)
    assert note == "Adam runs without torch's fused kernel (no fused kernel for parameters on meta)"
