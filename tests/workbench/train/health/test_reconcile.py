from __future__ import annotations

import math

import pytest

from workbench.train.health import CHECKS, check_run, shown_codes
from workbench.train.health.reconcile import ROOT_SYMPTOMS

ORDER = {"layer_order": ["input", "fc1", "act1", "fc2", "act2", "fc3", "output"]}


def codes(findings):
    return {f.code for f in findings}


def test_layers_before_dead_units_are_the_dead_units_doing(history):
    # act2 is dead: fc1 and fc2 (before it) get no gradient; it is one problem, not two
    norms = {"fc1": 0.0, "fc2": 1e-9, "fc3": 0.05}
    h = history([1, .9], grad_norm=[norms] * 2,
                dead_fraction=[{"act1": 0.0, "act2": 1.0}] * 2)
    (found,) = check_run(h, ORDER)
    assert found.code == "dead_relu" and found.evidence["folded"] == ["vanishing_gradients"]
    assert found.layers == ["act2", "fc1", "fc2"]
    assert "'fc1' and 'fc2' get a near-zero gradient too" in found.explanation


def test_vanishing_after_the_dead_layer_stays_its_own_finding(history):
    order = {"layer_order": ["input", "fc1", "act1", "fc2", "fc3", "fc4", "output"]}
    norms = {"fc1": 1e-9, "fc2": 1e-7, "fc3": 1.0, "fc4": 1.0}
    h = history([1, .9], grad_norm=[norms] * 2, dead_fraction=[{"act1": 0.8}] * 2)
    found = {f.code: f for f in check_run(h, order)}
    assert found["dead_relu"].layers == ["act1", "fc1"]
    assert found["vanishing_gradients"].layers == ["fc2"]


def test_a_few_dead_units_do_not_explain_vanishing(history):
    norms = {"fc1": 1e-9, "fc2": 1e-7, "fc3": 1.0}
    h = history([1, .9], grad_norm=[norms] * 2, dead_fraction=[{"act2": 0.45}] * 2)
    assert codes(check_run(h, ORDER)) == {"dead_relu", "vanishing_gradients"}


def test_nan_absorbs_what_led_to_it(history):
    h = history([1, .8, .7, .6, 3.0, 2.5],
                grad_norm=[{"a": .1, "b": .1}] * 4 + [{"a": 2.0, "b": .1}, {"a": 90., "b": .1}],
                dead_fraction=[{"act1": 0.0}] * 5 + [{"act1": 0.7}])
    (found,) = check_run(h, {"nan_at": {"epoch": 6, "batch": 0}})
    assert found.code == "nan" and found.severity == "error"
    assert set(found.evidence["folded"]) >= {"loss_spikes", "exploding_gradients", "dead_relu"}
    assert "a" in found.layers and "act1" in found.layers
    assert "spiked" in found.explanation and "Units had already died" in found.explanation
    assert shown_codes([found.to_dict()]) >= {"nan", "dead_relu", "loss_spikes"}


def test_no_lr_too_low_next_to_a_noisy_loss(history):
    h = history([1.0, 0.97, 1.0, 0.97, 1.0, 0.97, 0.999])
    for row in h:
        row["train_accuracy"] = 0.85
    (found,) = check_run(h, {"num_classes": 2})
    assert found.code == "noisy_loss" and found.evidence["folded"] == ["lr_too_low"]
    assert "not a low learning rate" in found.explanation


def test_vanishing_explains_underfitting(history):
    h = [{"epoch": i, "train_loss": 1.38, "val_loss": 1.38, "train_accuracy": 0.26,
          "val_accuracy": 0.25, "grad_norm": {"fc1": 1e-8, "fc2": 1e-4, "fc3": 0.1}}
         for i in range(6)]
    (found,) = check_run(h, {"num_classes": 4})
    assert found.code == "vanishing_gradients"
    assert "training accuracy is stuck near 26.0%" in found.explanation


