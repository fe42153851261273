from __future__ import annotations

from workbench.train.health import check_run


def codes(findings):
    return {f.code for f in findings}


def test_class_imbalance_and_hiding_accuracy(history):
    h = history([1, .9])
    for row in h:
        row["val_accuracy"] = 0.81
    found = check_run(h, {"class_counts": {"a": 800, "b": 100, "c": 100}})
    # the accuracy that hides it is a symptom of the imbalance: one finding tells both
    (imbalance,) = found
    assert imbalance.code == "class_imbalance"
    assert imbalance.evidence["folded"] == ["accuracy_hides_imbalance"]
    assert "81.0%" in imbalance.explanation
    balanced = check_run(h, {"class_counts": {"a": 800, "b": 100},
                             "config": {"balanced_sampling": True}})
    assert codes(balanced) == {"accuracy_hides_imbalance"}


def test_leakage_between_splits(history):
    h = history([1.0, 0.6, 0.4, 0.3, 0.25, 0.2], [1.0, 0.7, 0.5, 0.4, 0.35, 0.33])
    overlap = {"val": {"shared": 12, "total": 100, "conflicting": 2},
               "test": {"shared": 0, "total": 100, "conflicting": 0}}
    (found,) = [f for f in check_run(h, {"split_overlap": overlap})
                if f.code.startswith("leakage")]
    assert found.code == "leakage_val" and found.severity == "warning"
    assert "12 of 100 validation samples" in found.title and "2 with a different label" in \
        found.explanation and "accuracy overstates" in found.explanation
    (regression,) = check_run(h, {"split_overlap": overlap, "task": "regression"})
    assert "scores overstate" in regression.explanation
    small = {"val": {"shared": 0, "total": 100}, "test": {"shared": 0, "total": 100}}
    assert not [f for f in check_run(h, {"split_overlap": small}) if "leakage" in f.code]
