"""Per-group metrics: equal to fairlearn's MetricFrame and fairness differences on the same
predictions; a planted noisy group gives a subgroup_gap finding; bad group columns are clear
messages."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
    selection_rate,
)
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from workbench.experiment import RunRequest, execute_run
from workbench.explain.errors import ExplainError
from workbench.explain.subgroups import (
    group_columns,
    group_values,
    subgroup_metrics,
    subgroup_report,
)
from workbench.graph.templates import mlp


def predictions(k, seed):
    rng = np.random.default_rng(seed)
    n = 300
    groups = rng.choice(["a", "b", "c", "d"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    y = rng.integers(0, k, size=n)
    y[groups == "d"] = 0  # a group without positives: fairlearn's undefined rates are 0
    flip = rng.random(n) < np.where(groups == "c", 0.5, 0.15)
    pred = np.where(flip, rng.integers(0, k, size=n), y)
    return y, pred, groups


@pytest.mark.parametrize("k, positive", [(2, 1), (3, 2), (4, 1)])
def test_metrics_equal_fairlearn(k, positive):
    y, pred, groups = predictions(k, seed=k)
    ours = subgroup_metrics(y, pred, groups, positive)
    yb, pb = (y == positive).astype(int), (pred == positive).astype(int)  # one vs rest

    frame = MetricFrame(
        metrics={"precision": lambda t, p: precision_score(t, p, zero_division=0),
                 "recall": lambda t, p: recall_score(t, p, zero_division=0),
                 "f1": lambda t, p: f1_score(t, p, zero_division=0),
                 "selection_rate": selection_rate},
        y_true=yb, y_pred=pb, sensitive_features=groups)
    accuracy = MetricFrame(metrics=accuracy_score, y_true=y, y_pred=pred,
                           sensitive_features=groups)
    by_group = frame.by_group
    assert [r["value"] for r in ours["groups"]] == ["a", "b", "c", "d"]
    for row in ours["groups"]:
        for metric in ("precision", "recall", "f1", "selection_rate"):
            assert row[metric] == pytest.approx(by_group.loc[row["value"], metric])
        assert row["accuracy"] == pytest.approx(accuracy.by_group.loc[row["value"]])
        assert row["support"] == int((groups == row["value"]).sum())
    for metric in ("precision", "recall", "f1", "selection_rate"):
        assert ours["overall"][metric] == pytest.approx(frame.overall[metric])
    assert ours["overall"]["accuracy"] == pytest.approx(accuracy.overall)
    assert ours["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(yb, pb, sensitive_features=groups))
    assert ours["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(yb, pb, sensitive_features=groups))
    assert ours["equalized_odds_difference"] > 0 and ours["demographic_parity_difference"] > 0


def test_numeric_columns_with_many_values_are_quartiles_of_train():
    val = np.array([str(v) for v in range(0, 300, 2)] + ["NA"], dtype=object)
    train = np.array([str(v) for v in range(0, 400, 4)], dtype=object)  # quartiles ~99, 198
    cells, order, binning = group_values("age", val, train)
    assert binning["edges"] == pytest.approx(np.quantile(np.arange(0, 400, 4),
                                                         [0.25, 0.5, 0.75]))
    assert order == ["<= 99", "(99, 198]", "(198, 297]", "> 297", "(missing)"]
    assert list(cells[[0, 50, 100, 149, 150]]) == ["<= 99", "(99, 198]", "(198, 297]", "> 297",
                                                  "(missing)"]
    few, order, binning = group_values("n", np.array(["2", "10", "2", "1"]), np.array([]))
    assert order == ["1", "2", "10"] and binning is None


@pytest.mark.parametrize("cells, message", [
    (["x"] * 30, "column 'c' has a single value 'x' in the validation split; expected at "
                 "least 2"),
    ([f"id{i}" for i in range(60)], "column 'c' has 60 distinct values in the validation "
                                    "split: it looks like an id"),
])
def test_bad_group_columns(cells, message):
    with pytest.raises(ExplainError) as info:
        group_values("c", np.array(cells, dtype=object), np.array(cells, dtype=object))
    assert message in str(info.value)


@pytest.fixture(scope="module")
def noisy_site_run(tmp_path_factory):
    """x > 0 decides the label, except at site C where 45% of the labels are flipped; 'site'
    is kept out of the model's inputs."""
    rng = np.random.default_rng(0)
    n = 600
    folder = tmp_path_factory.mktemp("data")
    x = rng.normal(size=(n, 2))
    site = rng.choice(["A", "B", "C"], size=n)
    label = (x[:, 0] > 0).astype(int)
    flip = (site == "C") & (rng.random(n) < 0.45)
    label[flip] = 1 - label[flip]
    lines = ["x0,x1,site,label"] + [f"{a:.4f},{b:.4f},{s},{'yes' if t else 'no'}"
                                    for (a, b), s, t in zip(x, site, label)]
    (folder / "sites.csv").write_text("\n".join(lines) + "\n")
    dataset = {"name": "csv", "options": {"path": str(folder / "sites.csv"), "target": "label",
                                          "exclude": ["site"]}}
    request = RunRequest.freeze(mlp(2, hidden=(8,), num_classes=2), dataset,
                                {"epochs": 4, "device": "cpu", "batch_size": 32,
                                 "lr": 0.02},
                                tmp_path_factory.mktemp("project"), name="sites")
    return execute_run(request)["run_dir"]


