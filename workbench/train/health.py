"""Hidden-danger checks: small functions over a run's per-epoch metrics.

Each check takes the metric history (one dict per epoch, as in metrics.jsonl) and a context
(class counts, number of classes, config, where a NaN appeared) and returns findings written for
people: what happened, why it matters, what to do. The CLI summary and the app's health panel
show the same findings.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

History = list[dict[str, Any]]


@dataclass
class Finding:
    code: str
    severity: str  # "info" | "warning" | "error"
    title: str
    explanation: str
    fix: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _series(history: History, key: str) -> list[float]:
    return [float(h[key]) for h in history if isinstance(h.get(key), (int, float))]


def check_overfitting(history: History, context: dict[str, Any]) -> list[Finding]:
    """Validation loss rising for 3+ epochs after its minimum while training loss keeps falling."""
    val, train = _series(history, "val_loss"), _series(history, "train_loss")
    if len(val) < 5 or len(train) != len(val):
        return []
    best = min(range(len(val)), key=val.__getitem__)
    rising = len(val) - 1 - best
    if rising < 3 or train[-1] >= train[best] or val[-1] < val[best] * 1.05:
        return []
    gap_then, gap_now = val[best] - train[best], val[-1] - train[-1]
    return [Finding(
        "overfitting", "warning", "Overfitting: the network is memorizing the training data",
        f"Validation loss was lowest at epoch {best + 1} ({val[best]:.3f}) and has risen for "
        f"{rising} epochs to {val[-1]:.3f}, while training loss kept falling "
        f"({train[best]:.3f} -> {train[-1]:.3f}). The gap between them grew from "
        f"{gap_then:.3f} to {gap_now:.3f}: what it learns now does not carry over to new data.",
        "Use early stopping (keep the best epoch's weights), add dropout or weight decay, "
        "use a smaller network, or get more training data.",
        {"epochs": [best + 1, len(val)], "metrics": ["train_loss", "val_loss"]})]


def check_underfitting(history: History, context: dict[str, Any]) -> list[Finding]:
    """Training accuracy low and flat: the network cannot even fit the training data."""
    acc = _series(history, "train_accuracy")
    k = int(context.get("num_classes") or 2)
    if len(acc) < 5:
        return []
    chance = 1.0 / k
    recent = acc[-3:]
    if max(recent) < chance + 0.6 * (1 - chance) and max(recent) - min(acc[-5:]) < 0.02:
        return [Finding(
            "underfitting", "warning", "Underfitting: training accuracy is low and flat",
            f"Training accuracy has stayed near {recent[-1]:.1%} for the last epochs (chance is "
            f"{chance:.1%}). The network is not fitting even the data it trains on.",
            "Train longer, raise the learning rate, use a larger network, or reduce "
            "regularization (dropout, weight decay, L1/L2).",
            {"epochs": [len(acc) - 4, len(acc)], "metrics": ["train_accuracy"]})]
    return []


def check_dead_units(history: History, context: dict[str, Any]) -> list[Finding]:
    """A ReLU-family layer with >= 10% of its units never active on a validation batch."""
    if not history or not history[-1].get("dead_fraction"):
        return []
    findings = []
    for layer, fraction in history[-1]["dead_fraction"].items():
        if fraction >= 0.10:
            findings.append(Finding(
                "dead_relu", "warning" if fraction < 0.5 else "error",
                f"Dead units in '{layer}'",
                f"{fraction:.0%} of the units after '{layer}' never switched on for any "
                f"validation sample in the last epoch. A dead ReLU outputs zero and gets no "
                f"gradient, so it stops learning for good and the layer is narrower than it "
                f"looks.",
                "Lower the learning rate, use LeakyReLU, ELU or GELU instead of ReLU, add "
                "BatchNorm before the activation, or check the weight initialization.",
                {"layer": layer, "metrics": ["dead_fraction"], "value": fraction,
                 "epochs": [len(history), len(history)]}))
    return findings


def check_gradients(history: History, context: dict[str, Any]) -> list[Finding]:
    """Vanishing (far below the others) or exploding (far above, or growing fast) gradients."""
    if not history or not history[-1].get("grad_norm"):
        return []
    norms = {k: v for k, v in history[-1]["grad_norm"].items() if math.isfinite(v)}
    findings = []
    if len(norms) >= 2:
        for layer, value in norms.items():
            others = [v for k, v in norms.items() if k != layer]
            median = statistics.median(others)
            if median > 0 and value < 1e-3 * median:
                findings.append(Finding(
                    "vanishing_gradients", "warning", f"Vanishing gradients in '{layer}'",
                    f"The gradient reaching '{layer}' (norm {value:.2e}) is over 1000x smaller "
                    f"than the other layers' (median {median:.2e}), so this layer barely "
                    f"learns.",
                    "Use ReLU-family activations instead of Sigmoid/Tanh in deep stacks, add "
                    "BatchNorm or residual (Add) connections, or a shorter network.",
                    {"layer": layer, "metrics": ["grad_norm"]}))
            elif median > 0 and value > 1e3 * median:
                findings.append(Finding(
                    "exploding_gradients", "warning", f"Exploding gradients in '{layer}'",
                    f"The gradient in '{layer}' (norm {value:.2e}) is over 1000x larger than "
                    f"the other layers' (median {median:.2e}).",
                    "Enable gradient clipping, lower the learning rate, or add normalization.",
                    {"layer": layer, "metrics": ["grad_norm"]}))
    if len(history) >= 3 and history[-3].get("grad_norm"):
        before = history[-3]["grad_norm"]
        for layer, value in norms.items():
            old = before.get(layer)
            if old and old > 0 and value / old > 100 and value > 1.0:
                findings.append(Finding(
                    "exploding_gradients", "warning", f"Gradients growing fast in '{layer}'",
                    f"The gradient norm of '{layer}' grew {value / old:.0f}x in two epochs "
                    f"({old:.2e} -> {value:.2e}); training may soon blow up.",
                    "Enable gradient clipping or lower the learning rate.",
                    {"layer": layer, "metrics": ["grad_norm"],
                     "epochs": [len(history) - 2, len(history)]}))
    return findings


def check_nan(history: History, context: dict[str, Any]) -> list[Finding]:
    at = context.get("nan_at")
    if not at:
        return []
    lr = (context.get("config") or {}).get("lr")
    return [Finding(
        "nan", "error", "The loss became NaN or infinite",
        f"At epoch {at['epoch'] + 1}, batch {at['batch'] + 1}, the loss stopped being a number "
        f"and training was stopped. This almost always means updates that are too large.",
        f"Lower the learning rate (now {lr}), enable gradient clipping, and make sure the "
        f"inputs are normalized.",
        {"epochs": [at["epoch"] + 1, at["epoch"] + 1], "metrics": ["train_loss"]})]


def check_loss_spikes(history: History, context: dict[str, Any]) -> list[Finding]:
    """Training loss jumping above 3x its running median: the learning rate is too high."""
    loss = _series(history, "train_loss")
    spikes = [i for i in range(3, len(loss))
              if loss[i] > 3 * statistics.median(loss[max(0, i - 5):i])]
    if not spikes:
        return []
    return [Finding(
        "loss_spikes", "warning", "Loss spikes: the learning rate looks too high",
        f"Training loss jumped to over 3x its recent level at epoch(s) "
        f"{', '.join(str(i + 1) for i in spikes[:5])}. Each spike undoes learning.",
        "Lower the learning rate (try 3-10x lower), add warm-up, or enable gradient clipping.",
        {"epochs": [spikes[0] + 1, spikes[-1] + 1], "metrics": ["train_loss"]})]


def check_class_imbalance(history: History, context: dict[str, Any]) -> list[Finding]:
    counts = {k: v for k, v in (context.get("class_counts") or {}).items()}
    if len(counts) < 2 or min(counts.values()) <= 0:
        return []
    largest, smallest = max(counts.values()), min(counts.values())
    findings = []
    config = context.get("config") or {}
    if largest / smallest > 3 and not config.get("balanced_sampling"):
        big = max(counts, key=counts.get)
        small = min(counts, key=counts.get)
        findings.append(Finding(
            "class_imbalance", "warning", "Class imbalance in the training data",
            f"Class '{big}' has {largest} training samples but '{small}' only {smallest} "
            f"({largest / smallest:.1f}x fewer). The network can score well by favouring the "
            f"big class and still fail on the small one.",
            "Turn on balanced sampling and judge the run by per-class precision and recall "
            "(the confusion matrix), not accuracy alone.",
            {"class_counts": counts}))
    acc = _series(history, "val_accuracy")
    majority = largest / sum(counts.values())
    if acc and majority > 0.5 and acc[-1] <= majority + 0.02:
        findings.append(Finding(
            "accuracy_hides_imbalance", "warning", "Accuracy is no better than always guessing "
            "the biggest class",
            f"Validation accuracy {acc[-1]:.1%} is about the share of the biggest class "
            f"({majority:.1%}): a network that always answers that class scores the same.",
            "Look at per-class recall in the confusion matrix and use balanced sampling.",
            {"metrics": ["val_accuracy"], "value": acc[-1]}))
    return findings


def check_learning_rate(history: History, context: dict[str, Any]) -> list[Finding]:
    """Loss creeping down (<1% per epoch over many epochs) or jumping around (noisy)."""
    loss = _series(history, "train_loss")
    if len(loss) < 6:
        return []
    findings = []
    window = loss[-5:]
    change = (window[0] - window[-1]) / max(abs(window[0]), 1e-12)
    acc = _series(history, "train_accuracy")
    if 0 <= change < 0.01 and acc and acc[-1] < 0.95:
        findings.append(Finding(
            "lr_too_low", "info", "Progress is very slow: the learning rate may be too low",
            f"Training loss fell by only {change:.2%} over the last 5 epochs while training "
            f"accuracy is {acc[-1]:.1%}.",
            "Try a 3-10x higher learning rate, or a schedule with warm-up then cosine decay.",
            {"epochs": [len(loss) - 4, len(loss)], "metrics": ["train_loss"]}))
    ups = sum(1 for a, b in zip(loss[-6:], loss[-5:]) if b > a * 1.02)
    if ups >= 3:
        findings.append(Finding(
            "noisy_loss", "info", "The training loss is noisy",
            f"Training loss went up in {ups} of the last 5 epochs. Updates are too noisy to "
            f"settle.",
            "Lower the learning rate or use a larger batch size.",
            {"epochs": [len(loss) - 4, len(loss)], "metrics": ["train_loss"]}))
    return findings


def check_leakage(history: History, context: dict[str, Any]) -> list[Finding]:
    """Validation/test samples that are exact copies of training samples."""
    overlap = context.get("split_overlap") or {}
    findings = []
    for which, name in (("val", "validation"), ("test", "test")):
        counts = overlap.get(which) or {}
        shared, total = int(counts.get("shared", 0)), int(counts.get("total", 0))
        if total == 0 or shared == 0 or shared / total < 0.01:
            continue
        severe = shared / total >= 0.05
        findings.append(Finding(
            f"leakage_{which}", "warning" if severe else "info",
            f"{shared} of {total} {name} samples also appear in the training data",
            f"{shared / total:.1%} of the {name} split are exact copies of training samples"
            + (f" ({counts.get('conflicting', 0)} with a different label)"
               if counts.get("conflicting") else "")
            + f". The network is partly graded on samples it has already seen, so {name} "
            f"accuracy overstates how it will do on new data.",
            "Remove duplicate rows (or images) before splitting, or split by a group key so "
            "copies of one item stay in one split.",
            {"split": which, "shared": shared, "total": total}))
    return findings


CHECKS: list[Callable[[History, dict[str, Any]], list[Finding]]] = [
    check_nan, check_overfitting, check_underfitting, check_dead_units, check_gradients,
    check_loss_spikes, check_class_imbalance, check_learning_rate, check_leakage]


def check_run(history: History, context: dict[str, Any] | None = None) -> list[Finding]:
    """Every check over a run's history; an error in one check never hides the others."""
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(history, context or {}))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
    return findings
