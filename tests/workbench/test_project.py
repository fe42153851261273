"""Project files: the optional description and note, and old files that have neither."""

from __future__ import annotations

import json

import pytest

from workbench.graph.spec import GraphSpec
from workbench.project import Project, ProjectError, load_project, save_project

OLD_FILE = {  # a project file as written before 'description' and 'note' existed
    "format_version": 1, "name": "old",
    "graph": {"format_version": 2, "name": "old", "nodes": [
        {"id": "input", "type": "Input", "params": {"shape": [4]}, "position": [0, 0]},
        {"id": "output", "type": "Output", "params": {"num_classes": 3}, "position": [200, 0]}],
        "edges": [{"src": "input", "src_port": "out", "dst": "output", "dst_port": "in"}]},
    "dataset": {"name": "iris", "options": {}}, "training": {"epochs": 2},
}


def test_old_file_opens_and_saves_unchanged(tmp_path):
    path = tmp_path / "old.wbproj.json"
    path.write_text(json.dumps(OLD_FILE))
    project = load_project(path)
    assert project.note == "" and project.description == ""
    save_project(project, tmp_path / "again.wbproj.json")
    saved = json.loads((tmp_path / "again.wbproj.json").read_text())
    assert "note" not in saved and "description" not in saved
    assert saved["graph"] == OLD_FILE["graph"] and saved["training"] == OLD_FILE["training"]


def test_note_and_description_round_trip(tmp_path):
    project = Project.from_dict(OLD_FILE)
    project.description = "Three irises, one line."
    project.note = "Press Train.\n\nThen look at the Health panel."
    path = tmp_path / "n.wbproj.json"
    save_project(project, path)
    again = load_project(path)
    assert again.note == project.note and again.description == project.description
    assert json.loads(path.read_text())["note"] == project.note


@pytest.mark.parametrize("key", ["note", "description"])
def test_a_note_that_is_not_text_is_a_clear_error(key):
    with pytest.raises(ProjectError, match=f"'{key}' must be text, found list"):
        Project.from_dict({**OLD_FILE, key: ["a"]}, source="x.wbproj.json")


def test_null_note_reads_as_empty():
    assert Project.from_dict({**OLD_FILE, "note": None}).note == ""
    assert isinstance(Project.from_dict(OLD_FILE).graph, GraphSpec)
