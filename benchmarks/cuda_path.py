"""The GPU path, measured: device selection, fp32 and mixed precision on CUDA vs the CPU.

Trains the same example with the same seed on the CPU, on CUDA in float32 and on CUDA with
float16 autocast, side by side in one process, then exports the CUDA-trained run to ONNX
(verified with onnxruntime on the CPU). Prints samples/s, validation accuracy and ``ratio=``
lines. Needs a CUDA device; says so and exits 0 without one.

    python benchmarks/cuda_path.py [--example cnn_digits|wide_mlp|...] [--epochs 5]
        [--batch-size 256]

``wide_mlp`` is a 256-1024-1024-512-10 MLP on 200,000 synthetic samples: big enough that the
GPU's per-batch launch overhead does not dominate (the digits examples are 1,797 samples).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


WIDE_MLP_DATA = {"name": "blobs", "options": {"n_samples": 200_000, "n_features": 256,
                                                "n_classes": 10, "noise": 4.0}}


def train(example: str, device: str, amp: bool, epochs: int, batch_size: int,
          project_dir: Path) -> dict:
    """Summary of one run, plus ``steady_samples_per_second``: the median over epochs 2.."""
    import statistics

    from workbench.experiment import RunRequest, execute_run
    from workbench.graph.templates import mlp
    from workbench.paths import find_example
    from workbench.project import load_project
    from workbench.runs.run_store import RunStore

    if example == "wide_mlp":
        graph, dataset, training = mlp(256, hidden=(1024, 1024, 512), num_classes=10), WIDE_MLP_DATA, {}
    else:
        path = find_example(example)
        assert path is not None, f"no bundled example {example}"
        project = load_project(path)
        graph, dataset, training = project.graph, project.resolved_dataset(), project.training
    training = {**training, "epochs": epochs, "batch_size": batch_size, "device": device,
                "mixed_precision": amp, "early_stopping": 0, "seed": 0}
    request = RunRequest.freeze(graph, dataset, training, project_dir,
                                name=f"{example}-{device}{'-amp' if amp else ''}")
    started = time.perf_counter()
    summary = execute_run(request)
    summary["wall_seconds"] = time.perf_counter() - started
    epochs_sps = [m["samples_per_second"] for m in RunStore.open(summary["run_dir"]).metrics.read()
                  if m.get("kind") == "epoch"]
    summary["steady_samples_per_second"] = statistics.median(epochs_sps[1:] or epochs_sps)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="cnn_digits")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()

    import torch

    from workbench.train.device import available_devices, select_device

    print(f"torch {torch.__version__}, devices: {available_devices()}, "
          f"auto selects: {select_device('auto')}")
    if not torch.cuda.is_available():
        print("no CUDA device here: nothing to measure")
        return 0
    print(f"GPU: {torch.cuda.get_device_name(0)}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for device, amp in (("cpu", False), ("cuda", False), ("cuda", True)):
            key = f"{device}{'+amp' if amp else ''}"
            s = train(args.example, device, amp, args.epochs, args.batch_size, Path(tmp))
            results[key] = s
            print(f"{key:10s} device={s['device']} stopped={s['stopped_reason']} "
                  f"val_accuracy={s['val_accuracy']:.4f} "
                  f"steady samples/s={s['steady_samples_per_second']:,.0f} "
                  f"wall={s['wall_seconds']:.1f}s")
        sps = {k: v["steady_samples_per_second"] for k, v in results.items()}
        print(f"ratio=cuda_fp32/cpu {sps['cuda'] / sps['cpu']:.2f}")
        print(f"ratio=cuda_amp/cpu {sps['cuda+amp'] / sps['cpu']:.2f}")
        print(f"ratio=cuda_amp/cuda_fp32 {sps['cuda+amp'] / sps['cuda']:.2f}")

        from workbench.export.bundle import export_run

        report = export_run(results["cuda+amp"]["run_dir"], Path(tmp) / "bundle")
        parity = report["checks"]["parity"]
        print("export of the CUDA+AMP run: " + json.dumps(
            {k: parity.get(k) for k in ("samples", "max_abs_diff", "onnx_accuracy",
                                        "torch_accuracy")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
