"""Distill a teacher run into a student: the call behind ``workbench distill``.

The student trains on the TEACHER's data (its dataset spec and its saved preprocessing, so the
teacher sees exactly the inputs it was trained on) with the ``distillation`` objective; the run
gets lineage ``distilled-from`` the teacher. With ``compare_scratch`` the same student is also
trained from scratch with identical settings (objective ``supervised``, same seed, so the same
initial weights and batches), and the report gives the share of the teacher-student accuracy
gap that distillation recovered. Everything is checked before any run folder is created.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.compress.errors import CompressError


@dataclass(frozen=True)
class DistillSettings:
    """How to distill: the objective's options and the student's training overrides."""

    temperature: float = 4.0
    alpha: float = 0.7
    hints: tuple[tuple[str, str], ...] = ()
    hint_weight: float = 1.0
    epochs: int | None = None
    seed: int | None = None
    cache_teacher: bool = True
    width_factor: float = 0.25  # of the "auto" student
    training: dict[str, Any] = field(default_factory=dict)  # more training overrides

    def objective(self, teacher_dir: Path) -> dict[str, Any]:
        return {"kind": "distillation", "options": {
            "teacher_run": str(teacher_dir), "temperature": float(self.temperature),
            "alpha": float(self.alpha), "hints": [list(p) for p in self.hints],
            "hint_weight": float(self.hint_weight), "cache_teacher": self.cache_teacher}}


def gap_recovered(teacher: float | None, scratch: float | None,
                  distilled: float | None) -> float | None:
    """``(distilled - scratch) / (teacher - scratch)``; None without a gap to recover."""
    if None in (teacher, scratch, distilled) or teacher <= scratch:  # type: ignore[operator]
        return None
    return (distilled - scratch) / (teacher - scratch)  # type: ignore[operator]


def student_requests(teacher_run: str | Path, student: Any, settings: DistillSettings,
                     project_dir: str | Path | None = None, name: str | None = None,
                     compare_scratch: bool = False) -> tuple[Any, Any]:
    """(distilled request, scratch request or None) after every check.

    ``student``: a Project (its graph and training settings) or "auto" (the teacher's network
    at x0.25 widths, the teacher's training settings)."""
    import dataclasses

    from workbench.compress.student import smaller_copy
    from workbench.experiment import RunRequest
    from workbench.graph.spec import GraphSpec
    from workbench.runs.run_store import RunStore

    teacher_dir = _teacher_dir(teacher_run)
    teacher = RunStore.open(teacher_dir)
    cfg = teacher.config
    teacher_graph = GraphSpec.from_dict(cfg["graph"])
    if isinstance(student, str) and student == "auto":
        graph, training, label = smaller_copy(teacher_graph, settings.width_factor), dict(cfg["training"]), None
        training.pop("init", None)
    else:
        graph, training, label = student.graph, dict(student.training), student.name
        _check_student(student, cfg, teacher_graph, teacher_dir)
    training = {**copy.deepcopy(training), **settings.training, "objective": settings.objective(
        teacher_dir)}
    if settings.epochs is not None:
        training["epochs"] = settings.epochs
    if settings.seed is not None:
        training["seed"] = settings.seed
    saved = cfg.get("preprocessing")
    base = _stem(teacher_dir.name) if label is None else label
    folder = Path(project_dir) if project_dir else teacher_dir.parent.parent
    request = RunRequest(graph=graph.to_dict(), dataset=copy.deepcopy(cfg["dataset"]),
                         training=training, project_dir=str(folder.resolve()),
                         name=f"{name or base}-distilled",
                         preprocessing=saved if isinstance(saved, dict) and saved else None,
                         lineage={"parent": str(teacher_dir), "relation": "distilled-from"})
    scratch = None
    if compare_scratch:
        plain = {**training, "objective": {"kind": "supervised", "options": {}}}
        scratch = dataclasses.replace(request, training=plain, lineage=None,
                                      name=f"{name or base}-scratch")
    return request, scratch


def distill(teacher_run: str | Path, student: Any, settings: DistillSettings,
            project_dir: str | Path | None = None, name: str | None = None,
            compare_scratch: bool = False, measure: bool = True, threads: int = 1,
            callbacks: Iterable[Any] = ()) -> dict[str, Any]:
    """Train the distilled student (and the scratch one when asked); the report (also written
    to the student run as ``artifacts/distill_report.json``)."""
    from workbench.experiment import execute_run
    from workbench.runs.run_store import RunStore

    request, scratch_request = student_requests(teacher_run, student, settings, project_dir,
                                                name, compare_scratch)
    teacher_dir = _teacher_dir(teacher_run)
    teacher_acc = teacher_accuracy(teacher_dir)
    summary = execute_run(request, callbacks=list(callbacks))
    scratch = None
    if scratch_request is not None:
        scratch = execute_run(scratch_request, callbacks=list(callbacks))
    run = RunStore.open(summary["run_dir"])
    report = build_report(run, summary, teacher_dir, teacher_acc, settings, scratch)
    if measure:
        report.update(measure_run(run, threads))
    run.write_artifact("distill_report.json", report)
    return report


def build_report(run: Any, summary: dict[str, Any], teacher_dir: Path,
                 teacher_acc: float | None, settings: DistillSettings,
                 scratch: dict[str, Any] | None) -> dict[str, Any]:
    from workbench.compress.student import network_size
    from workbench.graph.spec import GraphSpec
    from workbench.runs.run_store import RunStore

    params, macs = network_size(GraphSpec.from_dict(run.config["graph"]))
    t_params, t_macs = network_size(GraphSpec.from_dict(RunStore.open(teacher_dir)
                                                        .config["graph"]))
    scratch_acc = scratch.get("val_accuracy") if scratch else None
    last = [m for m in run.metrics.read() if m.get("kind") == "epoch"][-1:]
    terms = {k: v for m in last for k, v in m.items() if k.startswith("loss_")}
    return {
        "run_dir": summary["run_dir"], "val_accuracy": summary.get("val_accuracy"),
        "params": params, "macs": macs, "teacher_run": str(teacher_dir),
        "teacher_val_accuracy": teacher_acc, "teacher_params": t_params,
        "teacher_macs": t_macs, "param_ratio": params / t_params if t_params else None,
        "temperature": settings.temperature, "alpha": settings.alpha,
        "hints": [list(p) for p in settings.hints], "epochs_run": summary.get("epochs_run"),
        "stopped_reason": summary.get("stopped_reason"), "last_epoch_terms": terms,
        "scratch_run_dir": scratch.get("run_dir") if scratch else None,
        "scratch_val_accuracy": scratch_acc,
        "gap_recovered": gap_recovered(teacher_acc, scratch_acc, summary.get("val_accuracy"))}


def teacher_accuracy(teacher_dir: Path) -> float | None:
    """The teacher's accuracy on its validation split (best weights, saved preprocessing)."""
    import torch

    from workbench.run_model import DataChangedError, rebuild_run

    try:
        rebuilt = rebuild_run(teacher_dir, purpose="distill")
    except DataChangedError as exc:  # the student would learn on other data than the teacher
        raise CompressError(str(exc)) from exc
    ds = rebuilt.dataset
    if len(ds.y_val) == 0:
        return None
    with torch.no_grad():
        logits = torch.cat([rebuilt.module(torch.as_tensor(ds.x_val[i:i + 512]))
                            for i in range(0, len(ds.x_val), 512)])
    return float((logits.argmax(1) == torch.as_tensor(ds.y_val)).float().mean())


def measure_run(run: Any, threads: int = 1) -> dict[str, Any]:
    """``file_bytes`` (float32 ONNX) and ``latency_ms`` {"1", "64"} with ONNX Runtime (the
    quantization command's measure code); ``{}`` when the student cannot be exported."""
    import numpy as np

    from workbench.compress.measure import latencies
    from workbench.export.onnx_export import ExportError, export_onnx_bytes
    from workbench.run_model import rebuild_run

    rebuilt = rebuild_run(run, purpose="distill")
    module = rebuilt.module
    try:
        model = export_onnx_bytes(module, tuple(module.input_shape), module.input_dtype)
    except ExportError:
        return {}
    x = np.asarray(rebuilt.dataset.x_val[:64])
    timed = latencies({"student": model}, x, threads)["student"]
    return {"file_bytes": len(model), "latency_ms": timed, "threads": threads}


def _teacher_head(graph: Any) -> Any:
    """The teacher's input shape and Output node, as check_teacher_fits reads them."""
    from types import SimpleNamespace

    inputs = [n for n in graph.nodes if n.type == "Input"]
    outputs = [n for n in graph.nodes if n.type == "Output"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise CompressError(f"the teacher network must have one Input and one Output, found "
                            f"{len(inputs)} and {len(outputs)}")
    return SimpleNamespace(input_shape=tuple(inputs[0].params.get("shape", ())), spec=graph,
                           output_node=outputs[0].id)


def _check_student(student: Any, cfg: dict[str, Any], teacher_graph: Any,
                   teacher_dir: Path) -> None:
    """CompressError when the student project's data differ from the teacher's (dataset,
    input shape, classes)."""
    teacher_ds = (cfg.get("dataset") or {}).get("name")
    student_ds = (student.resolved_dataset() or {}).get("name")
    if student_ds and student_ds != teacher_ds:
        raise CompressError(f"the student project trains on dataset '{student_ds}', the "
                            f"teacher run {teacher_dir.name} on '{teacher_ds}'; a student "
                            f"learns on its teacher's data: use a project with dataset "
                            f"'{teacher_ds}'")
    t_head, s_head = _teacher_head(teacher_graph), _teacher_head(student.graph)
    if tuple(s_head.input_shape) != tuple(t_head.input_shape):
        raise CompressError(f"the student network takes inputs of shape "
                            f"{tuple(s_head.input_shape)}, the teacher's "
                            f"{tuple(t_head.input_shape)}")
    t_classes = int(teacher_graph.node(t_head.output_node).params.get("num_classes") or 0)
    s_classes = int(student.graph.node(s_head.output_node).params.get("num_classes") or 0)
    if s_classes != t_classes:
        raise CompressError(f"the student network predicts {s_classes} classes, the "
                            f"teacher's {t_classes}")


def _teacher_dir(teacher_run: str | Path) -> Path:
    path = Path(teacher_run).expanduser()
    if not (path / "config.json").is_file():
        raise CompressError(f"the teacher must be a run folder (with config.json), found "
                            f"{str(teacher_run)!r}")
    return path.resolve()


def _stem(folder_name: str) -> str:
    parts = folder_name.split("-", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return parts[2]
    return folder_name
