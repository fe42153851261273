"""Dead-unit monitoring: which activations can die."""

from __future__ import annotations

import torch

from workbench.train.monitors import (
    DeadUnitProbe,
    activation_modules,
    dead_fractions,
    units_switched_on,
)


def test_a_leaky_relu_cannot_die_but_a_relu_can():
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4),
                              torch.nn.LeakyReLU(0.01), torch.nn.LeakyReLU(0.0))
    assert sorted(activation_modules(net)) == ["1", "4"]  # the 0-slope LeakyReLU is a ReLU
    with torch.no_grad():
        net[0].bias.fill_(-100.0)  # every ReLU unit negative for every input: dead
    assert dead_fractions(net, torch.randn(8, 3))["1"] == 1.0


def test_probe_reads_the_first_samples_of_the_first_pass_only():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    x = torch.randn(1000, 3)
    x[:256] = 0.0  # the first 256 switch on only the units with a positive bias
    with DeadUnitProbe(net, limit=256) as probe, torch.no_grad():
        net(x)
        net(-x)  # a second pass does not count
    assert probe.fractions() == dead_fractions(net, x[:256])
    assert probe.fractions()["1"] > 0.2 and dead_fractions(net, x)["1"] == 0.0
    assert not net._forward_hooks and not net[1]._forward_hooks  # hooks removed on exit


def test_trainer_measures_dead_units_without_an_extra_forward_pass(moons, spec):
    from workbench.train.config import TrainConfig
    from workbench.train.trainer import Trainer

    trainer = Trainer(spec, moons, TrainConfig(epochs=1, batch_size=64, device="cpu"))
    calls = []
    trainer.module.register_forward_pre_hook(lambda _m, args: calls.append(len(args[0])))
    trainer.fit()
    batches = -(-len(moons.x_train) // 64)
    assert len(calls) == batches + 1  # training batches + one validation batch of <= 1024
    assert "act1" in trainer.history[-1]["dead_fraction"]


def test_units_switched_on_in_every_layout():
    torch.manual_seed(0)
    maps = torch.randn(6, 5, 3, 4) - 1.5  # most values negative: some channels never on
    maps[:, 2] = -1.0
    maps[4, 3, 2, 1] = 0.5  # one sample, one position is enough
    for x in (maps, maps.contiguous(memory_format=torch.channels_last), maps[:, :, :, :3],
              maps.reshape(6, 5, 12), torch.randn(7, 9) - 1.0):
        expected = (x > 0).transpose(0, 1).reshape(x.shape[1], -1).any(dim=1)
        assert torch.equal(units_switched_on(x), expected)
    assert not units_switched_on(maps)[2] and units_switched_on(maps)[3]
