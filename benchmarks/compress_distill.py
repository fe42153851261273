"""Distillation on digits: a distilled student vs the same student trained from scratch.

Protocol (repeated hold-out, every figure on data no training or selection saw):

* data: the teacher example's dataset (``--teacher``, default ``mlp_digits``: sklearn digits,
  1,797 samples) split per seed with ``split_seed = seed`` into train / validation / test
  (``--val-fraction`` 0.2, ``--test-fraction`` 0.3: 540 test samples, one sample = 0.19
  points; the old benchmark's 269 validation samples made one sample 0.37 points);
* per seed: a teacher trained on that split (``--teacher-epochs``), then the student trained
  twice through the product path (``distill_run.student_requests`` + ``execute_run``) with
  identical settings (same seed, so the same initial weights and batches; same epochs,
  optimizer, learning rate, batch size; best epoch by validation loss): ``distilled``
  (objective ``distillation``, T and alpha) and ``scratch`` (objective ``supervised``);
* the student: ``--student-widths 16,16`` (the teacher's hidden Linear widths replaced in
  graph order, its Dropout set to p=0: 64-16-16-10, 1,482 parameters = 0.086 of the teacher's
  17,226) or ``--width F`` (``workbench distill --student auto``: every width x F);
* T and alpha: ``--select`` trains the grid ``--grid-t`` x ``--grid-alpha`` on the seeds
  ``--select-seeds`` (not the reported ones) and keeps the pair with the best mean VALIDATION
  accuracy; otherwise ``--temperature`` / ``--alpha``;
* the figure: each run's TEST accuracy with its best weights (evaluated here).

Prints per-seed test accuracies and gap recovered, the means, and::

    ratio=<share of the gap recovered, of the means: (distilled - scratch)/(teacher - scratch)>
    ratio_per_seed_mean=<mean of the per-seed shares>
    ratio_params=<student params / teacher params>
    ratio_teacher_cost=<epoch seconds, teacher run per batch / teacher outputs cached>

Measured (CPU, 2026-11-23, load 5-8 on 2 shared cores; ``--select``, defaults otherwise):
the grid on seeds 100/101 picked T=4 alpha=0.5 (mean validation accuracy 0.9763; T 2: 0.9638
/ 0.9666 at alpha 0.5 / 0.9; T 8: 0.9708 / 0.9735; T 4 alpha 0.9: 0.9680). Test accuracy,
seeds 0-4: teacher 0.9722, distilled 0.9647, scratch 0.9562: ratio=0.535 (per seed 0.47, 1.00,
0.00, -0.17, 1.00; ratio_per_seed_mean=0.460), ratio_params=0.0860. The gap is small
(1.6 points = 9 test samples), so single seeds are noisy; the mean passes the 50% target.
With the teacher's Dropout(0.2) kept in the 16-unit student the same protocol gave
ratio=0.200 (the grid then picked T 2 alpha 0.5). A plain torch loop (its own stratified
splits of the same sizes, no dropout, 5 seeds) agreed: T 4 alpha 0.5 recovered 0.60 at 100
epochs; at 60 epochs 0.29-0.48 over T/alpha; the x0.1 student (13-6 units, 999 params) 0.32.
Teacher cost: a 17k-parameter MLP teacher is cheap: ratio_teacher_cost 0.93-1.19 (noise).

Run: ``python benchmarks/compress_distill.py [--seeds 0 1 2 3 4] [--epochs 100] [--lr 0.01]
[--student-widths 16,16 | --width 0.1] [--temperature 4] [--alpha 0.5] [--select]
[--teacher-epochs 40] [--threads 1] [--no-teacher-cost]``
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch

from workbench.compress.distill_run import DistillSettings, gap_recovered, student_requests
from workbench.compress.student import network_size, smaller_copy
from workbench.experiment import RunRequest, execute_run
from workbench.graph.spec import GraphSpec
from workbench.paths import find_example
from workbench.project import load_project


def train_teacher(args: argparse.Namespace, project_dir: Path, seed: int) -> dict[str, Any]:
    project = load_project(find_example(args.teacher))
    dataset = {**project.resolved_dataset(), "val_fraction": args.val_fraction,
               "test_fraction": args.test_fraction, "split_seed": seed}
    request = RunRequest.freeze(project.graph, dataset,
                                {**project.training, "epochs": args.teacher_epochs,
                                 "device": args.device, "seed": 1234, "monitors": False},
                                project_dir, name=f"teacher{seed}")
    return execute_run(request)


def student_graph(teacher: GraphSpec, args: argparse.Namespace) -> GraphSpec:
    """The teacher's network with its hidden Linear widths replaced and dropout off
    (``--student-widths``), or every width scaled (``--width``)."""
    if not args.student_widths:
        return smaller_copy(teacher, args.width)
    widths = [int(w) for w in args.student_widths.split(",")]
    small = teacher.copy()
    outputs = {n.id for n in small.nodes if n.type == "Output"}
    heads = {e.src for e in small.edges if e.dst in outputs}
    hidden = [n for n in small.nodes if n.type == "Linear" and n.id not in heads]
    if len(hidden) != len(widths):
        raise SystemExit(f"--student-widths: the teacher has {len(hidden)} hidden Linear "
                         f"layers, found {len(widths)} widths")
    for node, width in zip(hidden, widths):
        node.params = {**node.params, "out_features": width}
    for node in small.nodes:  # a 16-unit layer has no capacity to spare for dropout
        if node.type == "Dropout":
            node.params = {**node.params, "p": 0.0}
    small.name = f"student-{args.student_widths}"
    return small


def test_accuracy(run_dir: str) -> float:
    """Accuracy of the run's best weights on its test split."""
    from workbench.run_model import rebuild_run

    rebuilt = rebuild_run(run_dir, purpose="eval")
    ds = rebuilt.dataset
    with torch.no_grad():
        logits = rebuilt.module(torch.as_tensor(ds.x_test))
    return float((logits.argmax(1).numpy() == ds.y_test).mean())


