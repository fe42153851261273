"""A damaged run in the app: the worker's validation report and the export dialog say what is
wrong, the app stays up, nothing is written (the core's messages:
tests/workbench/explain/test_validation_report.py)."""

from __future__ import annotations

import shutil
import struct

import pytest

from ui.panels.export_panel import ExportDialog
from ui.workers import TrainingWorker
from workbench.experiment import RunRequest, execute_run
from workbench.graph.templates import mlp


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    request = RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 120}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32},
                                tmp_path_factory.mktemp("project"), name="tiny")
    return execute_run(request)["run_dir"]


@pytest.fixture
def corrupt(trained, tmp_path):
    run = tmp_path / "runs" / "corrupt"
    shutil.copytree(trained, run)
    (run / "best.safetensors").write_bytes(struct.pack("<Q", 2**62) + b"{}")
    return run


def test_worker_evaluation_names_the_damaged_file(corrupt):
    result = TrainingWorker._evaluate(str(corrupt))
    assert result["error"].startswith("validation metrics could not be computed: ")
    assert "best.safetensors is not a valid safetensors file: header too large" in result["error"]


def test_export_dialog_shows_the_message_and_stays_up(qtbot, corrupt, tmp_path):
    dialog = ExportDialog(corrupt)
    qtbot.addWidget(dialog)
    dialog.out_edit.setText(str(tmp_path / "bundle"))
    dialog.show()
    with qtbot.waitSignal(dialog.exportFailed, timeout=30_000) as blocker:
        dialog.export_button.click()
    message = blocker.args[0]
    assert "best.safetensors is not a valid safetensors file: header too large" in message
    assert "header too large" in dialog.status.text()
    assert "Traceback" not in dialog.status.text()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10_000)
    assert dialog.isVisible() and not (tmp_path / "bundle").exists()
