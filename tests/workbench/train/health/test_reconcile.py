from __future__ import annotations

from workbench.train.health import check_run, shown_codes
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


def test_roots_and_their_symptoms_never_appear_together(history):
    # every pair of the table, planted together, comes out as one finding's story
    assert all(root != symptom for root, symptoms in ROOT_SYMPTOMS for symptom in symptoms)
    h = history([1, .8, .7, .6, 3.0, 2.5, 2.6, 2.4])
    for row in h:
        row["train_accuracy"] = 0.3
        row["val_accuracy"] = 0.3
    found = codes(check_run(h, {"num_classes": 4, "nan_at": {"epoch": 8, "batch": 0}}))
    assert found == {"nan"}


def test_an_unstable_loss_is_not_called_memorizing(history):
    # training loss spikes while validation loss rises: one learning-rate finding
    h = history([1.0, .8, .6, .5, .45, 1.8, .4], [1.0, .7, .5, .6, .7, .8, .9])
    (found,) = check_run(h, {})
    assert found.code == "loss_spikes" and found.evidence["folded"] == ["overfitting"]
    assert "not the network memorizing" in found.explanation
