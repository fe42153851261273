"""The data path at the size users have: image folders of tens of thousands of photos, and a
CSV of a million rows.

Three measurements on image folders (``workbench make-image-folder colour_shapes DIR --count N
--size 64`` writes them; ``--make`` does it here):

1. first-pass decode: a fresh cache, the folder decoded by ``--workers`` worker processes;
   prints ``decode_images_per_second=`` (higher is better).
2. memory: in a fresh subprocess per folder, peak anonymous memory (RssAnon, sampled every
   10 ms) while loading the folder and training one epoch of a small CNN on it, above the
   process's own level after imports; prints the peak at 15,000 and at 60,000 images and
   ``anon_growth_mb=`` (60k minus 15k; lower is better, target <= 150).
3. speed: the same network trained on the 60,000-image folder through its uint8 cache, and on
   the same data already held as float32 arrays in memory (what a user would write with the
   data fitting in RAM); the second epoch's samples/s of each, interleaved ``--repeats``
   times; prints ``ratio=`` = cache / in-memory, the mean of the per-repeat ratios (higher
   is better, target >= 0.9).

Then the CSV section of benchmarks/data_pipeline_csv.py (rows/s and peak memory of a
1,000,000 x 30 file; ``--csv-rows 0`` skips it).

Measured 2026-12-08 on the shared 2-core CPU (load 0.5-8): decode 3,075 images/s (60,000
64x64 JPEGs, 2 processes); anonymous memory +65 MB from 15,000 to 60,000 images (peaks 639 and
704 MB); cache/in-memory 0.974 (pairs 1.025, 0.923; 1 thread, load 0.5-1.7).

Default run (about 15-25 minutes on 2 cores, most of it writing the folders the first time)::

    python benchmarks/data_pipeline.py --make
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

MEMORY_CHILD = r"""
import json, sys, threading, time
def anon():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon"):
            return int(line.split()[1]) / 1024
import numpy, torch
from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer
torch.set_num_threads(int(sys.argv[2]))
base = anon()
peak = [base]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], anon())
        time.sleep(0.01)
threading.Thread(target=sample, daemon=True).start()
ds = load_dataset({"name": "image_folder", "options": {"path": sys.argv[1], "size": [64, 64]}})
graph = load_project(find_example("cnn_digits")).graph
spec = fit_graph_to_dataset(graph, ds.input_shape, "float32", ds.num_classes, True)
Trainer(spec, ds, TrainConfig(epochs=1, batch_size=64, device="cpu")).fit()
done.set()
peak[0] = max(peak[0], anon())
print(json.dumps({"images": len(ds.y_train) + len(ds.y_val) + len(ds.y_test),
                  "base_mb": base, "peak_mb": peak[0], "growth_mb": peak[0] - base}))
