"""Hidden-danger checks: small functions over a run's per-epoch metrics.

Each check takes the metric history (one dict per epoch, as in metrics.jsonl) and a context
(class counts, number of classes, task, config, where a NaN appeared, layer order and types)
and returns findings written for people: what happened, why it matters, what to do. Then
``reconcile`` folds every symptom into the root cause that explains it, so one run's findings
never contradict each other. The CLI summary and the app's health panel show the same findings.

Modules: ``findings`` (the record), ``training_checks`` (loss and score curves),
``network_checks`` (gradients, dead units), ``data_checks`` (imbalance, leakage),
``reconcile`` (root causes). The codes are stable (docs/contracts.md lists them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.train.health.data_checks import check_class_imbalance, check_leakage
from workbench.train.health.findings import Finding, History, shown_codes
from workbench.train.health.network_checks import (
    check_dead_units,
    check_gradients,
    network_context,
)
from workbench.train.health.reconcile import reconcile
from workbench.train.health.training_checks import (
    check_learning_rate,
    check_loss_spikes,
    check_nan,
    check_overfitting,
    check_predicting_mean,
    check_underfitting,
)

__all__ = ["CHECKS", "CODES", "Finding", "History", "check_run", "network_context",
           "shown_codes"]

CHECKS: list[Callable[[History, dict[str, Any]], list[Finding]]] = [
    check_nan, check_overfitting, check_underfitting, check_predicting_mean, check_dead_units,
    check_gradients, check_loss_spikes, check_class_imbalance, check_learning_rate,
    check_leakage]

CODES = ("nan", "overfitting", "underfitting", "predicting_mean", "dead_relu",
         "vanishing_gradients", "exploding_gradients", "loss_spikes", "class_imbalance",
         "accuracy_hides_imbalance", "lr_too_low", "noisy_loss", "leakage_val", "leakage_test")


def check_run(history: History, context: dict[str, Any] | None = None) -> list[Finding]:
    """Every check over a run's history, symptoms folded into their root causes; an error in
    one check never hides the others."""
    context = context or {}
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(history, context))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
    try:
        return reconcile(findings, history, context)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return findings
