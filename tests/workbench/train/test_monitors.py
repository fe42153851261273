"""Dead-unit monitoring: which activations can die."""

from __future__ import annotations

import torch

from workbench.train.monitors import activation_modules, dead_fractions


def test_a_leaky_relu_cannot_die_but_a_relu_can():
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4),
                              torch.nn.LeakyReLU(0.01), torch.nn.LeakyReLU(0.0))
    assert sorted(activation_modules(net)) == ["1", "4"]  # the 0-slope LeakyReLU is a ReLU
    with torch.no_grad():
        net[0].bias.fill_(-100.0)  # every ReLU unit negative for every input: dead
    assert dead_fractions(net, torch.randn(8, 3))["1"] == 1.0
