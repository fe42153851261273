"""onnxruntime vs PyTorch eager latency for the digits MLP and CNN, side by side in one run.

Trains each example briefly (2 epochs, no run folder needed for timing), rebuilds the module the
way ``export_run`` does, exports it and prints the median latency (200 runs after warm-up) at
batch 1 and 64, with ``ratio=<eager ms / onnxruntime ms>``: the onnxruntime speed-up.
Run: ``python benchmarks/export_latency.py``
"""

from __future__ import annotations

import torch

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.export.latency import latency_table
from workbench.export.onnx_export import export_onnx_bytes
from workbench.graph.compile import compile_graph
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for example in ("mlp_digits", "cnn_digits"):
        project = load_project(find_example(example))
        dataset = load_dataset(project.resolved_dataset())
        spec = fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                    dataset.num_classes)
        trainer = Trainer(spec, dataset, TrainConfig(epochs=2, device="cpu"))
        trainer.fit()
        # rebuilt as an export rebuilds a run (the trainer may hold a channels-last copy)
        module = compile_graph(spec)
        module.load_state_dict({k: v.contiguous() for k, v in
                                trainer.module.state_dict().items()})
        module.eval()
        model = export_onnx_bytes(module, dataset.input_shape, dataset.input_dtype)
        for row in latency_table(module, model, dataset.x_val, repeats=200):
            print(f"{example} batch {row['batch']}: eager {row['torch_eager_ms']:.3f} ms, "
                  f"onnxruntime {row['onnxruntime_ms']:.3f} ms")
            print(f"ratio={row['speedup']:.2f} {example} batch {row['batch']} "
                  f"eager/onnxruntime")


if __name__ == "__main__":
    main()
