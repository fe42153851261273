"""Tiny trained runs on synthetic CSV files for the explain tests (X2's: importance, mistakes,
the explain command)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from workbench.experiment import RunRequest, execute_run
from workbench.paths import find_example
from workbench.project import load_project

SHIFT = {"lo": -1.5, "mid": 0.0, "hi": 1.5}


def write_signal_csv(path: Path, rows: int = 400, seed: int = 0) -> Path:
    """Columns f0..f5 (f3 categorical lo/mid/hi) and label; only f0 and f3 carry the label."""
    rng = np.random.default_rng(seed)
    lines = ["f0,f1,f2,f3,f4,f5,label"]
    for _ in range(rows):
        f0, f1, f2, f4, f5 = rng.normal(size=5)
        f3 = str(rng.choice(list(SHIFT)))
        label = "yes" if f0 + SHIFT[f3] > 0 else "no"
        lines.append(f"{f0:.4f},{f1:.4f},{f2:.4f},{f3},{f4:.4f},{f5:.4f},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_regression_csv(path: Path, rows: int = 300, seed: int = 0) -> Path:
    """price = 50 + 20 * a + noise, b is noise."""
    rng = np.random.default_rng(seed)
    lines = ["a,b,price"]
    for a, b, e in rng.normal(size=(rows, 3)):
        lines.append(f"{a:.4f},{b:.4f},{50 + 20 * a + 2 * e:.4f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def train_csv_run(csv: Path, target: str, project: Path, epochs: int = 12,
                  **training) -> Path:
    """Train the tabular_csv example's MLP (input and head fitted to the data) on ``csv``;
    returns the run folder."""
    graph = load_project(find_example("tabular_csv")).graph
    dataset = {"name": "csv", "options": {"path": str(csv), "target": target}}
    settings = {"epochs": epochs, "device": "cpu", "lr": 0.01, "early_stopping": 0,
                "monitors": False, "checkpoint_every": epochs, **training}
    request = RunRequest.freeze(graph, dataset, settings, project)
    summary = execute_run(dataclasses.replace(request, fit_head=True))
    return Path(summary["run_dir"])


_SHARED: dict[str, Path] = {}


def shared_signal_run(tmp_path_factory) -> Path:
    """One run on :func:`write_signal_csv` for the whole test session (its tests only add
    artifacts)."""
    if "signal" not in _SHARED:
        folder = tmp_path_factory.mktemp("signal")
        _SHARED["signal"] = train_csv_run(write_signal_csv(folder / "d.csv"), "label",
                                          folder / "proj")
    return _SHARED["signal"]


def shared_regression_run(tmp_path_factory) -> Path:
    """One run on :func:`write_regression_csv` for the whole test session."""
    if "regression" not in _SHARED:
        folder = tmp_path_factory.mktemp("regression")
        _SHARED["regression"] = train_csv_run(write_regression_csv(folder / "r.csv"), "price",
                                              folder / "proj", loss="mse",
                                              monitor="val_loss")
    return _SHARED["regression"]


def shared_image_run(tmp_path_factory) -> Path:
    """The cnn_digits example (8x8 digit images) trained briefly on a quarter of its training
    split, once per session."""
    if "image" not in _SHARED:
        project = load_project(find_example("cnn_digits"))
        dataset = project.resolved_dataset()
        dataset["options"] = {**dataset.get("options", {}), "train_fraction": 0.25}
        settings = {"epochs": 3, "device": "cpu", "monitors": False, "checkpoint_every": 3,
                    "early_stopping": 0, "lr": 0.005}
        request = RunRequest.freeze(project.graph, dataset, settings,
                                    tmp_path_factory.mktemp("image") / "proj")
        _SHARED["image"] = Path(execute_run(request)["run_dir"])
    return _SHARED["image"]


def shared_token_run(tmp_path_factory) -> Path:
    """An embedding + LSTM on the 'sequence' token set (6 positions), 2 epochs, once per
    session."""
    if "tokens" not in _SHARED:
        from workbench.graph.templates import embedding_lstm

        graph = embedding_lstm(seq_len=6, vocab=10, embedding_dim=8, hidden=8, num_classes=2)
        dataset = {"name": "sequence", "options": {"n_samples": 300, "seq_len": 6,
                                                   "vocab_size": 10}}
        settings = {"epochs": 2, "device": "cpu", "lr": 0.01, "monitors": False,
                    "checkpoint_every": 2}
        request = RunRequest.freeze(graph, dataset, settings,
                                    tmp_path_factory.mktemp("tokens") / "proj")
        _SHARED["tokens"] = Path(execute_run(request)["run_dir"])
    return _SHARED["tokens"]
