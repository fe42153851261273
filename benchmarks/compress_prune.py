"""Structured pruning of 50% of the channels of resnet_small, fine-tuned, against the original.

Per seed (``--seeds``, default 3): trains resnet_small into a temporary project (the example's
settings, ``--epochs``, default its 15; seed = the training seed), then calls
``workbench.compress.prune_run.prune_run`` (``--ratio`` 0.5, ``--finetune-epochs`` 15) once per
configuration of ``--configs`` (method:steps, default ``l1:1 taylor:1 l1:2``) and keeps the one
with the best VALIDATION accuracy after fine-tuning; the chosen one's TEST accuracy change is
the figure (the test split is read only to report it). Original and pruned ONNX models are
measured in the same process by onnxruntime on the CPU, interleaved in rounds, with the printed
intra-op thread count. Prints per seed, then over the seeds::

  ratio_macs=<original MACs / pruned MACs>  (higher is better; target >= 45% fewer MACs)
  speedup_b64=<original ms / pruned ms at batch 64>  (higher is better; target >= 25% lower)
  accuracy_delta_test=<points, pruned - original>  (higher is better; target within 1 point)

Measured before issue 22 (one seed, the configuration chosen on the validation split that
reported the change: l1, 1 step): MACs ratio 3.91 (74.4% fewer), b64 ratio 2.22, validation
accuracy -0.37 points (269 samples, 1 point ~ 3 samples).

Since issue 22 (2026-12-08, load 6.0-6.9 on 2 shared cores, 1 ORT thread; REDUCED settings
``--epochs 5 --finetune-epochs 5 --seeds 2 --configs l1:1 taylor:1 --repeats 20``; 269
validation / 269 test samples): chosen on validation l1:1 (seed 0) and taylor:1 (seed 1);
every group 16 -> 8 channels, params 9770 -> 2586, ratio_macs=3.91 (74.4% fewer),
speedup_b64=1.42 (27.9% and 31.0% lower), accuracy_delta_test=-2.79 (seeds -4.09, -1.49;
validation -3.53): misses the accuracy target with 5 fine-tuning epochs (the old docstring
saw -4.46 validation points with 5 epochs too); the default 15 epochs and 3 seeds were not
run here.

Run (defaults: 3 seeds x (training + 3 configurations x 15 fine-tuning epochs), about 15-25
minutes on one quiet core): ``python benchmarks/compress_prune.py [--threads 1] [--seeds 3]
[--configs l1:1 taylor:1 l1:2] [--finetune-epochs 15] [--epochs N] [--run DIR]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from workbench.compress.prune_run import prune_run
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import print_context, ratio_line  # noqa: E402


def train(project_dir: Path, epochs: int | None, seed: int) -> str:
    project = load_project(find_example("resnet_small"))
    training = {**project.training, "device": "cpu", "seed": seed}
    if epochs:
        training["epochs"] = epochs
    request = RunRequest.freeze(project.graph, project.resolved_dataset(), training,
                                project_dir, name=f"resnet_small{seed}")
    return str(execute_run(request)["run_dir"])


def accuracies(run_dir: str) -> dict[str, float]:
    """Validation and test accuracy of the run's best weights (torch, eval mode)."""
    import torch

    from workbench.run_model import rebuild_run

    rebuilt = rebuild_run(run_dir, purpose="eval")
    module, ds = rebuilt.module.eval(), rebuilt.dataset
    out = {}
    with torch.no_grad():
        for split, x, y in (("val", ds.x_val, ds.y_val), ("test", ds.x_test, ds.y_test)):
            if x is None or not len(x):
                raise SystemExit(f"{run_dir}: expected a {split} split, found none")
            logits = torch.cat([module(torch.as_tensor(x[i:i + 256]))
                                for i in range(0, len(x), 256)])
            out[split] = float((logits.argmax(1).numpy() == np.asarray(y)).mean())
            out[f"{split}_samples"] = len(x)
    return out


def one_seed(run_dir: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Every configuration pruned and fine-tuned; the one best on validation reported."""
    original = accuracies(run_dir)
    tried = []
    for config in args.configs:
        method, steps = config.split(":")
        r = prune_run(run_dir, args.ratio, method, args.scope, int(steps),
                      args.finetune_epochs, threads=args.threads, repeats=args.repeats)
        acc = accuracies(r["run_dir"])
        tried.append((config, r, acc))
        print(f"  seed {seed} {config}: val {original['val']:.4f} -> {acc['val']:.4f}, test "
              f"{original['test']:.4f} -> {acc['test']:.4f} (test read for the report only)",
              flush=True)
    config, r, acc = max(tried, key=lambda t: t[2]["val"])  # first best on ties
    before, after = r["original_latency_ms"], r["latency_ms"]
    print(f"\nresnet_small seed {seed}: chosen on validation {config} ({args.ratio:g} of the "
          f"channels, {args.scope}, {args.finetune_epochs} fine-tuning epochs); onnxruntime "
          f"CPU, {r['threads']} intra-op thread(s); {original['val_samples']} validation / "
          f"{original['test_samples']} test samples")
    for g in r["groups"]:
        print(f"  {', '.join(g['layers'])}: {g['channels']} -> {g['kept']}")
    print(f"  params {r['original_params']} -> {r['params']}; file {r['original_file_bytes']} "
          f"-> {r['file_bytes']} bytes; MACs {r['original_macs']} -> {r['macs']} "
          f"({r['macs_reduction']:.1%} fewer)")
    print(f"  latency b64 {before['64']:.3f} -> {after['64']:.3f} ms "
          f"({1 - after['64'] / before['64']:.1%} lower); b1 {before['1']:.3f} -> "
          f"{after['1']:.3f} ms (ratio {r['speedup']['1']:.2f})")
    row = {"macs": r["original_macs"] / r["macs"], "b64": r["speedup"]["64"],
           "test": (acc["test"] - original["test"]) * 100,
           "val": (acc["val"] - original["val"]) * 100, "config": config}
    print(f"  accuracy change test {row['test']:+.2f} points (validation, where it was chosen: "
          f"{row['val']:+.2f})", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=None, help="default: the example's")
    parser.add_argument("--ratio", type=float, default=0.5)
    parser.add_argument("--configs", nargs="+", default=["l1:1", "taylor:1", "l1:2"],
                        help="method:steps, chosen among on validation")
    parser.add_argument("--scope", default="layer")
    parser.add_argument("--finetune-epochs", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--run", help="a trained resnet_small run folder instead of training")
    args = parser.parse_args()
    print_context(args.threads)
    rows = []
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        for seed in range(1 if args.run else args.seeds):
            rows.append(one_seed(args.run or train(Path(tmp), args.epochs, seed), seed, args))
    n = len(rows)
    print(f"\nover {n} seed(s); chosen: {[r['config'] for r in rows]}")
    ratio_line("original MACs / pruned MACs, mean over seeds",
               statistics.mean(r["macs"] for r in rows), note="target >= 1.82 (45% fewer)",
               key="ratio_macs", digits=2)
    ratio_line("original ms / pruned ms at batch 64, mean of per-seed ratios",
               statistics.mean(r["b64"] for r in rows), note="target >= 1.33 (25% lower)",
               key="speedup_b64", digits=2)
    ratio_line("test accuracy pruned - original, points, mean over seeds",
               statistics.mean(r["test"] for r in rows), digits=2,
               note=f"target >= -1; per seed {[round(r['test'], 2) for r in rows]}; "
                    f"validation {statistics.mean(r['val'] for r in rows):+.2f}",
               key="accuracy_delta_test")
    print_context(args.threads, "context at the end")


if __name__ == "__main__":
    main()
