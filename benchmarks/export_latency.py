"""ONNX Runtime vs two PyTorch eager baselines for the digits MLP and CNN, side by side.

Trains each example briefly (2 epochs, no run folder), rebuilds the module the way an export
rebuilds a run, exports it, and times three contenders on the same inputs at batch 1 and 64:
  - ``graph``: the compiled graph (``GraphModule``, the interpreter the trainer uses),
  - ``codegen``: the plain ``nn.Module`` that ``workbench.graph.codegen`` writes for the graph
    (what a user would deploy by hand), with the same weights,
  - ``onnxruntime``: the exported model in an ``InferenceSession``.
Torch and ONNX Runtime run with the same, printed thread count (``--threads``; intra-op
threads for both, one inter-op thread for ONNX Runtime). Contenders are timed interleaved in
rounds (graph, codegen, onnxruntime, then the reverse order, ...) and each figure is the median
of all its calls. Prints ``ratio=<eager ms / onnxruntime ms>`` for both eager baselines (the speed-up of
the export) and ``ratio=<codegen ms / graph ms>`` (the interpreter's cost; ~1.0 is on par).

Run: ``python benchmarks/export_latency.py [--threads 1] [--rounds 20] [--calls 20]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import onnxruntime as ort
import torch

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.export.onnx_export import export_onnx_bytes
from workbench.graph.codegen import generate_source
from workbench.graph.compile import compile_graph
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer


def codegen_module(spec, state: dict) -> torch.nn.Module:
    """The module codegen writes for ``spec``, built from its source, with ``state`` loaded."""
    namespace: dict = {}
    exec(compile(generate_source(spec), "<codegen>", "exec"), namespace)  # noqa: S102
    module = namespace["build"]()
    module.load_state_dict(state, strict=True)
    return module.eval()


def session(model_bytes: bytes, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def eager_call(module: torch.nn.Module, x: torch.Tensor) -> Callable[[], object]:
    def call() -> object:
        with torch.inference_mode():
            return module(x)

    return call


def ort_call(sess: ort.InferenceSession, x: np.ndarray) -> Callable[[], object]:
    return lambda: sess.run(None, {"input": x})


def timed_rounds(contenders: dict[str, Callable[[], object]], rounds: int, calls: int
                 ) -> dict[str, float]:
    """Median milliseconds per call of each contender, timed interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up
        for _ in range(5):
            fn()
    names = list(contenders)
    for round_ in range(rounds):  # order reversed every other round: no one always goes first
        for name in names if round_ % 2 == 0 else names[::-1]:
            fn = contenders[name]
            for _ in range(calls):
                start = time.perf_counter()
                fn()
                samples[name].append((time.perf_counter() - start) * 1000.0)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__} with {torch.get_num_threads()} intra-op thread(s); "
          f"onnxruntime {ort.__version__} with intra_op_num_threads={args.threads}, "
          f"inter_op_num_threads=1; medians of {args.rounds} interleaved rounds x "
          f"{args.calls} calls")
    for example in ("mlp_digits", "cnn_digits"):
        project = load_project(find_example(example))
        dataset = load_dataset(project.resolved_dataset())
        spec = fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                    dataset.num_classes)
        trainer = Trainer(spec, dataset, TrainConfig(epochs=2, device="cpu"))
        trainer.fit()
        # rebuilt as an export rebuilds a run (the trainer may hold a channels-last copy)
        state = {k: v.contiguous() for k, v in trainer.module.state_dict().items()}
        graph = compile_graph(spec)
        graph.load_state_dict(state)
        graph.eval()
        plain = codegen_module(spec, state)
        sess = session(export_onnx_bytes(graph, dataset.input_shape, dataset.input_dtype),
                       args.threads)
        for batch in (1, 64):
            xb = np.ascontiguousarray(np.resize(dataset.x_val, (batch, *dataset.x_val.shape[1:]))
                                      .astype(dataset.x_val.dtype))
            tb = torch.as_tensor(xb)
            with torch.inference_mode():
                same = torch.allclose(graph(tb), plain(tb), atol=1e-5)

            ms = timed_rounds({"graph": eager_call(graph, tb), "codegen": eager_call(plain, tb),
                               "onnxruntime": ort_call(sess, xb)}, args.rounds, args.calls)
            print(f"{example} batch {batch}: graph {ms['graph']:.4f} ms, codegen "
                  f"{ms['codegen']:.4f} ms (same outputs: {same}), onnxruntime "
                  f"{ms['onnxruntime']:.4f} ms")
            print(f"ratio={ms['graph'] / ms['onnxruntime']:.2f} {example} batch {batch} "
                  f"graph/onnxruntime")
            print(f"ratio={ms['codegen'] / ms['onnxruntime']:.2f} {example} batch {batch} "
                  f"codegen/onnxruntime")
            print(f"ratio={ms['codegen'] / ms['graph']:.2f} {example} batch {batch} "
                  f"codegen/graph (interpreter cost; 1.0 = on par)")


if __name__ == "__main__":
    main()
