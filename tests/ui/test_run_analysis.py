"""A damaged run in the app: its analysis and the export dialog say what is wrong, the app
stays up, nothing is written."""

from __future__ import annotations

import shutil
import struct

import pytest
import torch
from safetensors.torch import load_file, save_file

from ui.panels.export_panel import ExportDialog
from ui.run_analysis import evaluate_validation
from ui.workers import TrainingWorker
from workbench.experiment import RunRequest, execute_run
from workbench.graph.templates import mlp
from workbench.runs.weights_file import WeightsFileError


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


def test_run_analysis_names_the_damaged_file(corrupt):
    with pytest.raises(WeightsFileError, match="best.safetensors is not a valid safetensors "
                                               "file: header too large"):
        evaluate_validation(corrupt)
    result = TrainingWorker._evaluate(str(corrupt))
    assert result["error"].startswith("validation metrics could not be computed: ")
    assert "header too large" in result["error"]


def test_run_analysis_names_the_tensor_of_another_network(trained, tmp_path):
    run = tmp_path / "runs" / "other"
    shutil.copytree(trained, run)
    state = load_file(str(run / "best.safetensors"))
    state["fc2.weight"], state["fc2.bias"] = torch.zeros(9, 4), torch.zeros(9)
    save_file(state, str(run / "best.safetensors"))
    with pytest.raises(WeightsFileError, match="have 9 outputs for fc2, the network expects 2"):
        evaluate_validation(run)


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
