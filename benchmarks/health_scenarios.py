"""Health checks against planted dangers: hit rate, false alarms and contradictions.

Trains small networks with a danger planted on purpose (a deep Sigmoid stack, a ReLU net whose
units a huge learning rate kills, a big net on a tiny noisy dataset, a learning rate so high the
loss turns NaN, imbalanced classes, duplicated rows shared between splits, a regression target
the inputs do not explain) and healthy baselines, each over several seeds, and prints every
run's findings and::

    hit_rate=<planted runs whose danger was found>/<planted runs>
    false_alarms=<warning/error findings on healthy runs> (info notes: <n>)
    contradictions=<runs with findings that contradict or repeat one root cause>

A planted run is a hit when the expected code is among its findings and none of the codes that
would contradict it (or repeat its symptom as a separate problem) is. The fast unit tests of
the checks use synthetic histories; this script is the slow, end-to-end check.

Run: ``python benchmarks/health_scenarios.py [--seeds 3]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from workbench.data.dataset import Dataset
from workbench.graph.templates import mlp
from workbench.train.config import TrainConfig
from workbench.train.health.reconcile import ROOT_SYMPTOMS
from workbench.train.trainer import Trainer


def split(x: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator,
          task: str = "classification") -> Dataset:
    """70/15/15 random split into a Dataset."""
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    a, b = int(len(x) * 0.7), int(len(x) * 0.85)
    names = ["target"] if task == "regression" else [f"class {i}" for i in range(k)]
    return Dataset(x[:a], y[:a], x[a:b], y[a:b], x[b:], y[b:], tuple(x.shape[1:]), "float32",
                   k, names, task=task)


def blobs(seed: int, n: int = 600, d: int = 16, k: int = 4, spread: float = 2.0,
          shares: tuple[float, ...] | None = None, label_noise: float = 0.0) -> Dataset:
    """Gaussian clusters, one per class (``shares``: class proportions)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, spread, (k, d))
    y = rng.choice(k, size=n, p=shares) if shares else np.arange(n) % k
    x = centers[y] + rng.normal(0, 1, (n, d))
    if label_noise:
        flip = rng.random(n) < label_noise
        y = np.where(flip, rng.integers(0, k, n), y)
    return split(x.astype(np.float32), y.astype(np.int64), k, rng)


def moons(seed: int, n: int = 600) -> Dataset:
    """Two interleaving half circles with a little noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    x = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)],
                 np.c_[1 - np.cos(t), 0.5 - np.sin(t)]) + rng.normal(0, 0.1, (n, 2))
    return split(x.astype(np.float32), y.astype(np.int64), 2, rng)


def duplicated_rows(seed: int) -> Dataset:
    """Every sample appears twice before the split, so copies land in several splits."""
    rng = np.random.default_rng(seed)
    base = blobs(seed, n=300)
    x = np.concatenate([base.x_train, base.x_val, base.x_test])
    y = np.concatenate([base.y_train, base.y_val, base.y_test])
    return split(np.concatenate([x, x]), np.concatenate([y, y]), 4, rng)


def regression(seed: int, signal: bool) -> Dataset:
    """y = a smooth function of x plus noise (``signal``) or pure noise; standardized."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (500, 8)).astype(np.float32)
    noise = rng.normal(0, 1, 500)
    y = (np.sin(x[:, 0]) * 2 + x[:, 1] * x[:, 2] + 0.1 * noise) if signal else noise
    y = ((y - y.mean()) / y.std()).astype(np.float32)
    return split(x, y, 1, rng, task="regression")


@dataclass
class Scenario:
    name: str
    dataset: Callable[[int], Dataset]
    graph: Callable[[Dataset], Any]
    training: dict[str, Any]
    expect: str | tuple[str, ...] | None = None  # the code (any of them) that must be found
    forbid: tuple[str, ...] = ()          # codes that would contradict or repeat it
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def net(hidden: tuple[int, ...], activation: str = "ReLU", dropout: float = 0.0
        ) -> Callable[[Dataset], Any]:
    return lambda ds: mlp(ds.input_shape[0], hidden, ds.num_classes, dropout=dropout,
                          activation=activation)


