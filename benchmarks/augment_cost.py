"""Cost of ``--augment`` per training batch, beside the training step it rides on.

For a batch of 64 colour images at 32x32 and 64x64 (normalized float32, as the trainer passes
them) it times, median of ``--repeats`` calls after a warm-up:

* ``augment_ms``: the run's augmenter (``make_augmenter``) for ``--augment`` (default
  ``hflip,crop=0.6,color=0.3``): pixel space, one random draw per sample, seeded fork of the RNG;
* ``one_draw_ms``: the same v2 transforms called once on the whole batch (one draw for all 64
  samples), the lower bound per-sample draws are measured against;
* ``step_ms``: one training step (forward, backward, Adam) of a small CNN (3 conv blocks,
  32-64-128 channels, about 0.3M parameters) on that batch, channels-last, for scale.

``ratio=`` is augment_ms / step_ms: the share of training time augmentation adds when it runs
on the training thread before each step.

    .venv/bin/python benchmarks/augment_cost.py [--repeats 20] [--augment TEXT] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace
from typing import Any

import numpy as np


def fake_images(size: int, n: int = 64) -> Any:
    rng = np.random.default_rng(0)
    mean, std = [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]
    x = ((rng.random((n, 3, size, size)) - 0.5) / 0.25).astype(np.float32)
    return SimpleNamespace(x_train=x, y_train=(np.arange(n) % 10).astype(np.int64),
                           input_shape=(3, size, size), input_dtype="float32", num_classes=10,
                           task="classification", name=f"bench{size}",
                           preprocessing={"kind": "image", "scale": 1.0, "mean": mean,
                                          "std": std})


def median_ms(fn: Any, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def small_cnn() -> Any:
    import torch
    from torch import nn

    def block(i: int, o: int) -> list[Any]:
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 128),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10)).to(
        memory_format=torch.channels_last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--augment", default="hflip,crop=0.6,color=0.3")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = parser.parse_args()
    import torch

    from workbench.data.augment import make_augmenter
    from workbench.train.config import TrainConfig

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch threads={torch.get_num_threads()} augment={args.augment}")
    for size in (32, 64):
        ds = fake_images(size)
        x, y = torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train)
        x = x.contiguous(memory_format=torch.channels_last)
        aug = make_augmenter(TrainConfig(augment=args.augment), ds, "cpu")
        counter = iter(range(10**9))
        augment_ms = median_ms(lambda: aug(x, y, 0, next(counter)), args.repeats)
        one_draw = aug.per_sample
        one_draw_ms = median_ms(lambda: one_draw(x.clamp(0, 1)), args.repeats)
        model = small_cnn()
        optimizer = torch.optim.Adam(model.parameters(), 1e-3)

        def step() -> None:
            optimizer.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        step_ms = median_ms(step, args.repeats)
        print(f"size={size} batch=64 augment_ms={augment_ms:.1f} one_draw_ms={one_draw_ms:.1f} "
              f"per_sample_us={augment_ms * 1e3 / 64:.0f} step_ms={step_ms:.1f} "
              f"ratio={augment_ms / step_ms:.2f}")


if __name__ == "__main__":
    main()
