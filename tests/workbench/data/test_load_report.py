"""The load report in words: the same lines for the CLI, the run config and the app."""

from __future__ import annotations

from workbench.data import load_dataset
from workbench.data.load_report import report_lines, report_summary


def test_csv_report_says_every_decision(tmp_path):
    path = tmp_path / "p.csv"
    rows = [f"{'NA' if i % 10 == 0 else 30 + i % 7};{'ab'[i % 2]};"
            f"{'NA' if i == 3 else ['x', 'y', 'z'][i % 3]}" for i in range(60)]
    path.write_text("size;kind;label\n" + "\n".join(rows) + "\n")
    report = load_dataset({"name": "csv", "options": {"path": str(path)}}).load_report
    lines = report_lines(report)
    assert lines[0] == "target: label (3 classes: x, y, z) [default: the last column]"
    assert lines[1] == ("task: classification (target 'label', inferred: 3 distinct values "
                        "that are categories)")
    assert lines[2] == "delimiter: ';' (semicolon) (detected)"
    assert lines[3] == "rows: 59, 1 dropped (no target value)"
    assert lines[4] == "features: 1 numeric, 1 categorical columns -> 3 inputs"
    assert lines[5].endswith("size 6")
    assert report_summary(report) == ("target: label (3 classes: x, y, z) [default: the last "
                                      "column], 59 rows, 1 dropped, 6 cells imputed")


def test_regression_and_builtin_reports():
    iris = load_dataset({"name": "iris"}).load_report
    assert report_lines(iris)[:3] == ["target: class (3 classes: setosa, versicolor, virginica)",
                                      "task: classification (target 'class', dataset 'iris')",
                                      "samples: 150"]
    many = {"target": "price", "task": "regression", "target_range": [5.0, 50.0],
            "task_reason": "given", "rows": 10, "classes": []}
    assert report_lines(many)[0] == "target: price (regression, values 5 to 50)"
    names = {"target": "t", "task": "classification", "classes": [str(i) for i in range(9)]}
    assert "0, 1, 2, 3, 4, 5, … 3 more" in report_lines(names)[0]
