"""`workbench runs` shows runs as a tree of parents and the runs made from them; --flat keeps
the creation-order list; --json rows carry parent, relation and depth."""

from __future__ import annotations

import json

from workbench.cli import main
from workbench.runs.lineage import Lineage
from workbench.runs.run_store import RunStore


def make_run(project, name, second, parent=None, relation=""):
    run = RunStore.create(project, name)
    lineage = Lineage(str(parent.path), relation).stored_for(run.path) if parent else Lineage()
    run.save_config({"created": f"2026-01-01T00:00:{second:02d}+00:00",
                     "lineage": lineage.to_dict()})
    return run


def project_with_three_levels(tmp_path):
    base = make_run(tmp_path, "base", 1)
    other = make_run(tmp_path, "other", 2)
    tuned = make_run(tmp_path, "tuned", 3, base, "fine-tuned-from")
    pruned = make_run(tmp_path, "pruned", 4, tuned, "pruned-from")
    student = make_run(tmp_path, "student", 5, base, "distilled-from")
    return base, other, tuned, pruned, student


def test_the_tree_indents_children_under_their_parent_with_the_relation(tmp_path, capsys):
    base, other, tuned, pruned, student = project_with_three_levels(tmp_path)
    assert main(["runs", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["run", "status", "epochs"]
    status_column = lines[0].index("status")
    names = [line[:status_column].rstrip() for line in lines[1:]]
    assert names == [base.path.name,
                     f"├─ {tuned.path.name} fine-tuned-from",
                     f"│  └─ {pruned.path.name} pruned-from",
                     f"└─ {student.path.name} distilled-from",
                     other.path.name]


def test_flat_lists_by_creation_time_and_json_rows_carry_the_lineage(tmp_path, capsys):
    base, other, tuned, pruned, student = project_with_three_levels(tmp_path)
    assert main(["runs", str(tmp_path), "--flat"]) == 0
    flat = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert flat == [r.path.name for r in (base, other, tuned, pruned, student)]

    assert main(["runs", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["run"], r["relation"], r["depth"]) for r in rows] == [
        (base.path.name, "", 0), (tuned.path.name, "fine-tuned-from", 1),
        (pruned.path.name, "pruned-from", 2), (student.path.name, "distilled-from", 1),
        (other.path.name, "", 0)]
    assert rows[2]["parent"] == str(tuned.path) and rows[0]["parent"] is None
    assert {"status", "val_accuracy", "test_looks", "created", "path"} <= set(rows[0])

    assert main(["runs", str(tmp_path), "--json", "--flat"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["run"] for r in rows] == flat and rows[3]["depth"] == 2


def test_a_run_whose_parent_is_gone_is_a_root_with_a_note(tmp_path, capsys):
    make_run(tmp_path, "orphan", 1).save_config(
        {"lineage": {"parent": "/nowhere/runs/20260101-000000-gone",
                     "relation": "quantized-from"}})
    assert main(["runs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "quantized-from (parent 20260101-000000-gone not found)" in out
