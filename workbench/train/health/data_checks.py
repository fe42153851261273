"""Checks about the data itself: class imbalance and samples shared between splits."""

from __future__ import annotations

from typing import Any

from workbench.train.health.findings import Finding, History, is_regression, series


def check_class_imbalance(history: History, context: dict[str, Any]) -> list[Finding]:
    """A class 3x rarer than another (without balanced sampling), and an accuracy that a
    network always answering the biggest class would score too."""
    if is_regression(context):
        return []
    counts = dict(context.get("class_counts") or {})
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
    acc = series(history, "val_accuracy")
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


def check_leakage(history: History, context: dict[str, Any]) -> list[Finding]:
    """Validation/test samples that are exact copies of training samples."""
    overlap = context.get("split_overlap") or {}
    score = "scores" if is_regression(context) else "accuracy"
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
            f"{score} overstate{'s' if score == 'accuracy' else ''} how it will do on new data.",
            "Remove duplicate rows (or images) before splitting, or split by a group key so "
            "copies of one item stay in one split.",
            {"split": which, "shared": shared, "total": total}))
    return findings
