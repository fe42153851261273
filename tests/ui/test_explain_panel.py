"""Explain panel against the shared API's result shapes (fake core modules in sys.modules):
work on a background thread, progress, cancel, a second request refused, errors shown as a
message, results drawn per input kind, and remembered per run."""

from __future__ import annotations

import sys
import threading
import time
import types

import pytest

from ui.panels.explain_panel import ExplainPanel
from workbench.explain.errors import ExplainCancelled, ExplainError

IMAGE_SAMPLE = {"index": 3, "true": "7", "predicted": "1", "probability": 0.81,
                "attribution": [[0.0, 1.0], [0.5, 0.2]],
                "image": [[[0.0, 1.0], [1.0, 0.0]]]}
IMAGE_RESULT = {"method": "ig", "input_kind": "image", "weights": "best", "layer": None,
                "target": "predicted", "samples": [IMAGE_SAMPLE, {**IMAGE_SAMPLE, "index": 4}],
                "class_average": {"1": [[0.1, 0.2], [0.3, 0.4]], "7": [[1, 0], [0, 1]]},
                "seconds_per_sample": 0.01, "cached": False}
TABULAR_RESULT = {"method": "ablation", "input_kind": "tabular", "weights": "best",
                  "layer": None, "target": "predicted",
                  "feature_names": ["age", "island=A", "island=B"],
                  "columns": ["age", "island"],
                  "samples": [{"index": 0, "true": "x", "predicted": "y", "probability": 0.6,
                               "attribution": [0.5, -0.1, 0.2],
                               "column_attribution": [0.5, 0.1]}],
                  "class_average": {}, "seconds_per_sample": 0.01, "cached": True}


def fake_module(monkeypatch, name: str, **functions) -> types.ModuleType:
    module = types.ModuleType(f"workbench.explain.{name}")
    module.__dict__.update(functions)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    import workbench.explain as package

    monkeypatch.setattr(package, name, module, raising=False)
    return module


@pytest.fixture
def panel(qtbot, tmp_path):
    panel = ExplainPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 520)
    yield panel
    panel.queue.cancel_all()
    panel.wait()


def run_dir(tmp_path, name="run-a"):
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def test_image_attributions_drawn_off_the_gui_thread(monkeypatch, panel, qtbot, tmp_path):
    threads, calls = [], []

    def compute(run, method="ig", samples=8, **kw):
        threads.append(threading.current_thread())
        calls.append((method, samples, kw["layer"], kw["noise_tunnel"]))
        for i in range(samples):
            kw["progress"](i + 1, samples)
        return {**IMAGE_RESULT, "method": method}

    fake_module(monkeypatch, "attributions", methods_for=lambda run: ["saliency", "ig",
                                                                      "gradcam"],
                conv_layers=lambda run: ["conv1", "conv2"], compute_attributions=compute)
    panel.show()
    panel.set_run(run_dir(tmp_path))
    tab = panel.attributions
    panel.wait()
    assert [tab.method.itemData(i) for i in range(tab.method.count())] == ["saliency", "ig",
                                                                           "gradcam"]
    assert tab.method.currentData() == "ig" and not tab.layer.isEnabled()
    tab.method.setCurrentIndex(2)
    assert tab.layer.isEnabled() and tab.layer.currentText() == "conv2"
    tab.samples.setValue(2)
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.run_button.click()
    assert threads and threads[0] is not threading.main_thread()
    assert calls == [("gradcam", 2, "conv2", False)]
    assert tab.view.currentIndex() == 0
    assert len(tab.view.tiles) == 4  # 2 samples + 2 class averages
    assert not tab.view.tiles[0].pixmap().isNull()
    assert "2 validation sample(s)" in tab.message.text()
    shown_tiles = list(tab.view.tiles)
    panel.set_run(run_dir(tmp_path, "other"))  # another run: the old maps are gone at once
    assert not tab.view.tiles and not any(t.isVisible() for t in shown_tiles)
    panel.wait()


