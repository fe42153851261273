from __future__ import annotations

from workbench.train.health import CODES, check_run
from workbench.train.health.training_checks import NAN_TITLE, check_predicting_mean


def codes(findings):
    return {f.code for f in findings}


def test_healthy_run_has_no_findings(history):
    h = history([1.0, 0.6, 0.4, 0.3, 0.25, 0.2], [1.0, 0.7, 0.5, 0.4, 0.35, 0.33])
    assert check_run(h, {"num_classes": 2}) == []


def test_every_finding_has_the_shared_shape(history):
    h = history([1, .6, .4, .3, .2, .1, .05], [1, .7, .5, .6, .7, .8, .9])
    (finding,) = check_run(h, {})
    assert set(finding.to_dict()) == {"code", "severity", "title", "explanation", "fix",
                                      "evidence", "layers"}
    assert finding.code in CODES


def test_overfitting(history):
    h = history([1, .6, .4, .3, .2, .1, .05], [1, .7, .5, .6, .7, .8, .9])
    (found,) = [f for f in check_run(h, {}) if f.code == "overfitting"]
    assert "epoch 3" in found.explanation and found.fix and found.severity == "warning"


def test_no_overfitting_while_validation_stays_below_training(history):
    # issue 23: two small regression sets whose validation loss stayed below the training loss
    # the whole time; it rose at the end, but the gap never widened toward overfitting
    train = [1.0, .8, .7, .62, .58, .55, .53, .52, .51, .5]
    val = [.6, .5, .42, .4, .41, .43, .45, .46, .47, .48]
    assert "overfitting" not in codes(check_run(history(train, val), {"task": "regression"}))
    # the same curves once validation climbs above training and the gap widens: overfitting
    val_above = [.6, .5, .42, .4, .45, .52, .58, .6, .62, .65]
    assert "overfitting" in codes(check_run(history(train, val_above), {"task": "regression"}))


def test_overfitting_caught_by_early_stopping_is_only_a_note(history):
    h = history([1, .6, .4, .3, .2, .1, .05], [1, .7, .5, .6, .7, .8, .9])
    (found,) = check_run(h, {"config": {"early_stopping": 3, "restore_best": True}})
    assert found.severity == "info" and "Early stopping caught it" in found.explanation


def test_underfitting():
    h = [{"epoch": i, "train_loss": 1.0, "train_accuracy": 0.34, "val_accuracy": 0.33}
         for i in range(6)]
    assert "underfitting" in codes(check_run(h, {"num_classes": 3}))


def test_nan_and_loss_spikes(history):
    (nan,) = check_run([], {"nan_at": {"epoch": 2, "batch": 5}})
    assert nan.code == "nan" and nan.title == NAN_TITLE and "epoch 3, batch 6" in \
        nan.explanation
    h = history([1, .8, .7, .6, 3.0, .5])
    assert "loss_spikes" in codes(check_run(h, {}))


def test_learning_rate_too_low(history):
    h = history([1.0, 0.999, 0.998, 0.997, 0.996, 0.995])
    for row in h:
        row["train_accuracy"] = 0.85
    assert codes(check_run(h, {"num_classes": 2})) == {"lr_too_low"}
    # at 50% (chance) it is underfitting, and the slow loss is told as its likely cause
    for row in h:
        row["train_accuracy"] = 0.5
    (found,) = check_run(h, {"num_classes": 2})
    assert found.code == "underfitting" and found.evidence["folded"] == ["lr_too_low"]
    assert "higher learning rate is the first thing to try" in found.explanation


def regression_history(r2, loss=None):
    loss = loss or [1.0 - 0.05 * i for i in range(len(r2))]
    return [{"epoch": i, "train_loss": t, "val_loss": t, "train_accuracy": None,
             "val_accuracy": None, "train_mae": 0.8, "val_mae": 0.8, "val_rmse": 1.0,
             "val_r2": r} for i, (t, r) in enumerate(zip(loss, r2))]


def test_regression_predicting_the_mean():
    (found,) = check_run(regression_history([-0.02, 0.01, 0.03]), {"task": "regression"})
    assert found.code == "predicting_mean" and "0.030" in found.explanation
    assert found.evidence["metrics"] == ["val_r2"] and found.fix
    assert check_run(regression_history([0.0, 0.3, 0.6]), {"task": "regression"}) == []
    # a classification run never gets it, even with an R² in its records
    assert check_predicting_mean(regression_history([0.0, 0.01]), {}) == []


def test_regression_runs_no_accuracy_checks():
    flat = [{"epoch": i, "train_loss": 1.0, "val_loss": 1.0, "train_accuracy": 0.3,
             "val_accuracy": 0.3, "val_r2": 0.5} for i in range(8)]
    context = {"num_classes": 3, "class_counts": {"a": 800, "b": 100, "c": 100}}
    told = {c for f in check_run(flat, context) for c in [f.code, *f.evidence.get("folded", [])]}
    assert {"underfitting", "lr_too_low", "class_imbalance"} <= told
    assert check_run(flat, {**context, "task": "regression"}) == []


def test_a_loss_that_swings_without_progress_is_a_learning_rate_warning(history):
    # measured: SGD+momentum at lr 1 on overlapping blobs
    h = history([1.13, 1.85, 1.55, 1.63, 1.2, 1.25, 1.61, 2.02, 1.49, 1.57, 1.43, 1.4])
    for row in h:
        row["train_accuracy"] = 0.5
    found = {f.code: f for f in check_run(h, {"num_classes": 4})}
    assert found["noisy_loss"].severity == "warning"
    assert "learning rate looks too high" in found["noisy_loss"].title
    # a loss that falls steadily is not swinging, however fast
    steady = history([2.0, 1.5, 1.1, 0.8, 0.6, 0.45, 0.33])
    assert check_run(steady, {}) == []


def test_swings_that_the_validation_loss_or_dropout_explain_are_only_a_note(history):
    # measured: lesson_vanishing_gradients_cured (BatchNorm, SGD+momentum); validation improves
    bn = history([0.4114, 0.2055, 0.112, 0.1167, 0.1334, 0.1591, 0.114, 0.1388],
                 [0.3, 0.15, 0.0887, 0.0781, 0.1223, 0.0599, 0.033, 0.0268])
    found = {f.code: f for f in check_run(bn, {"num_classes": 2})}
    assert found["noisy_loss"].severity == "info"
    assert "validation loss is still improving" in found["noisy_loss"].explanation
    # measured: lesson_overfitting_cured (Dropout 0.5 on 105 samples); validation does not improve
    train = [0.7369, 0.2223, 0.1634, 0.0942, 0.1658, 0.0874, 0.152, 0.0402, 0.126, 0.1479,
             0.047, 0.1792]
    val = [0.5, 0.3, 0.2, 0.15, 0.1, 0.0974, 0.3021, 0.3923, 0.2781, 0.2117, 0.229, 0.25]
    plain = {f.code: f for f in check_run(history(train, val), {"num_classes": 3})}
    assert plain["noisy_loss"].severity == "warning"
    dropout = {f.code: f for f in check_run(history(train, val), {
        "num_classes": 3, "layer_types": {"fc1": "Linear", "drop1": "Dropout"}})}
    assert dropout["noisy_loss"].severity == "info"
    assert "Dropout (drop1)" in dropout["noisy_loss"].explanation
