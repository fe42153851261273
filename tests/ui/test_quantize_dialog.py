"""Quantize dialog: the CLI's options, a real int8 variant written in the background (lineage
quantized-from) with the measured formats table and the recommendation, a float-only refusal,
the core's message for an empty calibration set, and the window's wiring."""

from __future__ import annotations

import threading

import pytest

from tests.ui.compress_fixtures import train_tiny_run
from ui.dialogs.quantize_dialog import QuantizeDialog
from workbench.compress.quantize import quantize_run
from workbench.runs.lineage import Lineage
from workbench.runs.run_store import RunStore, list_runs


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    project_dir = tmp_path_factory.mktemp("project")
    return project_dir, train_tiny_run(project_dir, hidden=(8,))


def make(qtbot, run_dir):
    dialog = QuantizeDialog(str(run_dir))
    dialog.repeats = 1
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_options_follow_mode_and_format(qtbot, tiny):
    _, run_dir = tiny
    dialog = make(qtbot, run_dir)
    assert "tiny" in dialog.header.text() and dialog.start_button.isEnabled()
    assert dialog.settings()["mode"] == "static" and dialog.settings()["fmt"] == "qdq"
    dialog.mode.setCurrentIndex(dialog.mode.findData("dynamic"))
    assert not dialog.calibration.isEnabled() and not dialog.samples.isEnabled()
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("auto"))
    assert not dialog.mode.isEnabled() and dialog.calibration.isEnabled()
    assert dialog.settings()["fmt"] == "auto"
    assert not dialog.first_float.isEnabled()  # auto measures both


def test_first_layer_in_float_is_passed_to_the_core(qtbot, tiny):
    _, run_dir = tiny
    dialog = make(qtbot, run_dir)
    assert dialog.first_float.isEnabled() and dialog.settings()["first_float"] is False
    dialog.first_float.setChecked(True)
    assert dialog.settings()["first_float"] is True
    dialog.mode.setCurrentIndex(dialog.mode.findData("dynamic"))
    assert dialog.settings()["first_float"] is False  # static int8 only


def test_measure_every_format_writes_the_variant_and_shows_the_table(qtbot, tiny,
                                                                     monkeypatch):
    project_dir, run_dir = tiny
    import workbench.compress.quantize as core

    threads, real = [], core.quantize_run
    monkeypatch.setattr(core, "quantize_run", lambda *a, **k: (
        threads.append(threading.current_thread()), real(*a, **k))[1])
    dialog = make(qtbot, run_dir)
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("auto"))
    dialog.calibration.setCurrentIndex(dialog.calibration.findData("percentile"))
    dialog.samples.setValue(64)
    with qtbot.waitSignal(dialog.variantCreated, timeout=120_000) as done:
        assert dialog.start()
        assert dialog.busy.isVisible() and not dialog.fmt.isEnabled()
    dialog.wait()
    assert threads and threads[0] is not threading.main_thread()
    report = done.args[0]
    assert report["calibration_samples"] == 64
    variant = RunStore.open(report["run_dir"])
    assert Lineage.from_dict(variant.config["lineage"]).relation == "quantized-from"
    assert variant.path.parent.parent == project_dir
    labels = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert labels[0] == "float32" and len(labels) >= 6  # float, 4 static, dynamic, …
    assert labels == [row["label"] for row in report["formats"]]
    bold = [label for r, label in enumerate(labels) if dialog.table.item(r, 0).font().bold()]
    assert bold == [report["recommend"]]
    text = dialog.recommendation.text()
    assert f"Recommendation:</b> {report['recommend']}" in text
    assert "Kept in float (most sensitive): " in text and report["run_dir"] in text


def test_an_int8_variant_is_refused(qtbot, tiny):
    _, run_dir = tiny
    int8 = quantize_run(run_dir, mode="dynamic", repeats=1)["run_dir"]
    dialog = make(qtbot, int8)
    assert "is an int8 ONNX variant" in dialog.message.text() and dialog.message.isVisible()
    assert not dialog.start_button.isEnabled() and not dialog.start()


def test_an_empty_calibration_set_shows_the_core_message(qtbot, tiny, monkeypatch):
    project_dir, run_dir = tiny
    import numpy as np

    import workbench.compress.quantize as core

    real = core._rebuild

    def no_training_samples(*args):  # a run whose training split is empty
        run, module, dataset = real(*args)
        dataset.x_train = np.zeros((0, 2), np.float32)
        return run, module, dataset

    monkeypatch.setattr(core, "_rebuild", no_training_samples)
    before = {r.path for r in list_runs(project_dir)}
    dialog = make(qtbot, run_dir)
    with qtbot.waitSignal(dialog.failed, timeout=60_000) as failed:
        dialog.start()
    dialog.wait()
    assert failed.args[0].startswith("the calibration set is empty")
    assert dialog.message.text() == failed.args[0] and dialog.message.isVisible()
    assert {r.path for r in list_runs(project_dir)} == before  # nothing written


def test_window_command_quantizes_the_selected_run(make_window, qtbot, tiny):
    project_dir, run_dir = tiny
    window = make_window()
    runs = window.training.runs
    runs.set_project_dir(project_dir)
    runs.select_runs([run_dir])
    window.registry.update_enabled()
    assert window.registry.actions["training.quantize"].isEnabled()
    window.registry.trigger("training.quantize")
    dialog = window.compression.actions.dialogs["quantize"]
    assert dialog.run_dir == str(run_dir)
    dialog.repeats = 1
    dialog.mode.setCurrentIndex(dialog.mode.findData("dynamic"))
    with qtbot.waitSignal(window.compression.actions.variantShown, timeout=120_000) as shown:
        dialog.start_button.click()
    dialog.wait()
    new_dir = shown.args[0]
    assert [str(r.path) for r in runs.selected_runs()] == [new_dir]
    item = next(i for i in runs.table.row_items() if str(runs._run_of(i).path) == new_dir)
    assert runs._run_of(item.parent()).path == run_dir
    assert item.text(runs.columns.index("relation")) == "quantized-from"
    panel = window.compression
    qtbot.waitUntil(lambda: panel.selected_run_dir() == new_dir, timeout=60_000)
    assert not panel.prune_button.isEnabled() and not panel.quantize_button.isEnabled()
    panel.wait()
