"""``workbench distill TEACHER_RUN STUDENT_PROJECT``: train a student on a teacher's outputs."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``distill TEACHER_RUN [STUDENT_PROJECT] [--student auto] [--temperature T]
    [--alpha A] [--epochs N] [--seed S] [--hint t:s]... [--compare-scratch] [--project DIR]
    [--json]`` to ``subparsers``."""
    parser = subparsers.add_parser(
        "distill", help="train a smaller student run from a teacher run (knowledge distillation)",
        description="Train the student network with the distillation objective: alpha * T^2 * "
                    "KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * the task loss "
                    "on the labels (Hinton et al. 2015), the teacher in eval mode, on the "
                    "teacher's data with its saved preprocessing. The student run records "
                    "lineage distilled-from the teacher.")
    parser.add_argument("teacher_run", help="the trained teacher's run folder")
    parser.add_argument("student_project", nargs="?",
                        help="a *.wbproj.json file or example name with the student network "
                             "and its training settings (or 'auto', as --student auto)")
    parser.add_argument("--student", choices=("auto",),
                        help="auto: the teacher's network with widths x --width-factor")
    parser.add_argument("--width-factor", type=float, default=0.25,
                        help="width scale of the --student auto network (default 0.25)")
    parser.add_argument("--temperature", type=float, default=4.0, help="T (default 4)")
    parser.add_argument("--alpha", type=float, default=0.7,
                        help="weight of the soft (teacher) term (default 0.7)")
    parser.add_argument("--epochs", type=int, help="student epochs (default: the project's)")
    parser.add_argument("--seed", type=int, help="student seed (default: the project's)")
    parser.add_argument("--hint", action="append", default=[], metavar="T:S",
                        help="FitNets hint: teacher node T guides student node S (repeatable)")
    parser.add_argument("--hint-weight", type=float, default=1.0)
    parser.add_argument("--teacher-per-batch", action="store_true",
                        help="run the teacher on every batch instead of once per training "
                             "sample")
    parser.add_argument("--compare-scratch", action="store_true",
                        help="also train the student from scratch with identical settings and "
                             "report the share of the teacher-student gap recovered")
    parser.add_argument("--project", metavar="DIR",
                        help="project folder for the student run (default: the teacher's)")
    parser.add_argument("--name", help="run folder name stem (default: the student's name)")
    parser.add_argument("--threads", type=int, default=1,
                        help="onnxruntime intra-op threads for the latency figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run_distill)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def format_report(report: dict[str, Any]) -> str:
    """The report as readable lines."""
    lines = [f"distilled from {report['teacher_run']}",
             f"  T = {report['temperature']:g}, alpha = {report['alpha']:g}"
             + (f", hints {', '.join(':'.join(h) for h in report['hints'])}"
                if report["hints"] else ""),
             f"  {'model':<22}{'val acc':>9}{'params':>10}{'MACs':>12}",
             f"  {'teacher':<22}{_pct(report['teacher_val_accuracy']):>9}"
             f"{report['teacher_params']:>10,}{report['teacher_macs']:>12,}"]
    if report.get("scratch_run_dir"):
        lines.append(f"  {'student from scratch':<22}{_pct(report['scratch_val_accuracy']):>9}"
                     f"{report['params']:>10,}{report['macs']:>12,}")
    lines.append(f"  {'distilled student':<22}{_pct(report['val_accuracy']):>9}"
                 f"{report['params']:>10,}{report['macs']:>12,}")
    if report.get("scratch_run_dir"):
        gap = report["gap_recovered"]
        lines.append("  gap recovered: " + ("- (the student from scratch is not below the "
                                            "teacher)" if gap is None else f"{gap * 100:.0f}%"))
        lines.append(f"  scratch run: {report['scratch_run_dir']}")
    if report.get("latency_ms"):
        lat = report["latency_ms"]
        lines.append(f"  student ONNX: {report['file_bytes'] / 1024:.1f} KB, "
                     f"{lat['1']:.3f} ms at batch 1, {lat['64']:.3f} ms at batch 64 "
                     f"({report['threads']} thread(s))")
    lines.append(f"  student run: {report['run_dir']}")
    return "\n".join(lines)


def run_distill(args: argparse.Namespace) -> int:
    """0 when the student was trained; 2 for a teacher, student or setting that cannot work."""
    from workbench.cli import expected_errors
    from workbench.commands.progress import ProgressPrinter
    from workbench.commands.train import resolve_project_file
    from workbench.compress.distill import parse_hints
    from workbench.compress.distill_run import DistillSettings, distill
    from workbench.compress.errors import CompressError
    from workbench.project import load_project

    try:
        auto = args.student == "auto" or args.student_project == "auto"
        if auto and args.student_project not in (None, "auto"):
            raise CompressError("give a STUDENT_PROJECT or --student auto, not both")
        if not auto and not args.student_project:
            raise CompressError("give a STUDENT_PROJECT (project file or example name) or "
                                "--student auto")
        student = "auto" if auto else load_project(resolve_project_file(args.student_project))
        settings = DistillSettings(temperature=args.temperature, alpha=args.alpha,
                                   hints=tuple(parse_hints(args.hint)),
                                   hint_weight=args.hint_weight, epochs=args.epochs,
                                   seed=args.seed, cache_teacher=not args.teacher_per_batch,
                                   width_factor=args.width_factor)
        callbacks = [] if args.json else [ProgressPrinter(total_epochs=args.epochs)]
        report = distill(args.teacher_run, student, settings, project_dir=args.project,
                         name=args.name, compare_scratch=args.compare_scratch,
                         threads=args.threads, callbacks=callbacks)
    except expected_errors() as exc:
        message = " ".join(str(exc).split())
        if args.json:
            print(json.dumps({"error": message}))
        print(f"workbench distill: {message}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else format_report(report))
    return 0