def test_a_root_absorbs_every_symptom_it_is_planted_with(history):
    # a tangle of nan, spikes and underfitting comes out as one finding's story
    h = history([1, .8, .7, .6, 3.0, 2.5, 2.6, 2.4])
    for row in h:
        row["train_accuracy"] = 0.3
        row["val_accuracy"] = 0.3
    found = check_run(h, {"num_classes": 4, "nan_at": {"epoch": 8, "batch": 0}})
    assert codes(found) == {"nan"}
    assert {"loss_spikes", "underfitting"} <= set(found[0].evidence["folded"])


def test_an_unstable_loss_is_not_called_memorizing(history):
    # training loss spikes while validation loss rises for 4 epochs: one learning-rate finding
    h = history([1.0, .8, .6, .5, .45, 1.8, .4], [1.0, .7, .5, .6, .7, .8, .9])
    (found,) = check_run(h, {})
    assert found.code == "loss_spikes" and found.evidence["folded"] == ["overfitting"]
    assert "not the network memorizing" in found.explanation


# --- every fold of the table: both dangers planted, and the symptom alone -------------------

LAYERS = ["input", "fc1", "act1", "fc2", "act2", "fc3", "output"]
FALLING = ([1.0, .8, .65, .55, .48, .43, .39, .36, .34, .32],
           [1.05, .85, .7, .6, .53, .48, .44, .41, .39, .37])
FLAT_VAL = [1, .8, .7, .65, .6, .6, .6, .6, .6, .6, .6]
# training/validation loss shapes that plant one or two of the loss-curve dangers
LOSS_SHAPES: dict[frozenset[str], tuple[list[float], list[float]]] = {
    frozenset(): FALLING,
    frozenset({"loss_spikes"}): ([1, .8, .7, .6, 3.0, .5, .45, .4, .37, .35], FALLING[1]),
    frozenset({"noisy_loss"}): ([1, .8, .6, .5, .4, .5, .42, .55, .45, .6], FLAT_VAL[:10]),
    frozenset({"lr_too_low"}): ([1.0, .9, .8, .75, .749, .748, .747, .746, .745, .744],
                                FALLING[1]),
    frozenset({"overfitting"}): ([1, .6, .4, .3, .2, .1, .05], [1, .7, .5, .6, .7, .8, .9]),
    frozenset({"loss_spikes", "noisy_loss"}): ([1, .8, .7, .6, 3.0, .6, .9, .6, .9, .62, .95],
                                               FLAT_VAL),
    frozenset({"loss_spikes", "lr_too_low"}): (
        [1, .8, .7, .6, 3.0, .55, .549, .548, .547, .546, .545], FLAT_VAL),
    frozenset({"loss_spikes", "overfitting"}): ([1.0, .8, .6, .5, .45, 1.8, .4],
                                                [1.0, .7, .5, .6, .7, .8, .9]),
    frozenset({"noisy_loss", "lr_too_low"}): ([1.0, .97, 1.0, .97, 1.0, .97, .999],
                                              [1.0] * 7),
    frozenset({"noisy_loss", "overfitting"}): ([1, .8, .7, .5, .4, .5, .42, .55, .45, .6],
                                               [1, .7, .5, .55, .6, .65, .7, .75, .8, .85]),
}
LOSS_CODES = {"loss_spikes", "noisy_loss", "lr_too_low", "overfitting"}


def planted(plants: set[str]) -> tuple[list[dict], dict]:
    """A history and context with exactly the dangers in ``plants``."""
    from .conftest import make_history

    train, val = LOSS_SHAPES[frozenset(plants & LOSS_CODES)]
    h = make_history(train, val)
    context: dict = {"num_classes": 2, "layer_order": LAYERS}
    if "lr_too_low" in plants or "noisy_loss" in plants:
        for row in h:  # room to improve, and not so low that it is underfitting
            row["train_accuracy"] = 0.85
    if "underfitting" in plants:
        context["num_classes"] = 4
        for row in h:
            row["train_accuracy"] = 0.3
    if "predicting_mean" in plants:
        context["task"] = "regression"
        for row in h:
            row.update(train_accuracy=None, val_accuracy=None, val_r2=0.01)
    if "nan" in plants:
        context["nan_at"] = {"epoch": len(h) - 1, "batch": 0}
    if "dead_relu" in plants:
        h[-1]["dead_fraction"] = {"act1": 0.0, "act2": 0.9}
    if "vanishing_gradients" in plants:
        for row in h:
            row["grad_norm"] = {"fc1": 1e-9, "fc2": 1e-3, "fc3": 0.1}
    if "exploding_gradients" in plants:
        for row in h:
            row["grad_norm"] = {"fc1": 50.0, "fc2": 0.01, "fc3": 0.01}
    if "class_imbalance" in plants:
        context["class_counts"] = {"a": 900, "b": 100}
        for row in h:
            row["val_accuracy"] = 0.9
    elif "accuracy_hides_imbalance" in plants:
        context["class_counts"] = {"a": 60, "b": 40}  # not imbalanced, but accuracy is 60%
        for row in h:
            row["val_accuracy"] = 0.6
    return h, context


