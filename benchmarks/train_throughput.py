"""Training throughput: the Workbench trainer vs plain PyTorch loops, side by side in one run.

For the digits MLP and CNN examples, trains the same network for the same epochs with
  1. the Workbench Trainer (monitors on, no run folder),
  2. a hand-written loop that slices tensors held in memory,
  3. a plain torch DataLoader loop over a TensorDataset,
and prints samples/s for each and ``ratio=<trainer/other>`` lines. Each contender runs
``--repeats`` times interleaved and the best is kept, which damps the noise of a shared machine.

Run: ``python benchmarks/train_throughput.py [--epochs 6] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from workbench.data import load_dataset
from workbench.experiment import dataset_spec_from_dict, fit_graph_to_dataset
from workbench.graph.compile import compile_graph
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer


def setup(example: str):
    project = load_project(find_example(example))
    dataset = load_dataset(dataset_spec_from_dict(project.resolved_dataset()))
    spec = fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                dataset.num_classes)
    return spec, dataset


def run_trainer(spec, dataset, epochs: int, batch_size: int) -> float:
    config = TrainConfig(epochs=epochs, batch_size=batch_size, optimizer="adam", lr=1e-3,
                         device="cpu", monitors=True, seed=0)
    summary = Trainer(spec, dataset, config).fit()
    return float(summary["samples_per_second"])


def run_tensor_loop(spec, dataset, epochs: int, batch_size: int) -> float:
    torch.manual_seed(0)
    model = compile_graph(spec)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.as_tensor(dataset.x_train)
    y = torch.as_tensor(dataset.y_train)
    n = len(x)
    seen, elapsed = 0, 0.0
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            seen += len(idx)
        elapsed += time.perf_counter() - start
    return seen / elapsed


def run_dataloader_loop(spec, dataset, epochs: int, batch_size: int) -> float:
    torch.manual_seed(0)
    model = compile_graph(spec)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(torch.as_tensor(dataset.x_train),
                                      torch.as_tensor(dataset.y_train)),
                        batch_size=batch_size, shuffle=True)
    seen, elapsed = 0, 0.0
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            seen += len(xb)
        elapsed += time.perf_counter() - start
    return seen / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, batch {args.batch_size}, "
          f"{args.epochs} epochs, best of {args.repeats}")
    contenders = {"trainer": run_trainer, "tensor_loop": run_tensor_loop,
                  "dataloader_loop": run_dataloader_loop}
    for example in ("mlp_digits", "cnn_digits"):
        spec, dataset = setup(example)
        best = {name: 0.0 for name in contenders}
        for _ in range(args.repeats):
            for name, fn in contenders.items():
                best[name] = max(best[name], fn(spec, dataset, args.epochs, args.batch_size))
        for name, value in best.items():
            print(f"{example} {name}: {value:,.0f} samples/s")
        print(f"ratio={best['trainer'] / best['tensor_loop']:.3f} {example} trainer/tensor_loop "
              f"(target >= 1.0)")
        print(f"ratio={best['trainer'] / best['dataloader_loop']:.3f} {example} "
              f"trainer/dataloader_loop (target >= 1.3)")


if __name__ == "__main__":
    main()