def test_tabular_bars_and_remembered_per_run(monkeypatch, panel, qtbot, tmp_path):
    calls = []
    fake_module(monkeypatch, "attributions", methods_for=lambda run: ["ig", "ablation"],
                conv_layers=lambda run: [],
                compute_attributions=lambda *a, **k: calls.append(a) or TABULAR_RESULT)
    panel.show()
    first, second = run_dir(tmp_path, "a"), run_dir(tmp_path, "b")
    panel.set_run(first)
    panel.wait()
    tab = panel.attributions
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.run_button.click()
    assert tab.view.currentIndex() == 1
    ticks = tab.view.plot.getAxis("left")._tickLevels[0]
    assert [name for _y, name in ticks] == ["age", "island"]  # columns, by mean |.|
    panel.set_run(second)
    panel.wait()
    assert tab.view.result is None
    panel.set_run(first)
    panel.wait()
    assert tab.view.result is TABULAR_RESULT and len(calls) == 1  # shown without computing
    (first / "best.safetensors").write_bytes(b"new weights")  # e.g. the run was resumed
    panel.set_run(second)
    panel.set_run(first)
    panel.wait()
    assert tab.view.result is None  # the old result does not explain the new weights


def test_cancel_and_second_request_refused(monkeypatch, panel, qtbot, tmp_path):
    started = threading.Event()

    def slow(run, repeats=5, seed=0, **kw):
        started.set()
        for i in range(1000):
            if kw["cancel"]():
                raise ExplainCancelled()
            kw["progress"](i, 1000)
            time.sleep(0.005)
        return {"metric": "accuracy", "baseline": 1.0, "repeats": repeats, "importance": []}

    fake_module(monkeypatch, "importance", permutation_importance=slow)
    panel.set_run(run_dir(tmp_path))
    tab = panel.importance
    tab.run_button.click()
    assert started.wait(10)
    assert tab.cancel_button.isEnabled() and not tab.run_button.isEnabled()
    tab.request()  # a second request while one runs
    assert "Already" in tab.message.text()
    qtbot.waitUntil(lambda: tab.progress.value() > 0, timeout=10_000)
    tab.cancel_button.click()
    panel.wait()
    assert "Cancelled" in tab.message.text() and tab.result is None
    assert tab.run_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_importance_bars_with_error_bars(monkeypatch, panel, qtbot, tmp_path):
    result = {"metric": "accuracy", "baseline": 0.9, "repeats": 3, "importance": [
        {"feature": "bill", "mean": 0.3, "std": 0.05, "inputs": ["bill"]},
        {"feature": "island", "mean": 0.1, "std": 0.02, "inputs": ["island=A", "island=B"]},
        {"feature": "year", "mean": -0.01, "std": 0.01, "inputs": ["year"]}]}
    fake_module(monkeypatch, "importance", permutation_importance=lambda *a, **k: result)
    panel.set_run(run_dir(tmp_path))
    tab = panel.importance
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.run_button.click()
    kinds = [type(item).__name__ for item in tab.bars]
    assert kinds == ["BarGraphItem", "ErrorBarItem"]
    assert [n for _y, n in tab.plot.getAxis("left")._tickLevels[0]] == ["bill", "island",
                                                                         "year"]
    assert "0.900" in tab.message.text()


def test_errors_are_a_message_in_the_tab(monkeypatch, panel, qtbot, tmp_path):
    def refuse(*a, **k):
        raise ExplainError("calibration needs a classification run; found regression")

    fake_module(monkeypatch, "calibration", calibration_report=refuse, fit_temperature=refuse)
    panel.set_run(run_dir(tmp_path))
    panel.show()
    with qtbot.waitSignal(panel.calibration.failed, timeout=10_000):
        panel.tabs.setCurrentWidget(panel.calibration)
    assert panel.calibration.message.text() == ("calibration needs a classification run; "
                                                "found regression")
    panel.wait()