SCENARIOS = [
    Scenario("deep_sigmoid", blobs, net((32,) * 10, "Sigmoid"), {"epochs": 8, "lr": 1e-3},
             expect="vanishing_gradients", forbid=("exploding_gradients", "underfitting"),
             notes="10 Linear+Sigmoid layers"),
    Scenario("dead_relu", blobs, net((64, 64, 64)), {"epochs": 8, "lr": 0.5},
             expect="dead_relu", forbid=("vanishing_gradients",),
             notes="Adam at lr 0.5 kills ReLUs"),
    Scenario("overfitting", lambda s: blobs(s, n=120, spread=0.4, label_noise=0.3),
             net((256, 256)), {"epochs": 60, "lr": 1e-3, "batch_size": 16},
             expect="overfitting", forbid=("underfitting",),
             notes="84 noisy training samples, 256x256 MLP"),
    Scenario("nan", blobs, net((64, 64)), {"epochs": 8, "lr": 5.0, "optimizer": "sgd"},
             expect="nan", forbid=("lr_too_low", "loss_spikes", "exploding_gradients"),
             notes="SGD at lr 5"),
    Scenario("imbalance", lambda s: blobs(s, shares=(0.85, 0.05, 0.05, 0.05)),
             net((64, 64)), {"epochs": 10, "lr": 1e-3}, expect="class_imbalance",
             forbid=("accuracy_hides_imbalance",), notes="85/5/5/5 classes"),
    Scenario("leakage", duplicated_rows, net((64, 64)), {"epochs": 10, "lr": 1e-3},
             expect="leakage_val", notes="every row twice before the split"),
    Scenario("predicting_mean", lambda s: regression(s, signal=False), net((64, 64)),
             {"epochs": 15, "lr": 1e-3}, expect="predicting_mean", forbid=("underfitting",),
             notes="regression target is pure noise"),
    Scenario("lr_too_high", lambda s: blobs(s, spread=0.7, label_noise=0.1), net((64, 64)),
             {"epochs": 12, "lr": 1.0, "optimizer": "sgd", "momentum": 0.9},
             expect=("loss_spikes", "noisy_loss", "nan"), forbid=("lr_too_low",),
             notes="SGD+momentum at lr 1 on overlapping blobs: the loss bounces"),
    Scenario("healthy_mlp", blobs, net((64, 64)), {"epochs": 15, "lr": 1e-3},
             notes="4 blobs, ReLU 64x64, Adam 1e-3"),
    Scenario("healthy_deep_relu", blobs, net((64,) * 6), {"epochs": 12, "lr": 1e-3},
             notes="6 ReLU layers (deep but not saturating)"),
    Scenario("healthy_dropout", lambda s: blobs(s, spread=1.0), net((128, 128), dropout=0.2),
             {"epochs": 20, "lr": 1e-3, "early_stopping": 5}, notes="overlapping blobs"),
    Scenario("healthy_moons", lambda s: moons(s), net((32, 32)), {"epochs": 30, "lr": 3e-3},
             notes="two moons, ReLU 32x32 (not tuned for)"),
    Scenario("healthy_regression", lambda s: regression(s, signal=True), net((64, 64)),
             {"epochs": 30, "lr": 3e-3}, notes="y = 2 sin(x0) + x1 x2 + noise"),
]


def run(scenario: Scenario, seed: int) -> dict[str, Any]:
    dataset = scenario.dataset(seed)
    config = TrainConfig(device="cpu", seed=seed, **scenario.training)
    summary = Trainer(scenario.graph(dataset), dataset, config).fit()
    return summary


def contradictions(findings: list[dict[str, Any]]) -> list[str]:
    """Pairs of codes on one run that a reconciled set must never hold together."""
    codes = {f["code"] for f in findings}
    pairs = [(root, symptom) for root, symptoms in ROOT_SYMPTOMS for symptom in symptoms]
    pairs.append(("vanishing_gradients", "exploding_gradients"))
    found = [f"{a}+{b}" for a, b in pairs if a in codes and b in codes]
    seen: dict[str, str] = {}
    for f in findings:  # one layer named by two gradient findings
        for layer in f.get("layers") or []:
            if layer in seen and seen[layer] != f["code"] and "gradients" in f["code"] \
                    and "gradients" in seen[layer]:
                found.append(f"{seen[layer]}+{f['code']} on {layer}")
            seen.setdefault(layer, f["code"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    hits = planted = alarms = notes = contradicting = 0
    started = time.perf_counter()
    for scenario in SCENARIOS:
        if args.only and scenario.name not in args.only:
            continue
        for seed in range(args.seeds):
            summary = run(scenario, seed)
            findings = summary["findings"]
            codes = [f["code"] for f in findings]
            bad = contradictions(findings)
            contradicting += bool(bad)
            if scenario.expect:
                planted += 1
                expected = {scenario.expect} if isinstance(scenario.expect, str) \
                    else set(scenario.expect)
                hit = bool(expected & set(codes)) and not set(scenario.forbid) & set(codes)
                hits += hit
                verdict = "hit" if hit else "MISS"
            else:
                serious = [f for f in findings if f["severity"] != "info"]
                alarms += len(serious)
                notes += len(findings) - len(serious)
                verdict = "clean" if not serious else "FALSE ALARM"
            print(f"{scenario.name:<20} seed {seed}  {verdict:<11} "
                  f"{summary['stopped_reason']:<14} {', '.join(codes) or '-'}"
                  + (f"  CONTRADICTS {bad}" if bad else ""))
    print(f"({time.perf_counter() - started:.0f} s)")
    print(f"hit_rate={hits}/{planted}")
    print(f"false_alarms={alarms} (info notes: {notes})")
    print(f"contradictions={contradicting}")


if __name__ == "__main__":
    main()
