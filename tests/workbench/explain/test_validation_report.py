"""evaluate_validation: a run's saved weights on its val split; a damaged run says what is
wrong, naming the file or the tensor."""

from __future__ import annotations

import shutil
import struct

import pytest
import torch
from safetensors.torch import load_file, save_file

from workbench.experiment import RunRequest, execute_run
from workbench.explain.validation_report import evaluate_validation
from workbench.graph.templates import mlp
from workbench.runs.weights_file import WeightsFileError


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    request = RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 120}},
                                {"epochs": 2, "device": "cpu", "batch_size": 32,
                                 "checkpoint_every_seconds": 0},
                                tmp_path_factory.mktemp("project"), name="tiny")
    return execute_run(request)["run_dir"]


def test_confusion_matrix_and_per_class_report(trained):
    report = evaluate_validation(trained)
    assert report["weights"] == "best.safetensors"
    assert report["labels"] == ["class 0", "class 1"]
    assert sum(map(sum, report["confusion"])) == sum(r["support"] for r in report["per_class"])
    assert evaluate_validation(trained, "epoch:0")["weights"].endswith("epoch_0000.safetensors")


def test_names_the_damaged_file(trained, tmp_path):
    run = tmp_path / "runs" / "corrupt"
    shutil.copytree(trained, run)
    (run / "best.safetensors").write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(WeightsFileError, match="best.safetensors is not a valid safetensors "
                                               "file: header too large"):
        evaluate_validation(run)


def test_names_the_tensor_of_another_network(trained, tmp_path):
    run = tmp_path / "runs" / "other"
    shutil.copytree(trained, run)
    state = load_file(str(run / "best.safetensors"))
    state["fc2.weight"], state["fc2.bias"] = torch.zeros(9, 4), torch.zeros(9)
    save_file(state, str(run / "best.safetensors"))
    with pytest.raises(WeightsFileError, match="have 9 outputs for fc2, the network expects 2"):
        evaluate_validation(run)


def test_regression_run_reports_errors_in_target_units(tmp_path):
    request = RunRequest.freeze(mlp(1, hidden=(4,), num_classes=1),
                                {"name": "noisy_sine", "options": {"n_samples": 120}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32}, tmp_path, "r")
    report = evaluate_validation(execute_run(request)["run_dir"])
    assert report["task"] == "regression" and {"mae", "rmse", "r2", "loss"} <= set(report)
