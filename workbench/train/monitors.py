"""Cheap training monitors: per-layer gradient norms and dead units after activations.

Gradient norms are read from the last batch of each epoch with one fused ``_foreach_norm``;
dead units are measured once per epoch on a fixed validation batch through forward hooks. Both
cost a fraction of a percent of an epoch.
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


def dead_fractions(module: Any, x_batch: Any) -> dict[str, float]:
    """Per activation layer: the fraction of units never > 0 on ``x_batch``.

    A unit is a feature (vectors) or a channel (feature maps). Runs in eval mode, no grad.
    """
    import torch

    activations = activation_modules(module)
    if not activations:
        return {}
    alive: dict[str, torch.Tensor] = {}

    def hook_for(layer: str):
        def hook(_mod: Any, _inp: Any, out: torch.Tensor) -> None:
            if out.dim() >= 3:  # N, C, ... -> per channel
                active = (out > 0).transpose(0, 1).reshape(out.shape[1], -1).any(dim=1)
            else:
                active = (out > 0).reshape(out.shape[0], -1).any(dim=0)
            alive[layer] = active

        return hook

    handles = [m.register_forward_hook(hook_for(k)) for k, m in activations.items()]
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            module(x_batch)
    finally:
        for h in handles:
            h.remove()
        module.train(was_training)
    return {k: float(1.0 - v.float().mean().item()) for k, v in alive.items()}