def pair(teacher: dict[str, Any], student: Any, args: argparse.Namespace, seed: int,
         temperature: float, alpha: float, training: dict[str, Any]) -> tuple[dict, dict]:
    settings = DistillSettings(temperature=temperature, alpha=alpha, epochs=args.epochs,
                               seed=seed, width_factor=args.width, training=training)
    request, plain = student_requests(teacher["run_dir"], student, settings,
                                      compare_scratch=True, name=f"s{seed}")
    return execute_run(request), execute_run(plain)


def epoch_seconds(run_dir: str) -> float:
    from workbench.runs.run_store import RunStore

    records = [m for m in RunStore.open(run_dir).metrics.read() if m.get("kind") == "epoch"]
    return statistics.mean(m["epoch_seconds"] for m in records)


def select(args: argparse.Namespace, project_dir: Path, student: Any,
           training: dict[str, Any]) -> tuple[float, float]:
    """The (T, alpha) of the grid with the best mean validation accuracy of the distilled
    student on the selection seeds."""
    teachers = {s: train_teacher(args, project_dir, s) for s in args.select_seeds}
    scores = {}
    for t in args.grid_t:
        for a in args.grid_alpha:
            accs = []
            for seed, teacher in teachers.items():
                settings = DistillSettings(temperature=t, alpha=a, epochs=args.epochs,
                                           seed=seed, width_factor=args.width,
                                           training=training)
                request, _ = student_requests(teacher["run_dir"], student, settings,
                                              name=f"sel{seed}")
                accs.append(float(execute_run(request)["val_accuracy"]))
            scores[(t, a)] = statistics.mean(accs)
            print(f"  select T={t:g} alpha={a:g}: mean validation accuracy {scores[(t, a)]:.4f}")
    return max(scores, key=lambda k: scores[k])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher", default="mlp_digits")
    parser.add_argument("--teacher-epochs", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.01, help="the students' learning rate")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--val-fraction", type=float, default=0.2)
    parser.add_argument("--test-fraction", type=float, default=0.3)
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--select", action="store_true", help="choose T, alpha on validation")
    parser.add_argument("--select-seeds", type=int, nargs="+", default=[100, 101])
    parser.add_argument("--grid-t", type=float, nargs="+", default=[2.0, 4.0, 8.0])
    parser.add_argument("--grid-alpha", type=float, nargs="+", default=[0.5, 0.9])
    parser.add_argument("--student-widths", default="16,16",
                        help="hidden Linear widths of the student ('' for --width)")
    parser.add_argument("--width", type=float, default=0.1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-teacher-cost", action="store_true",
                        help="skip the cached-vs-per-batch teacher timing")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    training = {"device": args.device, "lr": args.lr, "monitors": False,
                "checkpoint_every": 10_000}  # identical for both students
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = Path(tmp)
        t_graph = GraphSpec.from_dict(load_project(find_example(args.teacher)).graph.to_dict())
        s_graph = student_graph(t_graph, args)
        student = SimpleNamespace(graph=s_graph, name=s_graph.name, resolved_dataset=dict,
                                  training=dict(load_project(find_example(args.teacher))
                                                .training))
        t_params, s_params = network_size(t_graph)[0], network_size(s_graph)[0]
        print(f"teacher {args.teacher}: {t_params} params ({args.teacher_epochs} epochs); "
              f"student {s_graph.name}: {s_params} params ({s_params / t_params:.3f} of the "
              f"teacher); splits train/val/test {1 - args.val_fraction - args.test_fraction:g}"
              f"/{args.val_fraction:g}/{args.test_fraction:g}, split seed = seed")
        temperature, alpha = args.temperature, args.alpha
        if args.select:
            temperature, alpha = select(args, project_dir, student, training)
            print(f"selected on validation (seeds {args.select_seeds}): T={temperature:g} "
                  f"alpha={alpha:g}")
        print(f"T={temperature:g} alpha={alpha:g}, {args.epochs} student epochs, lr {args.lr:g},"
              f" device {args.device}, {args.threads} torch thread(s)")
        rows, runs = [], []
        for seed in args.seeds:
            teacher = train_teacher(args, project_dir, seed)
            d, s = pair(teacher, student, args, seed, temperature, alpha, training)
            row = {"teacher": test_accuracy(teacher["run_dir"]),
                   "distilled": test_accuracy(d["run_dir"]),
                   "scratch": test_accuracy(s["run_dir"])}
            rows.append(row)
            runs.append((teacher, d))
            gap = gap_recovered(row["teacher"], row["scratch"], row["distilled"])
            print(f"seed {seed}: test accuracy teacher {row['teacher']:.4f}  distilled "
                  f"{row['distilled']:.4f}  scratch {row['scratch']:.4f}  gap recovered "
                  f"{'-' if gap is None else f'{gap:.3f}'}  (validation: distilled "
                  f"{float(d['val_accuracy']):.4f} scratch {float(s['val_accuracy']):.4f})")
        mean = {k: statistics.mean(r[k] for r in rows) for k in rows[0]}
        print(f"mean over {len(rows)} seeds (test): teacher {mean['teacher']:.4f}  distilled "
              f"{mean['distilled']:.4f}  scratch {mean['scratch']:.4f}")
        gap = gap_recovered(mean["teacher"], mean["scratch"], mean["distilled"])
        per_seed = [g for r in rows if (g := gap_recovered(r["teacher"], r["scratch"],
                                                             r["distilled"])) is not None]
        print(f"ratio={'nan' if gap is None else f'{gap:.3f}'}")
        print(f"ratio_per_seed_mean="
              f"{statistics.mean(per_seed) if per_seed else float('nan'):.3f}")
        print(f"ratio_params={s_params / t_params:.4f}")
        if args.no_teacher_cost:
            return
        teacher, distilled = runs[0]
        settings = DistillSettings(temperature=temperature, alpha=alpha, epochs=args.epochs,
                                   seed=args.seeds[0], width_factor=args.width,
                                   cache_teacher=False, training=training)
        request, _ = student_requests(teacher["run_dir"], student, settings, name="per-batch")
        per_batch = execute_run(dataclasses.replace(request))
        cached_s, batch_s = epoch_seconds(distilled["run_dir"]), epoch_seconds(
            per_batch["run_dir"])
        same = float(per_batch["val_accuracy"]) == float(distilled["val_accuracy"])
        print(f"teacher cost: epoch {cached_s * 1000:.1f} ms with outputs cached, "
              f"{batch_s * 1000:.1f} ms with the teacher run per batch; same accuracy: {same}")
        print(f"ratio_teacher_cost={batch_s / cached_s:.3f}")


if __name__ == "__main__":
    main()
