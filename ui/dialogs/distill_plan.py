"""What the "Distill from run" dialog shows, without Qt: the teacher run (name, accuracy,
parameters, why it cannot teach) and why the student network may not fit it.

The student must take the teacher's inputs and predict its classes on its data (the rule of
``workbench.compress.distill.check_teacher_fits``, read here from the two graphs and the
project's dataset name, so nothing is built or loaded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.graph.spec import GraphSpec


@dataclass
class TeacherRun:
    """The run to distill from: what the dialog shows of it, and why it cannot teach."""

    path: str
    name: str = ""
    dataset: str = ""
    accuracy: str = "-"
    params: int | None = None
    graph: GraphSpec | None = None
    problems: list[str] = field(default_factory=list)


def read_teacher(run_dir: str) -> TeacherRun:
    """The run folder ``run_dir`` as a teacher (problems listed, never raised)."""
    from workbench.compress.student import network_size
    from workbench.runs.file_checks import RunFileError
    from workbench.runs.run_store import RunStore

    teacher = TeacherRun(path=str(run_dir), name=Path(run_dir).name if run_dir else "")
    if not run_dir:
        teacher.problems.append("No run chosen: train a teacher first, or select a run in the "
                                "Runs panel.")
        return teacher
    try:
        run = RunStore.open(run_dir)
        config = run.config
    except (FileNotFoundError, RunFileError, ValueError) as exc:
        teacher.problems.append(str(exc))
        return teacher
    dataset = config.get("dataset") or {}
    teacher.dataset = str(dataset.get("name", "")) if isinstance(dataset, dict) else ""
    summary = run.read_summary() or {}
    if isinstance(summary.get("val_accuracy"), (int, float)):
        teacher.accuracy = f"{summary['val_accuracy']:.1%} (validation)"
    try:
        teacher.graph = GraphSpec.from_dict(config["graph"])
        teacher.params = network_size(teacher.graph)[0]
    except (KeyError, TypeError, ValueError) as exc:
        teacher.problems.append(f"{run_dir}: its config.json has no readable network ({exc})")
        return teacher
    if not run.has_weights():
        teacher.problems.append(f"{run_dir}: the run has no saved weights yet: a teacher must "
                                f"be trained")
    return teacher


def head(graph: GraphSpec) -> tuple[tuple[int, ...] | None, int | None]:
    """(input shape, classes of the Output) of a graph; None where it has not one of each."""
    inputs = [n for n in graph.nodes if n.type == "Input"]
    outputs = [n for n in graph.nodes if n.type == "Output"]
    shape = tuple(int(d) for d in inputs[0].params.get("shape", ())) if len(inputs) == 1 \
        else None
    classes = int(outputs[0].params.get("num_classes") or 0) if len(outputs) == 1 else None
    return shape, classes


def student_problems(teacher: TeacherRun, student: GraphSpec, dataset: str = "") -> list[str]:
    """Why ``student`` (trained on dataset ``dataset``) cannot learn from ``teacher``."""
    if teacher.graph is None:
        return []
    problems = []
    if dataset and teacher.dataset and dataset != teacher.dataset:
        problems.append(f"the project trains on dataset '{dataset}', the teacher on "
                        f"'{teacher.dataset}': a student learns on its teacher's data")
    (t_shape, t_classes), (s_shape, s_classes) = head(teacher.graph), head(student)
    if s_shape != t_shape:
        problems.append(f"the student takes inputs of shape {s_shape}, the teacher "
                        f"{t_shape}")
    if s_classes != t_classes:
        problems.append(f"the student predicts {s_classes} classes, the teacher "
                        f"{t_classes}")
    return problems


def distill_objective(teacher_run: str, temperature: float, alpha: float,
                      training: dict[str, Any] | None = None) -> dict[str, Any]:
    """The training settings' ``objective`` section: distillation from ``teacher_run``
    (other options kept from ``training``'s distillation objective, if it has one)."""
    current = (training or {}).get("objective") or {}
    options = dict(current.get("options") or {}) if current.get("kind") == "distillation" \
        else {}
    options.update(teacher_run=str(Path(teacher_run).resolve()),
                   temperature=float(temperature), alpha=float(alpha))
    return {"kind": "distillation", "options": options}


def network_params(spec: GraphSpec) -> int | None:
    """The network's parameter count, None when it does not validate."""
    from workbench.graph.shape_inference import analyze

    analysis = analyze(spec)
    return int(analysis.total_params) if analysis.ok else None
