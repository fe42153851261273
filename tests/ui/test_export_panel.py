"""Export dialog: runs in the background, shows checks and latency, failures write nothing."""

from __future__ import annotations

import pytest
import torch
from PySide6 import QtCore

import workbench.export.onnx_export as onnx_export
from ui.panels.export_panel import ExportDialog, check_rows, default_bundle_dir
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    project = load_project(find_example("mlp_digits"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"},
                                tmp_path_factory.mktemp("project"), name="mlp")
    return execute_run(request)["run_dir"]


def table_text(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def make_dialog(qtbot, run_dir, out, **kwargs) -> ExportDialog:
    dialog = ExportDialog(run_dir, **kwargs)
    qtbot.addWidget(dialog)
    dialog.out_edit.setText(str(out))
    dialog.show()
    return dialog


def test_defaults_name_a_free_folder_in_the_project(qtbot, run_dir):
    dialog = ExportDialog(run_dir)
    qtbot.addWidget(dialog)
    expected = default_bundle_dir(run_dir)
    assert expected.parent.name == "exports" and expected.name == dialog.run_dir.name
    assert dialog.out_edit.text() == str(expected)
    assert dialog.opset.value() == onnx_export.DEFAULT_OPSET
    assert "validation accuracy" in dialog.run_label.text()
    assert dialog.export_button.isEnabled() and not dialog.open_button.isEnabled()
    expected.mkdir(parents=True)
    (expected / "model.onnx").write_bytes(b"x")
    assert default_bundle_dir(run_dir).name == f"{expected.name}-2"


def test_export_runs_in_the_background_and_shows_results(qtbot, run_dir, tmp_path):
    dialog = make_dialog(qtbot, run_dir, tmp_path / "bundle")
    ticks: list[int] = []
    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    stages: list[str] = []
    dialog._relay.stage.connect(stages.append)
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as blocker:
        dialog.start_export()
        assert dialog.is_running() and dialog.cancel_button.isEnabled()
    timer.stop()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10_000)
    assert len(ticks) > 3, "the event loop was blocked during the export"
    assert "writing the bundle" in stages
    report = blocker.args[0]
    assert report["passed"] and (tmp_path / "bundle" / "model.onnx").is_file()
    checks = table_text(dialog.checks)
    assert [row[0] for row in checks] == ["onnx.checker (full check)",
                                          "onnxruntime vs PyTorch outputs", "batch sizes",
                                          "accuracy through onnxruntime"]
    assert all(row[1] == "passed" for row in checks)
    assert [row[0] for row in table_text(dialog.latency)] == ["1", "64"]
    assert dialog.open_button.isEnabled() and dialog.export_button.isEnabled()
    assert "every check passed" in dialog.status.text()


def test_taken_folder_is_refused_with_the_reason(qtbot, run_dir, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    dialog = make_dialog(qtbot, run_dir, out, measure_latency=False)
    with qtbot.waitSignal(dialog.exportFailed, timeout=30_000) as blocker:
        dialog.start_export()
    assert "already exists" in blocker.args[0]
    assert "Nothing was written" in dialog.status.text()
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10_000)
    assert dialog.export_button.isEnabled() and not dialog.open_button.isEnabled()


def test_failed_parity_shows_the_figures(qtbot, run_dir, tmp_path, monkeypatch):
    real_export = onnx_export.export_onnx_bytes

    def export_a_different_model(module, *args, **kwargs):
        state = {k: v.clone() for k, v in module.state_dict().items()}
        with torch.no_grad():
            for p in module.parameters():
                p.mul_(1.5)
        try:
            return real_export(module, *args, **kwargs)
        finally:
            module.load_state_dict(state)

    monkeypatch.setattr(onnx_export, "export_onnx_bytes", export_a_different_model)
    dialog = make_dialog(qtbot, run_dir, tmp_path / "b", measure_latency=False)
    with qtbot.waitSignal(dialog.exportFailed, timeout=30_000) as blocker:
        dialog.start_export()
    assert "disagrees with PyTorch" in blocker.args[0]
    rows = {row[0]: row for row in table_text(dialog.checks)}
    assert rows["onnx.checker (full check)"][1] == "passed"
    assert rows["onnxruntime vs PyTorch outputs"][1] == "FAILED"
    assert "max abs diff" in rows["onnxruntime vs PyTorch outputs"][2]
    assert not (tmp_path / "b").exists()


def test_closing_while_running_cancels_and_writes_nothing(qtbot, run_dir, tmp_path):
    dialog = make_dialog(qtbot, run_dir, tmp_path / "b")
    with qtbot.waitSignal(dialog.exportFailed, timeout=30_000) as blocker:
        dialog.start_export()
        dialog.close()
        assert dialog.isVisible(), "closes only when the export thread has ended"
    assert "cancelled" in blocker.args[0]
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert not (tmp_path / "b").exists()
    assert not list(tmp_path.iterdir())


def test_check_rows_mark_a_different_accuracy():
    parity = {"passed": False, "outputs_close": True, "max_abs_diff": 0.0, "max_rel_diff": 0.0,
              "samples": 4, "rtol": 1e-3, "atol": 1e-5, "batch_sizes": [1, 64],
              "onnx_accuracy": 0.5, "torch_accuracy": 0.75}
    rows = check_rows({"checks": {"parity": parity}})
    assert [ok for _, ok, _ in rows] == [True, True, False]
    assert "(different)" in rows[-1][2]


def test_open_export_dialog_shows_a_self_deleting_dialog(qtbot, run_dir):
    from ui.panels.export_panel import open_export_dialog

    dialog = open_export_dialog(run_dir)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.testAttribute(QtCore.Qt.WA_DeleteOnClose)
    with qtbot.waitSignal(dialog.destroyed, timeout=5_000):
        dialog.close()


def test_open_bundle_folder_says_where_it_is_when_nothing_can_open_it(qtbot, run_dir,
                                                                        tmp_path, monkeypatch):
    from PySide6 import QtGui, QtWidgets

    opened: list[str] = []

    def no_file_manager(url):
        opened.append(url.toLocalFile())
        return False

    monkeypatch.setattr(QtGui.QDesktopServices, "openUrl", no_file_manager)
    dialog = make_dialog(qtbot, run_dir, tmp_path / "bundle")
    dialog.report = {"out_dir": str(tmp_path / "bundle")}
    dialog.open_button.setEnabled(True)
    dialog.open_button.click()
    assert opened == [str(tmp_path / "bundle")]
    assert str(tmp_path / "bundle") in dialog.status.text()
    assert "No file manager" in dialog.status.text()
    assert QtWidgets.QApplication.clipboard().text() == str(tmp_path / "bundle")


def test_changed_data_is_refused_unless_the_box_is_ticked(qtbot, run_dir, tmp_path):
    import json
    import shutil

    from workbench.runs.run_store import RunStore

    run = tmp_path / "runs" / "changed"
    shutil.copytree(run_dir, run)
    config = json.loads((run / "config.json").read_text())
    config["data_fingerprint"]["sha256"] = "0" * 64  # recorded at training: other data
    (run / "config.json").write_text(json.dumps(config))
    dialog = make_dialog(qtbot, run, tmp_path / "bundle", measure_latency=False)
    with qtbot.waitSignal(dialog.exportFailed, timeout=60_000) as blocker:
        dialog.export_button.click()
    assert "changed since run 'changed' was trained" in blocker.args[0] and "0" * 64 in \
        blocker.args[0]
    assert not (tmp_path / "bundle").exists()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10_000)
    dialog.allow_changed_data.setChecked(True)
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.export_button.click()
    before = RunStore(run_dir).read_events()  # the shared run's earlier exports
    events = RunStore(run).read_events()[len(before):]
    assert [(e["kind"], e.get("purpose"), e.get("data_changed")) for e in events] == \
        [("changed_data_allowed", "export", None), ("export", None, True)]
