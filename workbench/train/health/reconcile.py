"""Fold symptoms into the root cause that explains them, so findings never contradict.

The checks run independently, so one problem can surface several times: dead ReLUs also starve
the layers before them of gradient ("vanishing gradients") and leave the network unable to fit
("underfitting"); a NaN is preceded by exploding gradients and loss spikes. Here each symptom
that a root cause on the same run explains is removed and told inside the root's explanation,
whose ``layers`` grow by the symptom's layers and whose ``evidence["folded"]`` lists the codes
it absorbed. Two findings that would contradict each other (a learning rate "too low" next to a
noisy, spiking loss; overfitting next to a network that cannot fit its training data) are
resolved the same way.

A fold may explain a symptom but never deny a danger the curves show on their own. Reviewed
rule by rule (issue 22): every fold in :data:`ROOT_SYMPTOMS` tells the symptom as a consequence
of its root, except the three that fold ``overfitting`` (into ``loss_spikes``, ``noisy_loss``
and ``underfitting``), whose sentences say the network is *not* memorizing. Those hold only for
a validation loss that rose for a few epochs beside an unstable or stuck training loss. When
the training loss fell steadily while the validation loss rose for many epochs
(``evidence["on_its_own"]``, see ``training_checks.overfits_on_its_own``) the run is
overfitting whatever else happens: that finding is never folded, and stands beside the other
cause. ``lr_too_low`` folded into ``dead_relu``/``vanishing_gradients``/``nan`` is denied too
("not a low learning rate"), but it is a guess about a slow loss, not a danger of its own: a
network whose gradients are cut cannot be helped by a higher rate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.train.health.findings import Finding, History, name_layers
from workbench.train.health.network_checks import (
    DEAD_ERROR,
    dead_shares,
    layer_position,
    ordered_gradient_norms,
    vanishing_finding,
)

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

# root cause -> the symptoms it explains, in the order of precedence of the roots
ROOT_SYMPTOMS: list[tuple[str, tuple[str, ...]]] = [
    ("nan", ("dead_relu", "exploding_gradients", "loss_spikes", "noisy_loss", "underfitting",
             "predicting_mean", "lr_too_low")),
    ("dead_relu", ("underfitting", "predicting_mean", "lr_too_low")),
    ("vanishing_gradients", ("underfitting", "predicting_mean", "lr_too_low")),
    ("exploding_gradients", ("loss_spikes", "noisy_loss")),
    ("class_imbalance", ("accuracy_hides_imbalance",)),
    ("loss_spikes", ("noisy_loss", "lr_too_low", "overfitting")),
    ("noisy_loss", ("lr_too_low", "overfitting")),
    ("underfitting", ("lr_too_low", "overfitting")),
]


def _value(finding: Finding) -> float:
    value = finding.evidence.get("value")
    return float(value) if isinstance(value, (int, float)) else float("nan")


def _epochs(finding: Finding) -> str:
    first, last = (finding.evidence.get("epochs") or [0, 0])[:2]
    return f"epoch {first}" if first == last else f"epochs {first}-{last}"


SYMPTOM_SENTENCE: dict[str, Callable[[Finding], str]] = {
    "dead_relu": lambda f: f"Units had already died before it (oversized updates kill "
                           f"ReLUs too): {dead_shares(f.evidence.get('fractions') or {})} "
                           f"never switch on.",
    "exploding_gradients": lambda f: f"Before it, the gradients of {name_layers(f.layers)} "
                                     f"were already exploding.",
    "loss_spikes": lambda f: f"This is also why the training loss spiked ({_epochs(f)}).",
    "noisy_loss": lambda f: "This is also why the training loss is noisy.",
    "underfitting": lambda f: f"This is also why training accuracy is stuck near "
                              f"{_value(f):.1%}: the network cannot fit even its training data.",
    "predicting_mean": lambda f: f"This is also why the validation R² stays at {_value(f):.3f}: "
                                 f"the network predicts little more than the average.",
    "lr_too_low": lambda f: f"This, not a low learning rate, is also why the loss barely moves "
                            f"(down {_value(f):.2%} over the last 5 epochs).",
    "accuracy_hides_imbalance": lambda f: f"Validation accuracy ({_value(f):.1%}) is about the "
                                          f"share of the biggest class, so it says little here: "
                                          f"read the per-class recall.",
    "overfitting": lambda f: "Validation loss rose meanwhile, but with training accuracy this "
                             "low the network is not memorizing: it is not fitting at all.",
}


# where a root changes what the symptom means
UNSTABLE_NOT_MEMORIZING = ("Validation loss rose meanwhile, but with a training loss this "
                           "unstable that is the overshooting, not the network memorizing.")
ROOT_SENTENCE: dict[tuple[str, str], Callable[[Finding], str]] = {
    ("loss_spikes", "overfitting"): lambda f: UNSTABLE_NOT_MEMORIZING,
    ("noisy_loss", "overfitting"): lambda f: UNSTABLE_NOT_MEMORIZING,
    ("underfitting", "lr_too_low"): lambda f: f"Training loss fell by only {_value(f):.2%} over "
                                              f"the last 5 epochs: a 3-10x higher learning "
                                              f"rate is the first thing to try.",
}


def fold(root: Finding, symptom: Finding, sentence: str) -> None:
    """Tell ``symptom`` inside ``root``: sentence, layers, evidence, the graver severity."""
    root.explanation = f"{root.explanation} {sentence}"
    root.add_layers(symptom.layers)
    root.evidence.setdefault("folded", []).append(symptom.code)
    if SEVERITY_RANK.get(symptom.severity, 0) > SEVERITY_RANK.get(root.severity, 0):
        root.severity = symptom.severity


def reconcile(findings: list[Finding], history: History, context: dict[str, Any]
              ) -> list[Finding]:
    """The findings with every explained symptom folded into its root cause."""
    findings = _fold_starved_layers(list(findings), history, context)
    for root_code, symptoms in ROOT_SYMPTOMS:
        root = next((f for f in findings if f.code == root_code), None)
        if root is None or (root_code == "dead_relu" and not _severely_dead(root)):
            continue
        for code in symptoms:
            symptom = next((f for f in findings if f.code == code), None)
            if symptom is not None and not symptom.evidence.get("on_its_own"):
                sentence = ROOT_SENTENCE.get((root_code, code), SYMPTOM_SENTENCE[code])
                fold(root, symptom, sentence(symptom))
                findings.remove(symptom)
    return findings


def _severely_dead(finding: Finding) -> bool:
    return max((finding.evidence.get("fractions") or {}).values(), default=0.0) >= DEAD_ERROR


def _fold_starved_layers(findings: list[Finding], history: History, context: dict[str, Any]
                         ) -> list[Finding]:
    """Layers before a mostly dead activation get no gradient through it: that is the dead
    units' doing, not a separate vanishing-gradient problem."""
    dead = next((f for f in findings if f.code == "dead_relu"), None)
    vanishing = next((f for f in findings if f.code == "vanishing_gradients"), None)
    if dead is None or vanishing is None:
        return findings
    fractions = dead.evidence.get("fractions") or {}
    severe = [layer for layer, value in fractions.items() if value >= DEAD_ERROR]
    if not severe:
        return findings
    positions = [layer_position(layer, context) for layer in severe]
    last_dead = None if None in positions else max(p for p in positions if p is not None)
    starved = []
    for layer in vanishing.layers:
        position = layer_position(layer, context)
        if last_dead is None or position is None or position < last_dead:
            starved.append(layer)
    if not starved:
        return findings
    fold(dead, Finding("vanishing_gradients", dead.severity, "", "", "", layers=starved),
         f"The dead units cut the gradient's path back to the input, so {name_layers(starved)} "
         f"{'gets' if len(starved) == 1 else 'get'} a near-zero gradient too.")
    index = findings.index(vanishing)
    rest = [layer for layer in vanishing.layers if layer not in starved]
    if rest:
        values = dict(ordered_gradient_norms(history, context))
        findings[index] = vanishing_finding(rest, values, history, context)
    else:
        del findings[index]
    return findings
