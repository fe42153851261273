"""One attribution per sample with captum, reduced to what a person looks at.

:class:`Attributor` wraps a compiled run module and one method; called with one model input
(a batch of one) and the output index to explain, it returns:

- image (N x C x H x W floats): an H x W map, channels summed (absolute gradients for
  saliency); Grad-CAM's map of the chosen conv layer is upsampled (bilinear) to H x W;
- tabular / features: one value per model input column (the input flattened);
- tokens (int64 ids): one value per position (layer integrated gradients on the embedding,
  summed over the embedding dimension).

Baselines are zeros: inputs are standardized, so zero is the training mean (for token ids,
id 0). SmoothGrad (``noise_tunnel``) averages the method over noisy copies of the input, with
noise of 15 % of the input's range (Smilkov et al. 2017 recommend 10-20 %).
"""

from __future__ import annotations

from typing import Any

import numpy as np

NOISE_SAMPLES = 10
NOISE_LEVEL = 0.15


def occlusion_window(height: int, width: int) -> tuple[int, int]:
    """(window, stride) for occlusion: about an eighth of the image side (at least 2 pixels,
    at most the side), moved by half a window: 8 x 8 digits -> 2 x 2 windows, stride 1;
    224 x 224 photos -> 28 x 28, stride 14."""
    side = min(height, width)
    window = min(side, max(2, round(side / 8)))
    return window, max(1, window // 2)


class Attributor:
    """``attributor(x, target) -> np.ndarray`` for one input kind and one method."""

    def __init__(self, module: Any, kind: str, method: str, *, layer_module: Any = None,
                 steps: int = 32, noise_tunnel: bool = False) -> None:
        self.module, self.kind, self.method = module, kind, method
        self.steps, self.noise_tunnel = int(steps), bool(noise_tunnel)
        self.layer_module = layer_module
        self._explainer = self._make()

    def _make(self) -> Any:
        from captum import attr

        if self.kind == "tokens":
            return attr.LayerIntegratedGradients(self.module, self.layer_module)
        if self.method == "saliency":
            base = attr.Saliency(self.module)
        elif self.method == "ig":
            base = attr.IntegratedGradients(self.module)
        elif self.method == "gradcam":
            return attr.LayerGradCam(self.module, self.layer_module)
        elif self.method == "occlusion":
            return attr.Occlusion(self.module)
        elif self.method == "ablation":
            return attr.FeatureAblation(self.module)
        else:
            raise ValueError(f"unknown attribution method {self.method!r}")
        return attr.NoiseTunnel(base) if self.noise_tunnel else base

    def __call__(self, x: Any, target: int | None) -> np.ndarray:
        """The reduced attribution of one input ``x`` (a batch of one) for output ``target``."""
        import torch

        if self.kind == "tokens":
            raw = self._explainer.attribute(x, baselines=torch.zeros_like(x), target=target,
                                            n_steps=self.steps)
            return raw.detach().sum(dim=-1)[0].cpu().numpy()
        x = x.detach().clone().requires_grad_(True)
        raw = self._attribute(x, target).detach()
        if self.method == "gradcam":
            from captum.attr import LayerAttribution

            size = tuple(x.shape[2:])
            raw = LayerAttribution.interpolate(raw, size, "bilinear")
            return raw[0].sum(dim=0).cpu().numpy()
        if self.kind == "image":
            return raw[0].sum(dim=0).cpu().numpy()
        return raw[0].reshape(-1).cpu().numpy()

    def _attribute(self, x: Any, target: int | None) -> Any:
        if self.method == "gradcam":
            return self._explainer.attribute(x, target=target, relu_attributions=True)
        if self.method == "occlusion":
            window, stride = occlusion_window(int(x.shape[2]), int(x.shape[3]))
            channels = int(x.shape[1])
            return self._explainer.attribute(
                x, sliding_window_shapes=(channels, window, window),
                strides=(channels, stride, stride), baselines=0.0, target=target,
                perturbations_per_eval=16)
        if self.method == "ablation":
            return self._explainer.attribute(x, baselines=0.0, target=target,
                                             perturbations_per_eval=16)
        options: dict[str, Any] = {"target": target}
        if self.method == "saliency":
            options["abs"] = True
        else:
            options.update(baselines=0.0, n_steps=self.steps)
        if self.noise_tunnel:
            spread = float((x.max() - x.min()).item()) or 1.0
            options.update(nt_type="smoothgrad", nt_samples=NOISE_SAMPLES,
                           stdevs=NOISE_LEVEL * spread)
        return self._explainer.attribute(x, **options)


def predictions(module: Any, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """The module's outputs (logits or regression values) for all of ``x``, as float64
    N x K (K = 1 for a single output)."""
    import torch

    outputs = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            out = module(torch.as_tensor(x[start:start + batch_size]))
            outputs.append(out.reshape(len(out), -1).double().cpu().numpy())
    return np.concatenate(outputs) if outputs else np.zeros((0, 1))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
