"""Transfer learning: fine-tuned vs from scratch at equal epochs, digits 0-4 -> digits 5-9.

For each seed, the CNN of the bundled example ``transfer_pretrain_digits04`` is pretrained on
the digit images 0-4 (all their training samples); then the network of
``transfer_finetune_digits59`` is trained on the digits 5-9 with a small share of their
training samples (``--fractions``; validation and test keep all of theirs) twice, with the same
settings, seed and number of epochs, apart from the initial weights:

  1. ``fine-tuned``: ``init = {from_run: <the pretraining run>, reset_head: true}``: the
     convolutions and BatchNorms start from the pretrained weights, the head ``fc`` fresh;
  2. ``scratch``: every layer starts from random weights (the same seed).

Both go through the whole product path (``execute_run``). The benchmark prints the validation
accuracy of each contender after each epoch (the run's metric log; the schedule is constant, so
epoch k of a longer run is what a k-epoch run reaches), mean of the seeds, for every share of the
data: the curve shows where transfer helps and where it does not. Then, for the example's own
share (10%), ``ratio=`` lines: mean fine-tuned / mean scratch accuracy after the first epoch
and after the last, and of each run's best epoch by validation loss (what its summary reports).

Measured (CPU, 2026-11-23; deterministic per seed): no reliable gain on this data, at any
share or number of epochs. 16/32-channel CNN, 3 seeds, mean after k = 1 / 3 / 10 epochs,
fine-tuned vs scratch: 2% (13 images) 0.291/0.266, 0.468/0.540,
0.741/0.791; 5% 0.473/0.406, 0.754/0.761, 0.920/0.908; 10% (63) 0.662/0.684, 0.881/0.881,
0.950/0.953, ratio=0.997 (best epoch by validation loss likewise 0.997).
The same with 64/128 channels: 2% 0.398/0.420, 0.597/0.741, 0.652/0.744; 5% 0.525/0.570,
0.734/0.744, 0.891/0.915; 10% 0.667/0.709, 0.891/0.918, 0.958/0.950 (ratio 1.008). The mechanics
are right (the loaded tensors equal the source run's, the head is fresh, the loaded group's lr is
lr x lr_scale, the pretraining run reaches 1.000 on digits 0-4). Why: 8x8 digits are almost
linearly separable in pixel space (logistic regression on the raw pixels of 13 images: 0.91),
and features learned on five other digits do no better for a linear classifier than those of the
randomly initialised trunk (13 images: 0.81 vs 0.79; 63: 0.94 vs 0.92). A frozen trunk or
``--lr-scale 0.1`` is worse than scratch at equal epochs (10%: 0.915 and 0.953 vs 0.960 after
20 epochs), and the early-epoch lead a plain loop showed for a wider or deeper CNN (epoch 1 on
10%, 10 seeds: 0.78 vs 0.65) does not survive other seeds: epoch 1 is four optimizer steps, and
its accuracy varies from 0.53 to 0.78 between seeds. The example shows the mechanics; a gain
needs data where features carry over (larger images, more source classes).

Run: ``python benchmarks/transfer.py [--seeds 0 1 2] [--epochs 10] [--fractions 0.02 0.05 0.1]
[--device cpu] [--pretrain-epochs 15] [--lr-scale X] [--freeze-until NODE]
[--unfreeze-every N]`` (the lr/freeze options shape the fine-tuned contender only).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project

PRETRAIN = "transfer_pretrain_digits04"
FINETUNE = "transfer_finetune_digits59"
ARMS = ("fine-tuned", "scratch")
HEADLINE = 0.1  # the example's own share of the digits 5-9 training split


def request(example: str, project_dir: Path, name: str, fraction: float | None = None,
            **training: Any) -> RunRequest:
    """A bundled example with ``training`` overrides (and ``train_fraction`` when given)."""
    project = load_project(find_example(example))
    settings = {**project.training, **training}
    dataset = project.resolved_dataset()
    if fraction is not None:
        dataset = {**dataset, "options": {**dataset["options"], "train_fraction": fraction}}
    return RunRequest.freeze(project.graph, dataset, settings, project_dir, name=name)


def train(example: str, project_dir: Path, name: str, fraction: float | None = None,
          **training: Any) -> dict[str, Any]:
    """Run a bundled example (see :func:`request`); its summary."""
    return execute_run(request(example, project_dir, name, fraction, **training))


def train_images(project_dir: Path, fraction: float) -> int:
    """How many training images the fine-tuning example sees with ``fraction``."""
    from workbench.experiment import prepare

    _, dataset, _ = prepare(request(FINETUNE, project_dir, "count", fraction))
    return len(dataset.split("train")[1])


def curve(summary: dict[str, Any]) -> list[float]:
    """Validation accuracy after each epoch (the run's metric log)."""
    from workbench.runs.run_store import RunStore

    return [float(r["val_accuracy"]) for r in RunStore(summary["run_dir"]).metrics.read()
            if r.get("kind") == "epoch"]


def one_seed(seed: int, args: argparse.Namespace, folder: Path, init: dict[str, Any]
             ) -> dict[str, Any]:
    """Pretrain once, then both contenders for every share of the data."""
    common = {"seed": seed, "device": args.device, "monitors": False}
    source = train(PRETRAIN, folder, f"pretrain-{seed}", epochs=args.pretrain_epochs, **common)
    row: dict[str, Any] = {"pretrain": source["val_accuracy"]}
    for fraction in args.fractions:
        inits = {"fine-tuned": {"from_run": str(source["run_dir"]), "reset_head": True, **init},
                 "scratch": {}}
        for arm in ARMS:
            summary = train(FINETUNE, folder, f"{arm}-{seed}-{fraction:g}", fraction,
                            epochs=args.epochs, init=inits[arm], **common)
            row[(arm, fraction)] = {"curve": curve(summary), "best": summary["val_accuracy"]}
    return row


def _mean(rows: list[dict[str, Any]], arm: str, fraction: float, epoch: int) -> float:
    return statistics.mean(r[(arm, fraction)]["curve"][epoch] for r in rows)


def print_curves(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Accuracy vs epochs, one block per share of the data: fine-tuned, scratch, ratio."""
    shown = [e for e in (1, 2, 3, 5, 10, 20, 50) if e < args.epochs] + [args.epochs]
    print(f"\nvalidation accuracy on digits 5-9 (their whole validation split) after k epochs, "
          f"mean of {len(rows)} seeds, device {args.device}:")
    print("share  contender   " + "".join(f"{f'k={e}':>8s}" for e in shown))
    for fraction in args.fractions:
        means = {arm: [_mean(rows, arm, fraction, e - 1) for e in shown] for arm in ARMS}
        for arm in ARMS:
            print(f"{fraction:>5.0%}  {arm:<11s} " + "".join(f"{v:8.4f}" for v in means[arm]))
        print(f"{'':5s}  {'ratio':<11s} " + "".join(
            f"{t / s:8.3f}" for t, s in zip(means["fine-tuned"], means["scratch"])))


def print_headline(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """The ratio lines for the example's share (or the largest one asked for)."""
    fraction = HEADLINE if HEADLINE in args.fractions else max(args.fractions)
    first = {arm: _mean(rows, arm, fraction, 0) for arm in ARMS}
    last = {arm: _mean(rows, arm, fraction, args.epochs - 1) for arm in ARMS}
    best = {arm: statistics.mean(r[(arm, fraction)]["best"] for r in rows) for arm in ARMS}
    print(f"\ndigits 5-9, {fraction:.0%} of their training data, mean of {len(rows)} seeds "
          f"(fine-tuned / scratch):")
    print(f"ratio={first['fine-tuned'] / first['scratch']:.3f} after 1 epoch "
          f"({first['fine-tuned']:.4f} / {first['scratch']:.4f})")
    print(f"ratio={last['fine-tuned'] / last['scratch']:.3f} after {args.epochs} epochs "
          f"({last['fine-tuned']:.4f} / {last['scratch']:.4f})")
    print(f"ratio={best['fine-tuned'] / best['scratch']:.3f} best epoch by validation loss "
          f"({best['fine-tuned']:.4f} / {best['scratch']:.4f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10, help="fine-tuning epochs (both)")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.02, 0.05, 0.1],
                        help="shares of the digits 5-9 training split both contenders see")
    parser.add_argument("--pretrain-epochs", type=int, default=15)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--lr-scale", type=float, default=1.0,
                        help="fine-tuned: learning-rate multiplier for the loaded layers")
    parser.add_argument("--freeze-until", default="",
                        help="fine-tuned: freeze the loaded layers up to this node")
    parser.add_argument("--unfreeze-every", type=int, default=0,
                        help="fine-tuned: unfreeze one frozen layer every N epochs")
    args = parser.parse_args()
    if args.epochs < 1 or not all(0.0 < f <= 1.0 for f in args.fractions):
        parser.error(f"expected --epochs >= 1 and --fractions in (0, 1], found "
                     f"{args.epochs} and {args.fractions}")
    init = {"lr_scale": args.lr_scale, "freeze_until": args.freeze_until,
            "unfreeze_every": args.unfreeze_every}
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="wb-transfer-") as tmp:
        images = {f: train_images(Path(tmp), f) for f in args.fractions}
        for seed in args.seeds:
            row = one_seed(seed, args, Path(tmp), init)
            rows.append(row)
            ends = "  ".join(
                f"{f:.0%} ({images[f]} images): "
                + "/".join(f"{row[(arm, f)]['curve'][0]:.3f}>{row[(arm, f)]['curve'][-1]:.3f}"
                           for arm in ARMS) for f in args.fractions)
            print(f"seed {seed}: pretrain (0-4) val acc {row['pretrain']:.4f} | fine-tuned/"
                  f"scratch, epoch 1>{args.epochs}: {ends}", flush=True)
    print_curves(rows, args)
    print_headline(rows, args)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