def test_planted_noisy_group_gives_a_finding(noisy_site_run):
    assert group_columns(noisy_site_run) == ["x0", "x1", "site"]
    report = subgroup_report(noisy_site_run, "site")
    assert report["positive"] == "yes" and report["is_input"] is False
    assert [g["value"] for g in report["groups"]] == ["A", "B", "C"]
    assert sum(g["support"] for g in report["groups"]) == report["overall"]["support"]
    codes = [(f["code"], f["evidence"]["value"]) for f in report["findings"]]
    assert codes == [("subgroup_gap", "C")]
    finding = report["findings"][0]
    c = report["groups"][2]
    metric = finding["evidence"]["metric"]
    assert finding["severity"] == "warning"
    assert finding["title"] == (f"{metric} {c[metric]:.2f} for site=C vs "
                                f"{report['overall'][metric]:.2f} overall, {c['support']} "
                                f"samples")
    assert "Collect more rows of site=C" in finding["fix"]
    assert report["largest_gaps"][0]["group_value"] == "C"
    assert 0 <= report["demographic_parity_difference"] <= 1
    # no finding when the group is too small to judge
    assert subgroup_report(noisy_site_run, "site", min_support=10_000)["findings"] == []
    numeric = subgroup_report(noisy_site_run, "x1", positive="no")
    assert numeric["binning"] is not None and len(numeric["groups"]) == 4
    assert numeric["positive"] == "no" and numeric["is_input"] is True


def test_bad_input_messages(noisy_site_run, tmp_path):
    with pytest.raises(ExplainError, match="no column 'island' in run .*; group columns: "
                                           "x0, x1, site"):
        subgroup_report(noisy_site_run, "island")
    with pytest.raises(ExplainError, match="positive class 'maybe': expected one of the "
                                           "classes no, yes"):
        subgroup_report(noisy_site_run, "site", positive="maybe")
    request = RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 80}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32}, tmp_path, "m")
    moons = execute_run(request)["run_dir"]
    assert group_columns(moons) == []
    with pytest.raises(ExplainError, match="groups are CSV columns, and its dataset 'moons' "
                                           "has none"):
        subgroup_report(moons, "x0")


def test_groups_without_positives_are_named_in_notes():
    """A group with no row of the positive class has an undefined recall, which fairlearn counts
    as 0: the report must say so instead of letting EO difference 1.0 speak alone."""
    from workbench.explain.subgroups import subgroup_metrics, undefined_rate_notes

    y_true = np.array([1, 0, 1, 0, 0, 0, 1, 1])
    y_pred = np.array([1, 0, 1, 0, 0, 1, 1, 1])
    groups = np.array(["a", "a", "a", "a", "b", "b", "c", "c"])
    result = subgroup_metrics(y_true, y_pred, groups, 1)
    notes = undefined_rate_notes("site", "yes", result["groups"])
    assert len(notes) == 2
    assert notes[0].startswith("site=b has no 'yes'") and "undefined" in notes[0]
    assert notes[1].startswith("site=c has only 'yes' rows")
    assert result["equalized_odds_difference"] == 1.0  # what fairlearn gives, now explained