"""


def context_line() -> str:
    import torch

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (f"machine: {os.cpu_count()} cores, load average {load}; torch "
            f"{torch.__version__}, {torch.get_num_threads()} thread(s)")


def make_folder(path: Path, count: int) -> None:
    if path.is_dir() and any(path.iterdir()):
        return
    command = Path(sys.executable).parent / "workbench"
    subprocess.run([str(command), "make-image-folder", "colour_shapes", str(path), "--count",
                    str(count), "--size", "64"], check=True)


def decode_rate(folder: Path, workers: int) -> dict[str, Any]:
    """First-pass decode of ``folder`` into a fresh cache: images/s."""
    from workbench.data import load_dataset

    before = os.environ.get("WORKBENCH_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["WORKBENCH_CACHE_DIR"] = cache
        try:
            start = time.perf_counter()
            ds = load_dataset({"name": "image_folder", "options": {
                "path": str(folder), "size": [64, 64], "workers": workers}})
            seconds = time.perf_counter() - start
            images = ds.load_report["images"]
        finally:
            if before is None:
                del os.environ["WORKBENCH_CACHE_DIR"]
            else:
                os.environ["WORKBENCH_CACHE_DIR"] = before
    return {"images": images, "seconds": seconds, "per_second": images / seconds}


def memory(folder: Path, threads: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(folder), str(threads)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def speed(folder: Path, repeats: int, epochs: int) -> dict[str, Any]:
    """Second-epoch samples/s through the cache and on the same data held in memory."""
    import numpy as np

    from workbench.data import load_dataset
    from workbench.experiment import fit_graph_to_dataset
    from workbench.paths import find_example
    from workbench.project import load_project
    from workbench.train.config import TrainConfig
    from workbench.train.trainer import Trainer

    cached = load_dataset({"name": "image_folder", "options": {"path": str(folder),
                                                               "size": [64, 64]}})
    held = dataclasses.replace(cached, x_train=np.asarray(cached.x_train),
                               x_val=np.asarray(cached.x_val), x_test=np.asarray(cached.x_test))
    graph = load_project(find_example("cnn_digits")).graph
    spec = fit_graph_to_dataset(graph, cached.input_shape, "float32", cached.num_classes, True)
    config = TrainConfig(epochs=epochs, batch_size=64, device="cpu", seed=0)

    def second_epoch(dataset: Any) -> float:
        trainer = Trainer(spec, dataset, config)
        trainer.fit()
        return float(trainer.history[-1]["samples_per_second"])

    runs: dict[str, list[float]] = {"cache": [], "memory": []}
    for repeat in range(repeats):  # the order flips every repeat
        order = ["cache", "memory"] if repeat % 2 == 0 else ["memory", "cache"]
        for name in order:
            runs[name].append(second_epoch(cached if name == "cache" else held))
    ratios = [c / m for c, m in zip(runs["cache"], runs["memory"])]
    return {"runs": runs, "ratios": ratios, "ratio": statistics.fmean(ratios),
            "train_samples": len(cached.y_train)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder-large", type=Path, default=Path(tempfile.gettempdir())
                        / "workbench-bench" / "colour64_60000")
    parser.add_argument("--folder-small", type=Path, default=Path(tempfile.gettempdir())
                        / "workbench-bench" / "colour64_15000")
    parser.add_argument("--make", action="store_true",
                        help="write the folders first when missing (colour_shapes at 64x64)")
    parser.add_argument("--workers", type=int, default=2, help="decode processes")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2, help="the last one is timed")
    parser.add_argument("--csv-rows", type=int, default=1_000_000, help="0 skips the CSV")
    parser.add_argument("--csv-cols", type=int, default=30)
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=("decode", "memory", "speed"), help="sections to leave out")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    print(context_line())
    if args.make:
        make_folder(args.folder_large, 60_000)
        make_folder(args.folder_small, 15_000)
    if "decode" not in args.skip:
        d = decode_rate(args.folder_large, args.workers)
        print(f"decode: {d['images']:,} images in {d['seconds']:.1f} s with {args.workers} "
              f"worker process(es)")
        print(f"decode_images_per_second={d['per_second']:.0f} (higher is better)")
    # the caches the next sections read (decoded here when missing; not timed)
    from workbench.data import load_dataset

    for folder in (args.folder_small, args.folder_large):
        load_dataset({"name": "image_folder", "options": {"path": str(folder),
                                                          "size": [64, 64]}})
    if "memory" not in args.skip:
        small = memory(args.folder_small, args.threads)
        large = memory(args.folder_large, args.threads)
        for m in (small, large):
            print(f"memory: {m['images']:,} images: anonymous memory {m['base_mb']:.0f} MB after "
                  f"imports, peak {m['peak_mb']:.0f} MB (+{m['growth_mb']:.0f} MB)")
        print(f"anon_growth_mb={large['peak_mb'] - small['peak_mb']:.0f} (60k peak minus 15k "
              f"peak; lower is better, target <= 150)")
    if "speed" not in args.skip:
        s = speed(args.folder_large, args.repeats, args.epochs)
        for name, values in s["runs"].items():
            print(f"speed: {name}: epoch {args.epochs} samples/s "
                  f"{', '.join(f'{v:,.0f}' for v in values)} ({s['train_samples']:,} training "
                  f"images)")
        print(f"ratio={s['ratio']:.3f} cache/in-memory samples/s of the last epoch, mean of "
              f"{len(s['ratios'])} per-repeat ratios {', '.join(f'{r:.3f}' for r in s['ratios'])}"
              f" (higher is better, target >= 0.9)")
    if args.csv_rows:
        sys.path.insert(0, str(HERE))
        from data_pipeline_csv import csv_section

        result = csv_section(args.csv_rows, args.csv_cols)
        print("csv: " + json.dumps(result))
    print(context_line())


if __name__ == "__main__":
    main()
