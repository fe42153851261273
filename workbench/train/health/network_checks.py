"""Checks over the per-layer monitors: dead units and vanishing or exploding gradients.

Gradients are judged along the network, not against a median: a layer's gradient *vanishes*
when it is over 1000x smaller than that of some layer after it (the signal fades on its way
back to the input) and *explodes* when it is over 1000x larger than every layer after it (the
signal grows on its way back), or grew 100x in two epochs, and is above 1 in either case. A median is dragged down by the
vanishing layers of a deep Sigmoid stack, which made its healthy output layers look like
exploding ones; comparing with the layers downstream cannot contradict itself.
"""

from __future__ import annotations

import math
from typing import Any

from workbench.train.health.findings import Finding, History, name_layers

DEAD_WARNING = 0.4    # share of units never active that is worth a warning (a healthy deep
                      # ReLU net reaching 100% accuracy was measured with up to 30%)
DEAD_ERROR = 0.5      # ... and that makes the layer a root cause of other symptoms
FITS_ANYWAY = 0.95    # training accuracy at which dead units are only a note
GRADIENT_RATIO = 1e3
EXPLODING_NORM = 1.0  # below this a gradient is not large, however it compares
SATURATING = ("Sigmoid", "Tanh", "Hardsigmoid", "Hardtanh", "Softsign")


def network_context(module: Any) -> dict[str, Any]:
    """The layer order (input to output) and layer types the gradient checks use.

    For a compiled graph these are graph node ids in topological order; for any other module,
    its direct children in registration order.
    """
    names = getattr(module, "node_names", None)
    spec = getattr(module, "spec", None)
    if names and spec is not None:
        types = {node.id: node.type for node in spec.nodes if node.id in names}
        return {"layer_order": list(names), "layer_types": types}
    children = list(module.named_children())
    return {"layer_order": [name for name, _ in children],
            "layer_types": {name: type(child).__name__ for name, child in children}}


def layer_position(layer: str, context: dict[str, Any]) -> int | None:
    """Where a monitored layer sits in the network (None when the order is unknown)."""
    order = context.get("layer_order") or []
    for name in (layer, layer.split(".", 1)[0]):
        if name in order:
            return order.index(name)
    return None


def ordered_gradient_norms(history: History, context: dict[str, Any]) -> list[tuple[str, float]]:
    """The last epoch's finite per-layer gradient norms, from the input to the output."""
    if not history or not isinstance(history[-1].get("grad_norm"), dict):
        return []
    items = [(k, float(v)) for k, v in history[-1]["grad_norm"].items()
             if isinstance(v, (int, float)) and math.isfinite(v)]
    if context.get("layer_order"):
        known = {k: layer_position(k, context) for k, _ in items}
        items.sort(key=lambda kv: (known[kv[0]] is None, known[kv[0]] or 0))
    return items


def check_dead_units(history: History, context: dict[str, Any]) -> list[Finding]:
    """ReLU-family layers with >= 40% of their units never active on a validation batch
    (only a note when the network still fits its training data)."""
    if not history or not isinstance(history[-1].get("dead_fraction"), dict):
        return []
    fractions = {k: float(v) for k, v in history[-1]["dead_fraction"].items()
                 if isinstance(v, (int, float)) and v >= DEAD_WARNING}
    if not fractions:
        return []
    worst = max(fractions.values())
    shares = dead_shares(fractions)
    severity = "error" if worst >= DEAD_ERROR else "warning"
    accuracy = history[-1].get("train_accuracy")
    fits = isinstance(accuracy, (int, float)) and accuracy >= FITS_ANYWAY
    finding = Finding(
        "dead_relu", "info" if fits else severity,
        f"Dead units in {name_layers(list(fractions))}",
        f"{shares[0].upper()}{shares[1:]} never switched on for any validation sample in the "
        f"last epoch. A dead ReLU outputs zero and gets no gradient, so it stops learning "
        f"for good and the layer is narrower than it looks."
        + (f" The network still fits its training data ({accuracy:.0%} accuracy), so for now "
           f"this costs capacity rather than results." if fits else ""),
        "Lower the learning rate, use LeakyReLU, ELU or GELU instead of ReLU, add BatchNorm "
        "before the activation, or check the weight initialization.",
        {"metrics": ["dead_fraction"], "value": worst, "fractions": fractions,
         "epochs": [len(history), len(history)]})
    finding.add_layers(list(fractions))
    return [finding]


