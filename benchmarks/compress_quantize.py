"""int8 static vs float32 with ONNX Runtime on cnn_digits and resnet_small, side by side.

Trains each example briefly into a temporary project (``--epochs``, default 5), or takes run
folders (``--runs DIR ...``), then calls ``workbench.compress.quantize.quantize_run`` with
``fmt="auto"``: float32 and every int8 format (static QDQ / QOperator x U8S8 / S8S8, and dynamic)
are measured in the same process, interleaved in rounds, with the printed intra-op thread count.
For every static format it prints, against float32:
  ``ratio=<float bytes / int8 bytes>`` (file size), the accuracy delta in points, and
  ``ratio=<float ms / int8 ms>`` at batch 64 (the speed-up; < 1 means int8 is slower).
The issue's targets: >= 3.7x smaller, accuracy within 0.5 points, >= 1.2x faster at batch 64.

Run: ``python benchmarks/compress_quantize.py [--threads 1] [--epochs 5] [--repeats 50]``
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from workbench.compress.quantize import quantize_run
from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project

EXAMPLES = ("cnn_digits", "resnet_small")


def train(example: str, project_dir: Path, epochs: int) -> str:
    project = load_project(find_example(example))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": epochs, "device": "cpu"},
                                project_dir, name=example)
    return str(execute_run(request)["run_dir"])


def report_run(name: str, run_dir: str, args: argparse.Namespace) -> None:
    report = quantize_run(run_dir, fmt="auto", samples=args.samples, threads=args.threads,
                          repeats=args.repeats, write=False)
    rows = report["formats"]
    ref = rows[0]
    print(f"\n{name}: {report['params']} parameters, {report['macs']} MACs; "
          f"onnxruntime CPU, {report['threads']} intra-op thread(s); float32 val accuracy "
          f"{ref['val_accuracy']:.4f}, {ref['file_bytes']} bytes, "
          f"b1 {ref['latency_ms']['1']:.3f} ms, b64 {ref['latency_ms']['64']:.3f} ms")
    for row in rows[1:]:
        delta = (row["val_accuracy"] - ref["val_accuracy"]) * 100
        size = ref["file_bytes"] / row["file_bytes"]
        speed = row["speedup"]["64"]
        print(f"  {row['label']:<24} size ratio={size:.2f}  accuracy delta {delta:+.2f} points  "
              f"b64 {row['latency_ms']['64']:.3f} ms ratio={speed:.2f}  "
              f"(b1 ratio={row['speedup']['1']:.2f})"
              + (f"  nodes in float: {row['nodes_in_float']}" if row["nodes_in_float"] else ""))
    print(f"  recommendation: {report['recommend']} - {report['reason']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--runs", nargs="*", help="trained run folders instead of training")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        runs = ([(Path(r).name, r) for r in args.runs] if args.runs else
                [(e, train(e, Path(tmp), args.epochs)) for e in EXAMPLES])
        for name, run_dir in runs:
            report_run(name, run_dir, args)


if __name__ == "__main__":
    main()
