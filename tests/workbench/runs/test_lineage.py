"""Runs know their parents: checked lineage records, links that survive a moved project, the
tree of runs (missing parents and loops included) and a run's ancestry."""

from __future__ import annotations

import shutil

import pytest

from workbench.runs.file_checks import RunFileError
from workbench.runs.lineage import (
    RELATIONS,
    Lineage,
    ancestry,
    build_tree,
    lineage_of,
    parent_of,
    walk,
)
from workbench.runs.run_store import RunStore, list_runs


def make_run(project, name, second, lineage=None):
    run = RunStore.create(project, name)
    config = {"created": f"2026-01-01T00:00:{second:02d}+00:00"}
    if lineage is not None:
        config["lineage"] = lineage.stored_for(run.path).to_dict() \
            if isinstance(lineage, Lineage) else lineage
    run.save_config(config)
    return RunStore(run.path)


def test_a_lineage_round_trips_and_a_root_is_an_empty_dict():
    lineage = Lineage(parent="/x/runs/a", relation="trial-of", study="s", trial=3)
    assert Lineage.from_dict(lineage.to_dict()) == lineage
    assert Lineage().to_dict() == {} and Lineage.from_dict({}).is_root
    assert Lineage.from_dict({"relation": "trial-of", "study": "s"}).parent == ""
    assert "fine-tuned-from" in RELATIONS


@pytest.mark.parametrize("data, words", [
    ([1], "must be a JSON object, found a list"),
    ({"parent": "a", "relation": "copied-from"}, "found 'copied-from'"),
    ({"parent": "a", "relation": "fine-tuned-from", "colour": 1}, "unknown key(s) 'colour'"),
    ({"parent": 3, "relation": "fine-tuned-from"}, "'parent' must be a text"),
    ({"relation": "trial-of", "study": "s", "trial": "2"}, "'trial' must be an integer"),
    ({"relation": "trial-of", "study": "s", "trial": True}, "'trial' must be an integer"),
    ({"parent": "a"}, "needs a relation"),
    ({"relation": "pruned-from"}, "'pruned-from' needs a parent"),
    ({"relation": "trial-of"}, "needs a parent run or a study name"),
])
def test_bad_lineage_is_refused_naming_what_was_expected(data, words):
    with pytest.raises(ValueError) as info:
        Lineage.from_dict(data)
    assert words in str(info.value)


def test_a_sibling_parent_is_stored_by_name_and_survives_moving_the_project(tmp_path):
    root = make_run(tmp_path / "p", "root", 1, {})
    child = make_run(tmp_path / "p", "child", 2, Lineage(str(root.path), "fine-tuned-from"))
    assert child.config["lineage"] == {"relation": "fine-tuned-from", "parent": root.path.name}
    shutil.move(str(tmp_path / "p"), str(tmp_path / "moved"))
    moved = RunStore(tmp_path / "moved" / "runs" / child.path.name)
    assert parent_of(moved).path.resolve() == (tmp_path / "moved/runs" / root.path.name).resolve()


def test_a_parent_in_another_project_is_stored_as_an_absolute_path(tmp_path):
    other = make_run(tmp_path / "other", "teacher", 1, {})
    student = make_run(tmp_path / "p", "student", 2,
                       Lineage(str(other.path), "distilled-from"))
    assert student.config["lineage"]["parent"] == str(other.path.resolve())
    assert parent_of(student).path.resolve() == other.path.resolve()


def test_the_tree_nests_children_by_creation_time_and_notes_missing_parents(tmp_path):
    a = make_run(tmp_path, "a", 1, {})
    c2 = make_run(tmp_path, "late", 9, Lineage(str(a.path), "pruned-from"))
    b = make_run(tmp_path, "b", 2, Lineage(str(a.path), "fine-tuned-from"))
    c = make_run(tmp_path, "c", 3, Lineage(str(b.path), "quantized-from"))
    lost = make_run(tmp_path, "lost", 4, {"parent": "gone-run", "relation": "resumed-from"})
    legacy = make_run(tmp_path, "legacy", 0)  # written before lineage existed
    roots = build_tree(list_runs(tmp_path))
    assert [n.run.path.name for n in roots] == [legacy.path.name, a.path.name, lost.path.name]
    rows = [(n.run.path.name, n.relation, n.depth) for n in walk(roots)]
    assert rows == [(legacy.path.name, "", 0), (a.path.name, "", 0),
                    (b.path.name, "fine-tuned-from", 1), (c.path.name, "quantized-from", 2),
                    (c2.path.name, "pruned-from", 1), (lost.path.name, "resumed-from", 0)]
    assert roots[2].note == "parent gone-run not found"
    assert [r.path.name for r in ancestry(c, list_runs(tmp_path))] == \
        [a.path.name, b.path.name, c.path.name]
    assert [r.path.name for r in ancestry(c)] == [a.path.name, b.path.name, c.path.name]


def test_a_loop_of_parent_links_neither_hangs_nor_loses_runs(tmp_path):
    p = make_run(tmp_path, "p", 1, {})
    q = make_run(tmp_path, "q", 2, Lineage(str(p.path), "trial-of"))
    p.save_config({**p.config, "lineage": {"parent": q.path.name, "relation": "trial-of"}})
    runs = list_runs(tmp_path)
    nodes = list(walk(build_tree(runs)))
    assert sorted(n.run.path.name for n in nodes) == sorted([p.path.name, q.path.name])
    assert "loop" in nodes[0].note and nodes[1].depth == 1
    assert len(ancestry(RunStore(q.path), runs)) == 2
    assert len(ancestry(RunStore(q.path))) == 2


def test_a_malformed_lineage_in_config_is_a_note_not_a_crash(tmp_path):
    bad = make_run(tmp_path, "bad", 1, {"relation": 5})
    with pytest.raises(RunFileError, match="config.json: lineage: 'relation' must be a text"):
        lineage_of(bad)
    (node,) = build_tree([bad])
    assert node.note.startswith("lineage unreadable") and parent_of(bad) is None
