"""Training throughput: the path a user runs vs hand-written loops doing the same work.

For mlp_digits, cnn_digits and cnn_colour (a small ResNet on 3x32x32 colour_shapes, read through
its uint8 image cache), trains the same network for the same epochs with
  1. ``trainer``: the default user path, as ``workbench train`` runs it: the whole
     ``Trainer.fit()`` with a run folder (config, metric log, best weights, checkpoints at the
     default interval and at the end, all written in the background), the Health monitors and
     the CLI's progress printer;
  2. ``trainer_no_run``: the same without a run folder or printer (so ``run_cost`` = 1 -
     trainer / trainer_no_run is what writing the run costs; target <= 5%);
  3. ``plain``: the loop most people write: tensors in memory, ``torch.randperm`` each epoch,
     ``torch.optim.Adam`` with its defaults, train loss read with ``loss.item()`` each batch;
  4. ``best``: the best loop we could write by hand: fused Adam, channels-last for CNNs,
     train loss and accuracy summed on the device (no per-batch host sync);
  5. ``compiled``: ``best`` with ``torch.compile(model)`` (compiled in the warm-up, outside the
     timing), where torch.compile works on this machine (else it says why).
The hand loops hold the data in memory as float32 tensors (cnn_colour's cache materialized:
the best a user could write when it fits); they validate every epoch (batches of 1024, no grad)
and draw their permutation inside the timed region, as the trainer does. Contenders run
interleaved ``--repeats`` times, the order flipping each repeat; every ratio is the mean of the
per-repeat ratios (higher is better for all of them)::

    ratio=<trainer / plain>   (target >= 1.0)
    ratio=<trainer / best>    (target >= 0.95)
    ratio=<trainer / compiled>
    run_cost=<1 - trainer / trainer_no_run>  (lower is better; target <= 0.05)

Runs are 20 epochs long by default for the digits (the trainer's own default: its once-per-run
work weighs a few percent on a 6-epoch digits run) and 2 epochs on a 10% training subset for
cnn_colour (``--colour-fraction``).

Run: ``python benchmarks/train_throughput.py [--epochs 20] [--repeats 3] [--threads 1]``
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


def setup(example: str, colour_fraction: float):
    project = load_project(find_example(example))
    data = project.resolved_dataset()
    if example == "cnn_colour":
        data = {**data, "options": {**data.get("options", {}),
                                    "train_fraction": colour_fraction}}
    dataset = load_dataset(dataset_spec_from_dict(data))
    spec = fit_graph_to_dataset(project.graph, dataset.input_shape, dataset.input_dtype,
                                dataset.num_classes)
    return spec, dataset


def in_memory(dataset):
    """The hand loops' copy: every split as an array (an image cache materialized)."""
    import dataclasses

    import numpy as np

    return dataclasses.replace(dataset, x_train=np.asarray(dataset.x_train),
                               x_val=np.asarray(dataset.x_val))


def run_trainer(spec, dataset, epochs: int, batch_size: int, with_run: bool = True) -> float:
    """The default user path: run folder, default checkpointing, monitors, CLI printer."""
    import io
    import tempfile

    from workbench.commands.progress import ProgressPrinter
    from workbench.runs.run_store import RunStore

    config = TrainConfig(epochs=epochs, batch_size=batch_size, optimizer="adam", lr=LR,
                         device="cpu", seed=0)
    with tempfile.TemporaryDirectory() as project:
        run = RunStore.create(project, "bench") if with_run else None
        callbacks = [ProgressPrinter(io.StringIO(), epochs)] if with_run else []
        trainer = Trainer(spec, dataset, config, run=run, callbacks=callbacks)
        start = CLOCK[0]()  # the graph is compiled above: outside, like the loops
        trainer.fit()
        seconds = CLOCK[0]() - start
    return epochs * len(dataset.y_train) / seconds


def run_trainer_no_run(spec, dataset, epochs: int, batch_size: int) -> float:
    return run_trainer(spec, dataset, epochs, batch_size, with_run=False)


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