def test_mistakes_table_probabilities_and_one_click_attribution(monkeypatch, panel, qtbot,
                                                                tmp_path):
    mistakes = {"task": "classification", "wrong": 2, "total": 40, "class_names": ["0", "1"],
                "mistakes": [{"index": 9, "true": "0", "predicted": "1", "confidence": 0.95,
                              "probabilities": {"0": 0.05, "1": 0.95},
                              "image": [[[0.0, 1.0], [1.0, 0.0]]]},
                             {"index": 2, "true": "1", "predicted": "0", "confidence": 0.7,
                              "probabilities": {"0": 0.7, "1": 0.3},
                              "image": [[[0.0, 1.0], [1.0, 0.0]]]}]}
    asked = []
    fake_module(monkeypatch, "mistakes", find_mistakes=lambda run, limit=50, **k: mistakes)
    fake_module(monkeypatch, "attributions", methods_for=lambda run: ["saliency", "ig"],
                compute_attributions=lambda run, method, samples, **k: (
                    asked.append((method, k["indices"])), IMAGE_RESULT)[1])
    panel.set_run(run_dir(tmp_path))
    panel.show()
    tab = panel.mistakes
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        panel.tabs.setCurrentWidget(tab)
    assert tab.table.rowCount() == 2 and tab.table.item(0, 1).text() == "9"
    assert tab.table.item(0, 4).text() == "0.950"
    assert not tab.table.item(0, 0).icon().isNull()  # thumbnail
    assert "#9" in tab.detail.text() and tab.explain_button.isEnabled()
    tab.table.selectRow(1)
    assert "#2" in tab.detail.text()
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.explain_button.click()
    assert asked == [("ig", [2])] and tab.view.tiles


def test_calibration_fit_shows_calibrated_diagram(monkeypatch, panel, qtbot, tmp_path):
    bins = [{"lo": i / 4, "hi": (i + 1) / 4, "confidence": i / 4 + 0.1, "accuracy": i / 5,
             "count": 5} for i in range(4)]
    state = {"t": None}

    def report(run, bins_=10, **k):
        t = state["t"]
        return {"ece": 0.12, "bins": bins, "temperature": t,
                "ece_calibrated": None if t is None else 0.03,
                "bins_calibrated": None if t is None else bins}

    def fit(run, **k):
        state["t"] = 1.7
        return {"temperature": 1.7, "ece_before": 0.12, "ece_after": 0.03}

    fake_module(monkeypatch, "calibration", calibration_report=report, fit_temperature=fit)
    panel.set_run(run_dir(tmp_path))
    tab = panel.calibration
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.run_button.click()
    assert "0.120" in tab.summary.text() and "Fit temperature" in tab.summary.text()
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.fit_button.click()
    assert "1.700" in tab.summary.text() and "Export uses it" in tab.summary.text()
    bars = [i for i in tab.plot.getPlotItem().items if type(i).__name__ == "BarGraphItem"]
    assert len(bars) == 2


def test_groups_table_and_findings(monkeypatch, panel, qtbot, tmp_path):
    metrics = {"accuracy": 0.9, "precision": 0.8, "recall": 0.93, "f1": 0.86,
               "selection_rate": 0.4, "support": 100}
    report = {"group": "island", "positive": "Adelie", "overall": metrics,
              "groups": [{"value": "Torgersen", **metrics, "recall": 0.61, "support": 47},
                         {"value": "Biscoe", **metrics, "support": 53}],
              "demographic_parity_difference": 0.12, "equalized_odds_difference": 0.32,
              "largest_gaps": [], "findings": [{
                  "code": "subgroup_gap", "severity": "warning", "title": "A group does worse",
                  "explanation": "recall 0.61 for island=Torgersen vs 0.93 overall, 47 samples",
                  "fix": "Collect more data for the group."}]}
    fake_module(monkeypatch, "subgroups", group_columns=lambda run: ["island", "sex"],
                subgroup_report=lambda run, group, **k: {**report, "group": group})
    panel.set_run(run_dir(tmp_path))
    panel.show()
    tab = panel.groups
    panel.tabs.setCurrentWidget(tab)
    panel.wait()
    assert [tab.group.itemText(i) for i in range(tab.group.count())] == ["island", "sex"]
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.run_button.click()
    assert tab.table.rowCount() == 3 and tab.table.item(1, 0).text() == "Torgersen"
    assert tab.table.item(1, 3).text() == "0.610"
    assert "0.120" in tab.fairness.text() and "0.320" in tab.fairness.text()
    assert "island=Torgersen" in tab.findings.text()


