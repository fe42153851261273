"""A briefly trained digits-MLP run shared by the export tests of one module."""

from __future__ import annotations

import pytest

from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project
from workbench.runs.run_store import RunStore


def train_example(project_dir, example: str = "mlp_digits", epochs: int = 1) -> RunStore:
    project = load_project(find_example(example))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": epochs,
                                 "device": "cpu"}, project_dir, name=example)
    summary = execute_run(request)
    return RunStore.open(summary["run_dir"])


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> RunStore:
    return train_example(tmp_path_factory.mktemp("project"))
