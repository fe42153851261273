"""Transfer learning: fine-tuned vs from scratch at equal epochs, on digits 5-9 with 10% data.

For each seed, the small CNN of the bundled example ``transfer_pretrain_digits04`` is
pretrained on the digit images 0-4 (all their training samples), then the network of
``transfer_finetune_digits59`` is trained on the digits 5-9 with 10% of their training samples
(63 of 628; validation and test keep all of theirs) twice, with the same settings, seed and
number of epochs:

  1. ``fine-tuned``: ``init = {from_run: <the pretraining run>, reset_head: true}``: the
     convolutions and BatchNorms start from the pretrained weights, the head ``fc`` fresh;
  2. ``scratch``: every layer starts from random weights (the same seed).

Both go through the whole product path (``execute_run``: run folder, checkpoints, the
trainer's best-weights restore), so the figure compared is each run's validation accuracy
as its summary reports it (of its best epoch by validation loss). Prints per-seed numbers,
the means over the seeds and::

    ratio=<mean fine-tuned accuracy / mean scratch accuracy>

Run: ``python benchmarks/transfer.py [--seeds 0 1 2] [--epochs 20] [--device cpu]``
(``--epochs`` is the fine-tuning length for both contenders; pretraining keeps the example's
15 epochs unless ``--pretrain-epochs`` says otherwise).
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


def train(example: str, project_dir: Path, name: str, **training: Any) -> dict[str, Any]:
    """Run a bundled example with ``training`` overrides; its summary."""
    project = load_project(find_example(example))
    settings = {**project.training, **training}
    request = RunRequest.freeze(project.graph, project.resolved_dataset(), settings,
                                project_dir, name=name)
    return execute_run(request)


def one_seed(seed: int, epochs: int, pretrain_epochs: int, device: str,
             folder: Path) -> dict[str, float]:
    common = {"seed": seed, "device": device, "monitors": False}
    source = train(PRETRAIN, folder, f"pretrain-{seed}", epochs=pretrain_epochs, **common)
    tuned = train(FINETUNE, folder, f"finetune-{seed}", epochs=epochs, **common,
                  init={"from_run": str(source["run_dir"]), "reset_head": True})
    scratch = train(FINETUNE, folder, f"scratch-{seed}", epochs=epochs, **common, init={})
    return {"pretrain": source["val_accuracy"], "fine-tuned": tuned["val_accuracy"],
            "scratch": scratch["val_accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20, help="fine-tuning epochs (both)")
    parser.add_argument("--pretrain-epochs", type=int, default=15)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="wb-transfer-") as tmp:
        for seed in args.seeds:
            rows[seed] = one_seed(seed, args.epochs, args.pretrain_epochs, args.device,
                                  Path(tmp))
            r = rows[seed]
            print(f"seed {seed}: pretrain (0-4) val acc {r['pretrain']:.4f} | digits 5-9, "
                  f"10% data, {args.epochs} epochs: fine-tuned {r['fine-tuned']:.4f}  "
                  f"scratch {r['scratch']:.4f}", flush=True)
    tuned = statistics.mean(r["fine-tuned"] for r in rows.values())
    scratch = statistics.mean(r["scratch"] for r in rows.values())
    print(f"\nvalidation accuracy on digits 5-9 (their whole validation split), mean of "
          f"{len(rows)} seeds, {args.epochs} epochs each, device {args.device}:")
    print(f"  fine-tuned (convolutions from 0-4, fresh head)  {tuned:.4f}")
    print(f"  from scratch                                    {scratch:.4f}")
    print(f"ratio={tuned / scratch:.3f}  (fine-tuned / scratch; "
          f"{time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
