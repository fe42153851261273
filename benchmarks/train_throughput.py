"""Training throughput: the whole ``Trainer.fit()`` vs hand-written loops doing the same work.

For the digits MLP and CNN examples, trains the same network for the same epochs with
  1. the Workbench Trainer: the whole ``fit()`` is timed (data to tensors, optimizer, per-epoch
     validation, gradient-norm and dead-unit monitors, the end-of-run health checks and leakage
     scan included; no run folder, so no checkpoint files),
  2. ``plain``: the loop most people write: tensors in memory, ``torch.randperm`` each epoch,
     ``torch.optim.Adam`` with its defaults, train loss read with ``loss.item()`` each batch,
  3. ``best``: the best loop we could write by hand: fused Adam, channels-last for the CNN,
     train loss and accuracy summed on the device (no per-batch host sync),
and both hand loops also validate every epoch (loss and accuracy over the validation split,
batches of 1024, no grad) and draw their permutation inside the timed region, as the trainer
does. Contenders run interleaved ``--repeats`` times (trainer, plain, best, then best, plain,
trainer, ...) and the medians are compared, which damps the noise of a shared machine. Prints samples/s (epochs x
training samples / wall seconds) and::

    ratio=<trainer / plain>  (target >= 1.0)
    ratio=<trainer / best>   (target >= 0.95)

Runs are 20 epochs long by default, the trainer's own default: the trainer's once-per-run work
(health checks, the leakage scan, the summary) is a few milliseconds, which on a 6-epoch digits
run (~0.15 s) weighed ~3% (measured trainer/best 0.86-0.95 at 6 epochs, 0.97 at 20).

Run: ``python benchmarks/train_throughput.py [--epochs 20] [--repeats 5] [--threads 1]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

from workbench.data import load_dataset
from workbench.experiment import dataset_spec_from_dict, fit_graph_to_dataset
from workbench.graph.compile import compile_graph
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer

LR = 1e-3
CLOCK = [time.perf_counter]  # --clock cpu: process CPU time, steadier on a shared machine


def setup(example: str):
    project = load_project(find_example(example))
    dataset = load_dataset(dataset_spec_from_dict(project.resolved_dataset()))
    spec = fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                dataset.num_classes)
    return spec, dataset


def run_trainer(spec, dataset, epochs: int, batch_size: int) -> float:
    config = TrainConfig(epochs=epochs, batch_size=batch_size, optimizer="adam", lr=LR,
                         device="cpu", monitors=True, seed=0)
    trainer = Trainer(spec, dataset, config)  # compiles the graph: outside, like the loops
    start = CLOCK[0]()
    trainer.fit()
    return epochs * len(dataset.x_train) / (CLOCK[0]() - start)


def validate(model, x_val, y_val, loss_fn) -> tuple[float, float]:
    """Per-epoch validation as the trainer does it: batches of 1024, no grad."""
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x_val[i:i + 1024]) for i in range(0, len(x_val), 1024)])
    model.train()
    return (float(loss_fn(logits, y_val).item()),
            float((logits.argmax(dim=1) == y_val).float().mean().item()))


def run_plain(spec, dataset, epochs: int, batch_size: int) -> float:
    torch.manual_seed(0)
    model = compile_graph(spec)
    start = CLOCK[0]()
    x, y = torch.as_tensor(dataset.x_train), torch.as_tensor(dataset.y_train)
    x_val, y_val = torch.as_tensor(dataset.x_val), torch.as_tensor(dataset.y_val)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(x)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(n)
        total, correct = 0.0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(dim=1) == yb).sum())
        validate(model, x_val, y_val, loss_fn)
    return epochs * n / (CLOCK[0]() - start)


def run_best(spec, dataset, epochs: int, batch_size: int) -> float:
    torch.manual_seed(0)
    model = compile_graph(spec)
    start = CLOCK[0]()
    x, y = torch.as_tensor(dataset.x_train), torch.as_tensor(dataset.y_train)
    x_val, y_val = torch.as_tensor(dataset.x_val), torch.as_tensor(dataset.y_val)
    if x.dim() == 4:
        model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
        x_val = x_val.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(x)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(n)
        total = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
            correct += (logits.detach().argmax(dim=1) == yb).sum()
        float(total), int(correct)  # the epoch's figures, read once
        validate(model, x_val, y_val, loss_fn)
    return epochs * n / (CLOCK[0]() - start)


CONTENDERS: dict[str, Callable[..., float]] = {"trainer": run_trainer, "plain": run_plain,
                                               "best": run_best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20,
                        help="epochs per run (default 20, the trainer's own default)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--examples", nargs="*", default=["mlp_digits", "cnn_digits"])
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: perf_counter; cpu: process CPU time (less noisy when other "
                             "programs share the cores; same work measured)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    CLOCK[0] = time.perf_counter if args.clock == "wall" else time.process_time
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), batch "
          f"{args.batch_size}, {args.epochs} epochs, median of {args.repeats} interleaved runs, "
          f"{args.clock} clock")
    for example in args.examples:
        spec, dataset = setup(example)
        for fn in CONTENDERS.values():  # warm-up: first-call costs are nobody's throughput
            fn(spec, dataset, 1, args.batch_size)
        runs: dict[str, list[float]] = {name: [] for name in CONTENDERS}
        names = list(CONTENDERS)
        for repeat in range(args.repeats):  # the order flips every repeat: no one always first
            for name in names if repeat % 2 == 0 else names[::-1]:
                runs[name].append(CONTENDERS[name](spec, dataset, args.epochs,
                                                   args.batch_size))
        median = {name: statistics.median(values) for name, values in runs.items()}
        for name, values in runs.items():
            print(f"{example} {name}: median {median[name]:,.0f} samples/s "
                  f"(runs: {', '.join(f'{v:,.0f}' for v in values)})")
        print(f"ratio={median['trainer'] / median['plain']:.3f} {example} trainer/plain "
              f"(target >= 1.0)")
        print(f"ratio={median['trainer'] / median['best']:.3f} {example} trainer/best "
              f"(target >= 0.95)")


if __name__ == "__main__":
    main()
