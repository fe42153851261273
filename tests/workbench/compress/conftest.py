"""A digits-MLP run trained for one epoch, shared by the quantization tests of one module."""

from __future__ import annotations

import pytest

from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> RunStore:
    project = load_project(find_example("mlp_digits"))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 1, "device": "cpu"},
                                tmp_path_factory.mktemp("project"), name="mlp_digits")
    return RunStore.open(execute_run(request)["run_dir"])
