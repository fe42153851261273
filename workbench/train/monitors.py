"""Cheap training monitors: per-layer gradient norms and dead units after activations.

Gradient norms are read from the last batch of each epoch with one fused ``_foreach_norm``;
dead units are measured once per epoch on the first 256 validation samples through forward
hooks on the validation pass itself (``DeadUnitProbe``), so neither runs the network again.
"""

from __future__ import annotations

from typing import Any

ACTIVATIONS = ("ReLU", "LeakyReLU", "ELU", "GELU", "SiLU")


def layer_parameters(module: Any) -> dict[str, list[Any]]:
    """Trainable parameters grouped by layer (top-level submodule = graph node id)."""
    names = getattr(module, "node_names", None)
    attribute_to_node = {v: k for k, v in names.items()} if names else {}
    groups: dict[str, list[Any]] = {}
    for name, param in module.named_parameters():
        if not param.requires_grad:
            continue
        top = name.split(".", 1)[0]
        groups.setdefault(attribute_to_node.get(top, top), []).append(param)
    return groups


def gradient_norms(groups: dict[str, list[Any]]) -> dict[str, float]:
    """L2 norm of each layer's gradient (layers without gradients are left out)."""
    import torch

    result = {}
    for layer, params in groups.items():
        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            continue
        norms = torch._foreach_norm(grads)
        result[layer] = float(torch.linalg.vector_norm(torch.stack(norms)).item())
    return result


def activation_modules(module: Any) -> dict[str, Any]:
    """ReLU-family activation submodules by layer name."""
    names = getattr(module, "node_names", None)
    found = {}
    if names:
        for node_id, attribute in names.items():
            sub = getattr(module, attribute, None)
            if sub is not None and _can_die(sub):
                found[node_id] = sub
    else:
        for name, sub in module.named_modules():
            if _can_die(sub):
                found[name] = sub
    return found


def _can_die(sub: Any) -> bool:
    """A LeakyReLU (a non-zero slope for negative inputs) always passes some gradient: its
    units cannot die."""
    name = type(sub).__name__
    if name == "LeakyReLU":
        return float(getattr(sub, "negative_slope", 0.0)) == 0.0
    return name in ACTIVATIONS


def units_switched_on(out: Any) -> Any:
    """Per unit (a feature, or a channel of feature maps): is it > 0 for any sample?

    Reduces over the batch first, along memory order (the outermost dimension in both NCHW
    and channels-last layouts), then over positions: 6-14x faster than ``(out > 0).any``
    over a transposed copy, same answer.
    """
    import torch

    batch = out.shape[0]
    if out.dim() < 3:
        return out.reshape(batch, -1).amax(dim=0) > 0
    channels = out.shape[1]
    if out.dim() == 4 and out.is_contiguous(memory_format=torch.channels_last):
        per_position = out.permute(0, 2, 3, 1).reshape(batch, -1).amax(dim=0)
        return per_position.reshape(-1, channels).amax(dim=0) > 0
    per_position = out.reshape(batch, -1).amax(dim=0)
    return per_position.reshape(channels, -1).amax(dim=1) > 0


class DeadUnitProbe:
    """Which units of each ReLU-family layer switch on in a forward pass run inside ``with``.

    Only the first forward pass counts, and of it the first ``limit`` samples: wrapped around
    the per-epoch validation pass (batches in order, eval mode), it measures the same first
    validation samples a separate pass would, without running the network again (a separate
    pass cost about as much as the validation itself: ~10% of a small CNN's epoch).
    """

    def __init__(self, module: Any, limit: int | None = 256, enabled: bool = True) -> None:
        self.module, self.limit, self.enabled = module, limit, enabled
        self.alive: dict[str, Any] = {}
        self._handles: list[Any] = []

    def __enter__(self) -> DeadUnitProbe:
        if self.enabled:
            self._handles = [m.register_forward_hook(self._hook_for(k))
                             for k, m in activation_modules(self.module).items()]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _hook_for(self, layer: str):
        def hook(_mod: Any, _inp: Any, out: Any) -> None:
            if layer in self.alive or out.shape[0] == 0:
                return
            if self.limit is not None:
                out = out[:self.limit]
            self.alive[layer] = units_switched_on(out)

        return hook

    def fractions(self) -> dict[str, float]:
        """Per activation layer: the fraction of units never > 0 ({} if nothing ran)."""
        return {k: float(1.0 - v.float().mean().item()) for k, v in self.alive.items()}


def dead_fractions(module: Any, x_batch: Any) -> dict[str, float]:
    """Per activation layer: the fraction of units never > 0 on ``x_batch``.

    A unit is a feature (vectors) or a channel (feature maps). Runs in eval mode, no grad.
    """
    import torch

    if not activation_modules(module):
        return {}
    was_training = module.training
    with DeadUnitProbe(module, limit=None) as probe:
        try:
            module.eval()
            with torch.no_grad():
                module(x_batch)
        finally:
            module.train(was_training)
    return probe.fractions()
