"""ui/panels/search_reader.py: objective directions and the study file, by the core's rules."""

from __future__ import annotations

import pytest

from ui.panels.search_reader import StudyReader, direction, study_path
from ui.search_process import SearchProcess
from workbench.search.settings import OBJECTIVES
from workbench.search.study import default_storage_url
from workbench.search.study_location import study_file
from workbench.train.metric_direction import metric_direction


@pytest.mark.parametrize("objective", [*OBJECTIVES, "val_r2", "latency_ms", "size_bytes"])
def test_direction_is_the_cores(objective):
    """The panel's copy said "maximize" for every objective not in the search's table (a
    latency read as higher-is-better)."""
    assert direction(objective) == metric_direction(objective)


def test_an_unknown_objective_reads_as_maximize():
    assert direction("objective0") == "maximize"


@pytest.mark.parametrize("study", ["mnist", "", "a.b"])
def test_the_panel_reads_the_file_the_search_writes(tmp_path, monkeypatch, study):
    """The panel's own copy read <project>/search/.db for the study '' while the search wrote
    <project>/search.db; now both come from study_location.study_file."""
    monkeypatch.chdir(tmp_path)
    assert study_path("proj", study) == study_file("proj", study)
    reader = StudyReader("proj", study)
    assert reader.path == study_file("proj", study)
    assert SearchProcess("proj", study).pid_path.parent == study_file("proj", study).parent
    if study:
        assert reader.url == default_storage_url("proj", study)