def raw_codes(h, context) -> set[str]:
    """What the checks find before anything is folded."""
    return {f.code for check in CHECKS for f in check(h, context)}


PAIRS = [(root, symptom) for root, symptoms in ROOT_SYMPTOMS for symptom in symptoms]


@pytest.mark.parametrize("root, symptom", PAIRS, ids=[f"{r}+{s}" for r, s in PAIRS])
def test_a_fold_with_both_dangers_planted(root, symptom):
    h, context = planted({root, symptom})
    assert {root, symptom} <= raw_codes(h, context)  # the history really plants both
    found = {f.code: f for f in check_run(h, context)}
    assert symptom not in found, f"{symptom} was not folded into {root}"
    assert symptom in found[root].evidence["folded"]


SYMPTOMS = sorted({symptom for _, symptom in PAIRS})


@pytest.mark.parametrize("symptom", SYMPTOMS)
def test_a_symptom_alone_is_its_own_finding(symptom):
    h, context = planted({symptom})
    roots = {root for root, s in PAIRS if s == symptom}
    assert symptom in raw_codes(h, context) and not roots & raw_codes(h, context)
    found = {f.code: f for f in check_run(h, context)}
    assert symptom in found and not found[symptom].evidence.get("folded")


def long_overfit(n: int = 300, spikes: tuple[int, ...] = ()) -> tuple[list[float], list[float]]:
    """Training loss decaying to 0.05 while validation loss rises from 0.9 to 2.75 after an
    early minimum (the issue's wide net on small noisy data)."""
    train = [0.05 + 1.05 * math.exp(-i / 25) for i in range(n)]
    for at in spikes:
        train[at] *= 8
    best = 20
    val = [1.2 - 0.3 * i / best if i <= best else 0.9 + 1.85 * (i - best) / (n - 1 - best)
           for i in range(n)]
    return train, val


def test_the_issue_case_reports_overfitting_beside_the_spikes(history):
    train, val = long_overfit(300, spikes=(120, 190, 260))
    h = history(train, val)
    for row in h:
        row["train_accuracy"], row["val_accuracy"] = 0.99, 0.78
    found = {f.code: f for f in check_run(h, {"num_classes": 4})}
    assert {"loss_spikes", "overfitting"} <= set(found)
    assert found["overfitting"].evidence["on_its_own"] is True
    assert "(0.900) and has risen for 279 epochs to 2.750" in found["overfitting"].explanation
    assert not any("not the network memorizing" in f.explanation for f in found.values())


@pytest.mark.parametrize("root", [r for r, s in PAIRS if s == "overfitting"])
def test_steady_overfitting_is_never_folded(root, history):
    # the same root planted beside overfitting that the curves show on their own
    train, val = long_overfit(40, spikes=(25,) if root == "loss_spikes" else ())
    if root == "noisy_loss":
        train[-6:] = [train[-6] * f for f in (1.0, 1.3, 1.0, 1.35, 1.0, 1.4)]
    h = history(train, val)
    context = {"num_classes": 4}
    for row in h:
        row["train_accuracy"] = 0.3 if root == "underfitting" else 0.9
    assert {root, "overfitting"} <= raw_codes(h, context)
    found = {f.code: f for f in check_run(h, context)}
    assert {root, "overfitting"} <= set(found)
    assert "overfitting" not in found[root].evidence.get("folded", [])
    assert "not memorizing" not in found[root].explanation
    assert "not the network memorizing" not in found[root].explanation
