"""The batch operations behind ``augment`` (parsing and checks: workbench/data/augment.py).

Images are augmented in pixel space: the normalized batch ``(x*scale - mean) / std`` is turned
back into [0, 1] pixels, augmented, and normalized again, so colour jitter and erasing act on
real colours. torchvision's v2 transforms draw one set of parameters per call, so:

- flips are batched: one coin per sample, ``torch.where`` between the batch and its mirror
  (no host sync on a GPU);
- crop, rotate, color and erase run per sample (one ``v2.Compose`` call each), so every sample
  gets its own draw. ``benchmarks/augment_cost.py`` measured ``hflip,crop=0.6,color=0.3`` at
  about 0.75 ms per sample on one CPU thread (47 ms per batch of 64 at 32x32, 54 ms at 64x64;
  0.8x and 0.13x of a small CNN's training step); groups sharing one draw would be cheaper
  and are not done;
- mixup and cutmix (``v2.MixUp`` / ``v2.CutMix``) draw one lambda per batch and pair each
  sample with its neighbour, as torchvision and timm do; with both, ``v2.RandomChoice``
  picks one per batch. Classification targets come back as (B, K) float probabilities.

Feature vectors: ``noise`` adds ``STD * N(0, 1)`` at the standardized numeric positions only;
``mixup`` goes through ``v2.MixUp`` on a (B, 1, 1, F) view. A regression target is a float,
which ``v2.MixUp`` does not take, so regression mixup blends samples and targets with the same
Beta(ALPHA, ALPHA) lambda and neighbour pairing, written here.

Every call runs under ``torch.random.fork_rng`` seeded by (run seed, epoch, batch index), so the
result depends only on those and the inputs, and the caller's global RNG (dropout) is untouched.
All random draws happen on the CPU generator (then copied to the device), so the same seed gives
the same augmentation on any device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.data.augment import batch_seed, canonical_augment, data_kind, noise_positions


class Augmenter:
    """``aug(xb, yb, epoch, batch) -> (xb, yb)`` for training batches on any device."""

    def __init__(self, items: list[tuple[str, float | None]], dataset: Any, seed: int,
                 device: Any) -> None:
        import torch

        from workbench.vision import import_torchvision

        import_torchvision()
        from torchvision.transforms import v2

        self.items = dict(items)
        self.text = canonical_augment(items)
        self.seed = int(seed)
        self.kind, _ = data_kind(dataset)
        self.regression = getattr(dataset, "task", "classification") == "regression"
        self.num_classes = int(getattr(dataset, "num_classes", 1))
        mixing = [name for name in ("mixup", "cutmix") if name in self.items]
        self.soft_targets = bool(mixing) and not self.regression
        self._v2 = v2
        if self.kind == "image":
            pre = dataset.preprocessing
            channels, height, width = (int(d) for d in dataset.input_shape)
            shape = (1, channels, 1, 1)
            self.mean = torch.tensor(pre["mean"], dtype=torch.float32).reshape(shape).to(device)
            self.std = torch.tensor(pre["std"], dtype=torch.float32).reshape(shape).to(device)
            self.per_sample = self._per_sample_transform((height, width))
        else:
            mask = noise_positions(dataset).astype(np.float32)
            self.noise_mask = torch.from_numpy(mask).to(device)
            self.per_sample = None
        self.mixer = None
        if self.soft_targets:
            made = [v2.MixUp(alpha=self.items["mixup"], num_classes=self.num_classes)
                    if name == "mixup" else
                    v2.CutMix(alpha=self.items["cutmix"], num_classes=self.num_classes)
                    for name in mixing]
            self.mixer = made[0] if len(made) == 1 else v2.RandomChoice(made)

    def _per_sample_transform(self, size: tuple[int, int]) -> Any:
        v2, items = self._v2, self.items
        steps: list[Any] = []
        if "crop" in items:
            steps.append(v2.RandomResizedCrop(size, scale=(float(items["crop"]), 1.0),
                                              antialias=True))
        if "rotate" in items:
            steps.append(v2.RandomRotation(float(items["rotate"]), fill=0.0))
        if "color" in items:
            s = float(items["color"])
            steps.append(v2.ColorJitter(brightness=s, contrast=s, saturation=s,
                                        hue=min(0.5, s / 4)))
        if "erase" in items:
            steps.append(v2.RandomErasing(p=float(items["erase"]), value=0.0))
        return v2.Compose(steps) if steps else None

    # call ---------------------------------------------------------------------------------
    def __call__(self, x: Any, y: Any, epoch: int, batch: int) -> tuple[Any, Any]:
        import torch

        devices = [x.device.index or 0] if x.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(batch_seed(self.seed, epoch, batch))
            with torch.no_grad():
                if self.kind == "image":
                    return self._images(x, y)
                return self._vectors(x, y)

    def _coins(self, n: int, device: Any) -> Any:
        import torch

        return (torch.rand(n) < 0.5).reshape(n, 1, 1, 1).to(device)

    def _images(self, x: Any, y: Any) -> tuple[Any, Any]:
        import torch

        channels_last = (x.is_contiguous(memory_format=torch.channels_last)
                         and not x.is_contiguous())
        functional = self._v2.functional
        pixels = (x.float() * self.std + self.mean).clamp_(0.0, 1.0)
        if "hflip" in self.items:
            pixels = torch.where(self._coins(len(x), x.device),
                                 functional.horizontal_flip(pixels), pixels)
        if "vflip" in self.items:
            pixels = torch.where(self._coins(len(x), x.device),
                                 functional.vertical_flip(pixels), pixels)
        if self.per_sample is not None:
            pixels = torch.stack([self.per_sample(sample) for sample in pixels.unbind(0)])
        if "mixup" in self.items and self.regression:
            pixels, y = self._mix_regression(pixels, y)
        elif self.mixer is not None:
            pixels, y = self.mixer(pixels, y)
        out = ((pixels - self.mean) / self.std).to(x.dtype)
        if channels_last:
            out = out.contiguous(memory_format=torch.channels_last)
        return out, y

    def _vectors(self, x: Any, y: Any) -> tuple[Any, Any]:
        import torch

        if "noise" in self.items:
            noise = torch.randn(x.shape, dtype=torch.float32).to(x.device)
            x = x + (noise * float(self.items["noise"]) * self.noise_mask).to(x.dtype)
        if "mixup" in self.items:
            if self.regression:
                x, y = self._mix_regression(x, y)
            else:
                mixed, y = self.mixer(x.reshape(len(x), 1, 1, -1), y)
                x = mixed.reshape(x.shape)
        return x, y

    def _mix_regression(self, x: Any, y: Any) -> tuple[Any, Any]:
        """``lam * a + (1 - lam) * neighbour`` for inputs and float targets alike."""
        import torch

        alpha = float(self.items["mixup"])
        lam = float(torch.distributions.Beta(torch.tensor([alpha]),
                                             torch.tensor([alpha])).sample())
        x = x * lam + x.roll(1, 0) * (1.0 - lam)
        y = y * lam + y.roll(1, 0) * (1.0 - lam)
        return x, y

