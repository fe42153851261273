"""How hard is colour_shapes? A small CNN for 2 epochs must stay under 95% validation accuracy.

Run ``python benchmarks/colour_shapes_hardness.py [--epochs 2] [--resnet-epochs 0]``. Trains
the small CNN of ``cnn_digits`` (two convolutions, one hidden Linear; fitted to 3x32x32) with
a plain PyTorch loop over the dataset's uint8 cache (converted per batch), and optionally the
``cnn_colour`` ResNet, printing validation accuracy after every epoch, and, for comparison, the
same small CNN on ``digits_images``. The split and preprocessing are the dataset's own
(``load_dataset``); the loop is a plain one, so the figure does not depend on the trainer.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from workbench.data import load_dataset
from workbench.experiment import fit_graph_to_dataset
from workbench.graph.compile import compile_graph
from workbench.paths import EXAMPLES_DIR
from workbench.project import load_project


def batches(x, y, batch: int, rng: np.random.Generator | None):
    order = rng.permutation(len(y)) if rng is not None else np.arange(len(y))
    for start in range(0, len(y), batch):
        rows = order[start:start + batch]
        yield torch.from_numpy(np.asarray(x[np.sort(rows)])), torch.from_numpy(y[np.sort(rows)])


def accuracy(model: torch.nn.Module, x, y) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in batches(x, y, 512, None):
            correct += int((model(xb).argmax(1) == yb).sum())
    return correct / len(y)


def train(example: str, dataset: dict, epochs: int, lr: float, seed: int = 0) -> list[float]:
    data = load_dataset(dataset)
    project = load_project(EXAMPLES_DIR / f"{example}.wbproj.json")
    spec = fit_graph_to_dataset(project.graph, data.input_shape, data.input_dtype,
                                data.num_classes)
    torch.manual_seed(seed)
    model = compile_graph(spec)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    curve = []
    for epoch in range(epochs):
        model.train()
        started = time.perf_counter()
        for xb, yb in batches(data.x_train, data.y_train, 64, rng):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        curve.append(accuracy(model, data.x_val, data.y_val))
        print(f"{example} on {dataset['name']}: epoch {epoch + 1} val_accuracy={curve[-1]:.4f} "
              f"({time.perf_counter() - started:.0f} s, {len(data.y_train):,} training images)",
              flush=True)
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--resnet-epochs", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 on a busy CPU)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    digits = train("cnn_digits", {"name": "digits_images"}, args.epochs, 0.002)
    shapes = train("cnn_digits", {"name": "colour_shapes"}, args.epochs, 0.002)
    print(f"small CNN after {args.epochs} epochs: digits_images {digits[-1]:.4f}, "
          f"colour_shapes {shapes[-1]:.4f} (target: colour_shapes < 0.95)")
    if args.resnet_epochs:
        train("cnn_colour", {"name": "colour_shapes"}, args.resnet_epochs, 0.003)


if __name__ == "__main__":
    main()
