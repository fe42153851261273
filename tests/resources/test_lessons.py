"""The bundled lessons: each danger project really trips its Health finding, each cure does not.

Small data and a few epochs each; the whole module trains ten tiny runs on the CPU.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.experiment import RunRequest, execute_run
from workbench.paths import EXAMPLES_DIR, find_example
from workbench.project import load_project


def _make_lessons():
    spec = importlib.util.spec_from_file_location("make_lessons",
                                                  EXAMPLES_DIR / "make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_lessons"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


LESSONS = _make_lessons().LESSONS


def _train(name: str, project_dir: Path) -> dict:
    path = find_example(name)
    assert path is not None, f"{name} is not bundled"
    project = load_project(path)
    request = RunRequest.freeze(project.graph, project.resolved_dataset(), project.training,
                                project_dir, name=name)
    return execute_run(request)


def _codes(summary: dict) -> set[str]:
    return {f["code"] for f in summary.get("findings") or []}


def _warnings(summary: dict) -> set[str]:
    """Codes reported as a warning or an error (an 'info' note such as 'early stopping caught
    the overfitting' is not the danger)."""
    return {f["code"] for f in summary.get("findings") or [] if f.get("severity") != "info"}


def test_there_is_a_lesson_for_every_classic_danger():
    assert {lesson.finding for lesson in LESSONS} == {
        "overfitting", "dead_relu", "vanishing_gradients", "class_imbalance", "nan"}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_bundled_files_are_what_the_script_writes(lesson):
    for project in (lesson.danger, lesson.cure):
        path = EXAMPLES_DIR / f"{project['name']}.wbproj.json"
        assert json.loads(path.read_text(encoding="utf-8")) == project, (
            f"{path.name} is stale: run python resources/examples/make_lessons.py")
        loaded = load_project(path)
        assert loaded.note.startswith("**Lesson:") and "Press **Train**" in " ".join(
            loaded.note.split())
        assert loaded.description and "\n" not in loaded.description


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_danger_is_detected_and_cure_removes_it(lesson, tmp_path):
    danger = _train(lesson.danger_name, tmp_path)
    assert lesson.finding in _warnings(danger), (
        f"{lesson.danger_name}: expected the Health finding '{lesson.finding}', found "
        f"{sorted(_codes(danger))}")
    cure = _train(lesson.cure_name, tmp_path)
    assert lesson.finding not in _warnings(cure), (
        f"{lesson.cure_name}: the cure still shows '{lesson.finding}'")
    assert cure["stopped_reason"] != "nan"


def test_cli_json_reports_the_lesson(tmp_path, capsys):
    """`workbench train lesson_lr_too_high --json` names the danger and exits 1 (NaN)."""
    code = main(["train", "lesson_lr_too_high", "--json", "--project", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 1 and summary["stopped_reason"] == "nan"
    assert "nan" in _codes(summary)