def test_window_dock_and_command(make_window):
    window = make_window()
    assert "view.explain" in window.registry.commands
    dock = window.docks["explain"]
    assert dock.widget() is window.explain
    assert dock in window.tabifiedDockWidgets(window.docks["compression"])
    window.registry.trigger("view.explain")
    assert dock.isVisible()


def test_tokens_coloured_by_weight(monkeypatch, panel, qtbot, tmp_path):
    result = {"method": "ig", "input_kind": "tokens", "samples": [
        {"index": 1, "true": "pos", "predicted": "neg", "probability": 0.7,
         "attribution": [0.9, -0.5, 0.0], "tokens": [12, 7, 3]}], "seconds_per_sample": 0.1}
    fake_module(monkeypatch, "attributions", methods_for=lambda run: ["ig"],
                conv_layers=lambda run: [], compute_attributions=lambda *a, **k: result)
    panel.show()
    panel.set_run(run_dir(tmp_path))
    panel.wait()
    tab = panel.attributions
    assert not tab.layer.isVisible()  # no conv layer: no layer choice
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        tab.run_button.click()
    assert tab.view.currentIndex() == 2
    text = tab.view.tokens.toHtml()
    assert 'background-color:#dc322f;">12<' in text  # the strongest positive: full red
    assert "rgba(28,126,214,0.55" in text  # negative: blue, weaker


def test_regression_residuals(monkeypatch, panel, qtbot, tmp_path):
    result = {"task": "regression", "total": 30, "target": "price", "residuals": [
        {"index": 4, "true": 10.0, "predicted": 4.5, "residual": 5.5,
         "row": {"rooms": 3, "town": "A"}},
        {"index": 8, "true": 2.0, "predicted": 5.0, "residual": -3.0,
         "row": {"rooms": 1, "town": "B"}}]}
    fake_module(monkeypatch, "mistakes", find_mistakes=lambda run, limit=50, **k: result)
    panel.set_run(run_dir(tmp_path))
    panel.show()
    tab = panel.mistakes
    with qtbot.waitSignal(tab.shown, timeout=10_000):
        panel.tabs.setCurrentWidget(tab)
    headers = [tab.table.horizontalHeaderItem(i).text() for i in range(tab.table.columnCount())]
    assert headers == ["", "index", "true", "predicted", "residual", "row"]
    assert [tab.table.item(r, 4).text() for r in range(2)] == ["5.500", "-3.000"]
    assert tab.table.item(0, 5).text() == "rooms=3, town=A"
    assert "largest residuals" in tab.message.text() and "residual 5.500" in tab.detail.text()


def test_closing_the_app_cancels_running_and_queued_jobs(monkeypatch, panel, qtbot, tmp_path):
    from ui import workers

    started, stopped, measured = threading.Event(), [], []

    def slow(run, repeats=5, seed=0, **kw):
        started.set()
        for _ in range(4000):  # 20 s unless cancelled
            if kw["cancel"]():
                stopped.append(True)
                raise ExplainCancelled()
            time.sleep(0.005)
        return {"metric": "accuracy", "baseline": 1.0, "repeats": 1, "importance": []}

    fake_module(monkeypatch, "importance", permutation_importance=slow)
    fake_module(monkeypatch, "calibration",
                calibration_report=lambda *a, **k: measured.append(1) or {"ece": 0, "bins": []})
    panel.set_run(run_dir(tmp_path))
    panel.importance.run_button.click()
    assert started.wait(10)
    panel.calibration.run_button.click()  # queued behind the importance job
    assert "queued" in panel.calibration.message.text()
    assert workers.shutdown_all(30_000)  # what the window does when it closes
    assert stopped == [True]
    panel.wait()
    assert measured == [] and not panel.queue.busy()