def dead_shares(fractions: dict[str, float]) -> str:
    """'64% of the units after 'act1', 67% after 'act2' and 69% after 'act3''."""
    parts = [f"{value:.0%} after '{layer}'" for layer, value in fractions.items()]
    parts[0] = parts[0].replace("after", "of the units after", 1)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def vanishing_layers(norms: list[tuple[str, float]]) -> list[str]:
    """Layers whose gradient is over 1000x smaller than that of some layer after them."""
    found = []
    for i, (layer, value) in enumerate(norms[:-1]):
        downstream = max(v for _, v in norms[i + 1:])
        if downstream > 0 and value < downstream / GRADIENT_RATIO:
            found.append(layer)
    return found


def check_gradients(history: History, context: dict[str, Any]) -> list[Finding]:
    """Vanishing (fading toward the input) or exploding (growing toward it, or over time)."""
    norms = ordered_gradient_norms(history, context)
    if not norms:
        return []
    values = dict(norms)
    findings = []
    vanishing = vanishing_layers(norms)
    if vanishing:
        findings.append(vanishing_finding(vanishing, values, history, context))
    exploding: list[str] = []
    reasons = []
    for i, (layer, value) in enumerate(norms[:-1]):
        downstream = max(v for _, v in norms[i + 1:])
        if downstream > 0 and value > GRADIENT_RATIO * downstream and value > EXPLODING_NORM:
            exploding.append(layer)
            reasons.append(f"'{layer}' gets {value:.2e}, over 1000x more than any layer after "
                           f"it ({downstream:.2e})")
    if len(history) >= 3 and isinstance(history[-3].get("grad_norm"), dict):
        before = history[-3]["grad_norm"]
        for layer, value in norms:
            old = before.get(layer)
            if isinstance(old, (int, float)) and old > 0 and value / old > 100 \
                    and value > EXPLODING_NORM:
                if layer not in exploding:
                    exploding.append(layer)
                reasons.append(f"'{layer}' grew {value / old:.0f}x in two epochs "
                               f"({old:.2e} -> {value:.2e})")
    if exploding:
        finding = Finding(
            "exploding_gradients", "warning", f"Exploding gradients in {name_layers(exploding)}",
            "The gradient grows out of proportion: " + "; ".join(reasons[:4])
            + ". Updates this large throw the weights around and training may soon blow up.",
            "Enable gradient clipping, lower the learning rate, or add normalization "
            "(BatchNorm/LayerNorm).",
            {"metrics": ["grad_norm"], "epochs": [max(1, len(history) - 2), len(history)],
             "values": {layer: values[layer] for layer in exploding}})
        finding.add_layers(exploding)
        findings.append(finding)
    return findings


def vanishing_finding(layers: list[str], values: dict[str, float], history: History,
                       context: dict[str, Any]) -> Finding:
    reference = max(values, key=values.__getitem__)
    weakest = min(layers, key=values.__getitem__)
    types = context.get("layer_types") or {}
    saturating = [k for k, t in types.items() if t in SATURATING]
    explanation = (
        f"The gradient fades on its way back from the output: '{reference}' gets "
        f"{values[reference]:.2e}, but {name_layers(layers)} "
        f"{'gets' if len(layers) == 1 else 'get'} over 1000x less than a layer after "
        f"{'it' if len(layers) == 1 else 'them'} (down to {values[weakest]:.2e} in "
        f"'{weakest}'), so {'it barely learns' if len(layers) == 1 else 'they barely learn'}.")
    if len(saturating) >= 2:
        explanation += (f" The network stacks {len(saturating)} Sigmoid/Tanh-like activations; "
                        f"each passes back only part of the gradient (a Sigmoid at most 1/4), "
                        f"so it shrinks layer by layer.")
    finding = Finding(
        "vanishing_gradients", "warning", f"Vanishing gradients in {name_layers(layers)}",
        explanation,
        "Use ReLU-family activations (ReLU, GELU) instead of Sigmoid/Tanh in deep stacks, add "
        "BatchNorm or residual (Add) connections, or use fewer layers.",
        {"metrics": ["grad_norm"], "epochs": [len(history), len(history)],
         "values": {layer: values[layer] for layer in layers}})
    finding.add_layers(layers)
    return finding