def run_best(spec, dataset, epochs: int, batch_size: int, compiled: bool = False) -> float:
    torch.manual_seed(0)
    model = COMPILED.get(id(spec)) if compiled else None
    if model is None:
        model = compile_graph(spec)
        if compiled:
            model = COMPILED[id(spec)] = torch.compile(model)
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


COMPILED: dict[int, torch.nn.Module] = {}  # the compiled model per network, kept warm


def run_compiled(spec, dataset, epochs: int, batch_size: int) -> float:
    return run_best(spec, dataset, epochs, batch_size, compiled=True)


def compile_problem(spec, dataset, batch_size: int) -> str | None:
    """None when torch.compile trains this network here (compiled now, in the warm-up)."""
    try:
        run_compiled(spec, dataset, 1, batch_size)
    except Exception as exc:  # inductor needs a C++ compiler and more; say what failed
        COMPILED.pop(id(spec), None)
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return None


CONTENDERS: dict[str, Callable[..., float]] = {
    "trainer": run_trainer, "trainer_no_run": run_trainer_no_run, "plain": run_plain,
    "best": run_best, "compiled": run_compiled}
HAND_WRITTEN = ("plain", "best", "compiled")


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20,
                        help="epochs per digits run (default 20, the trainer's own default)")
    parser.add_argument("--colour-epochs", type=int, default=2)
    parser.add_argument("--colour-fraction", type=float, default=0.1,
                        help="share of colour_shapes' training split for cnn_colour")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--examples", nargs="*",
                        default=["mlp_digits", "cnn_digits", "cnn_colour"])
    parser.add_argument("--no-compile", action="store_true", help="leave torch.compile out")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: perf_counter; cpu: process CPU time (less noisy when other "
                             "programs share the cores; same work measured)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    CLOCK[0] = time.perf_counter if args.clock == "wall" else time.process_time
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} "
          f"cores, load average {load}; batch {args.batch_size}, {args.repeats} interleaved "
          f"repeats, {args.clock} clock")
    for example in args.examples:
        spec, dataset = setup(example, args.colour_fraction)
        held = in_memory(dataset)
        epochs = args.colour_epochs if example == "cnn_colour" else args.epochs
        names = [n for n in CONTENDERS if not (n == "compiled" and args.no_compile)]
        if "compiled" in names:
            problem = compile_problem(spec, held, args.batch_size)
            if problem:
                print(f"{example} compiled: torch.compile does not train here ({problem})")
                names.remove("compiled")
        for name in names:  # warm-up: first-call costs are nobody's throughput
            CONTENDERS[name](spec, held if name in HAND_WRITTEN else dataset, 1,
                             args.batch_size)
        runs: dict[str, list[float]] = {name: [] for name in names}
        for repeat in range(args.repeats):  # the order flips every repeat: no one always first
            for name in names if repeat % 2 == 0 else names[::-1]:
                data = held if name in HAND_WRITTEN else dataset
                runs[name].append(CONTENDERS[name](spec, data, epochs, args.batch_size))
        for name, values in runs.items():
            print(f"{example} {name}: median {statistics.median(values):,.0f} samples/s "
                  f"(runs: {', '.join(f'{v:,.0f}' for v in values)})")

        def mean_ratio(a: str, b: str, runs: dict[str, list[float]] = runs) -> float:
            return statistics.fmean(x / y for x, y in zip(runs[a], runs[b]))

        print(f"ratio={mean_ratio('trainer', 'plain'):.3f} {example} trainer/plain (higher is "
              f"better, target >= 1.0)")
        print(f"ratio={mean_ratio('trainer', 'best'):.3f} {example} trainer/best (higher is "
              f"better, target >= 0.95)")
        if "compiled" in runs:
            print(f"ratio={mean_ratio('trainer', 'compiled'):.3f} {example} trainer/compiled "
                  f"(higher is better)")
        print(f"run_cost={1 - mean_ratio('trainer', 'trainer_no_run'):.3f} {example} run folder, "
              f"checkpoints, printer (lower is better, target <= 0.05)")


if __name__ == "__main__":
    main()
