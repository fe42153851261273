from __future__ import annotations

from workbench.train.health import check_run


def history(train_loss, val_loss=None, **extra):
    val_loss = val_loss or train_loss
    return [{"epoch": i, "train_loss": t, "val_loss": v, "train_accuracy": 0.99,
             "val_accuracy": 0.9, **{k: v[i] for k, v in extra.items()}}
            for i, (t, v) in enumerate(zip(train_loss, val_loss))]


def codes(findings):
    return {f.code for f in findings}


def test_healthy_run_has_no_findings():
    h = history([1.0, 0.6, 0.4, 0.3, 0.25, 0.2], [1.0, 0.7, 0.5, 0.4, 0.35, 0.33])
    assert check_run(h, {"num_classes": 2}) == []


def test_overfitting():
    h = history([1, .6, .4, .3, .2, .1, .05], [1, .7, .5, .6, .7, .8, .9])
    found = [f for f in check_run(h, {}) if f.code == "overfitting"]
    assert found and "epoch 3" in found[0].explanation and found[0].fix


def test_underfitting():
    h = [{"epoch": i, "train_loss": 1.0, "train_accuracy": 0.34, "val_accuracy": 0.33}
         for i in range(6)]
    assert "underfitting" in codes(check_run(h, {"num_classes": 3}))


def test_dead_relu_threshold():
    h = history([1, .5], dead_fraction=[{"relu1": 0.0}, {"relu1": 0.25, "relu2": 0.05}])
    found = [f for f in check_run(h, {}) if f.code == "dead_relu"]
    assert [f.evidence["layer"] for f in found] == ["relu1"]


def test_vanishing_and_exploding_gradients():
    norms = {"a": 1.0, "b": 1.2, "c": 1e-5, "d": 0.9}
    assert "vanishing_gradients" in codes(check_run(history([1, .5], grad_norm=[norms, norms]),
                                                    {}))
    growing = [{"a": 0.01, "b": 0.01}, {"a": 0.1, "b": 0.01}, {"a": 5.0, "b": 0.02}]
    assert "exploding_gradients" in codes(check_run(history([1, .9, .8], grad_norm=growing),
                                                    {}))


def test_nan_and_loss_spikes():
    assert "nan" in codes(check_run([], {"nan_at": {"epoch": 2, "batch": 5}}))
    h = history([1, .8, .7, .6, 3.0, .5])
    assert "loss_spikes" in codes(check_run(h, {}))


def test_class_imbalance_and_hiding_accuracy():
    h = history([1, .9])
    for row in h:
        row["val_accuracy"] = 0.81
    found = codes(check_run(h, {"class_counts": {"a": 800, "b": 100, "c": 100}}))
    assert {"class_imbalance", "accuracy_hides_imbalance"} <= found
    assert "class_imbalance" not in codes(check_run(h, {
        "class_counts": {"a": 800, "b": 100}, "config": {"balanced_sampling": True}}))


def test_learning_rate_too_low():
    h = history([1.0, 0.999, 0.998, 0.997, 0.996, 0.995])
    for row in h:
        row["train_accuracy"] = 0.5
    assert "lr_too_low" in codes(check_run(h, {}))


def test_leakage_between_splits():
    h = history([1.0, 0.6, 0.4, 0.3, 0.25, 0.2], [1.0, 0.7, 0.5, 0.4, 0.35, 0.33])
    overlap = {"val": {"shared": 12, "total": 100, "conflicting": 2},
               "test": {"shared": 0, "total": 100, "conflicting": 0}}
    (found,) = [f for f in check_run(h, {"split_overlap": overlap})
                if f.code.startswith("leakage")]
    assert found.code == "leakage_val" and found.severity == "warning"
    assert "12 of 100 validation samples" in found.title and "2 with a different label" in \
        found.explanation
    small = {"val": {"shared": 0, "total": 100}, "test": {"shared": 0, "total": 100}}
    assert not [f for f in check_run(h, {"split_overlap": small}) if "leakage" in f.code]
