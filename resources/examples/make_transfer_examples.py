"""Regenerate the transfer-learning example projects in this folder.

Run ``python resources/examples/make_transfer_examples.py``. Two projects share one small CNN
on the 8x8 digit images (same node ids, so every layer matches by id):

* ``transfer_pretrain_digits04``: the CNN learns digits 0-4 from all their training samples;
* ``transfer_finetune_digits59``: the same CNN on digits 5-9 with only 10% of their training
  samples (validation and test untouched). Trained with ``--init-from`` the pretraining run,
  it starts from the learned trunk with a fresh head (``init.reset_head`` is set), which
  ``benchmarks/transfer.py`` compares with training from scratch at equal epochs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NETWORK = "transfer_cnn"
WIDTHS = (16, 32)  # channels of conv1, conv2 (64/128 measured no better)


def _graph() -> dict[str, Any]:
    """Two Conv -> BatchNorm -> ReLU -> MaxPool blocks, then Flatten -> Linear head."""
    layers: list[tuple[str, str, dict[str, Any]]] = [
        ("input", "Input", {"shape": [1, 8, 8], "dtype": "float32"})]
    for i, width in enumerate(WIDTHS, start=1):
        layers += [(f"conv{i}", "Conv2d", {"out_channels": width, "kernel_size": 3,
                                           "padding": 1}),
                   (f"bn{i}", "BatchNorm2d", {}), (f"relu{i}", "ReLU", {}),
                   (f"pool{i}", "MaxPool2d", {"kernel_size": 2})]
    layers += [("flatten", "Flatten", {}), ("fc", "Linear", {"out_features": 5}),
               ("output", "Output", {"num_classes": 5})]
    nodes = [{"id": i, "type": t, "params": p, "position": [260.0 * k, 0.0]}
             for k, (i, t, p) in enumerate(layers)]
    edges = [{"src": a[0], "src_port": "out", "dst": b[0], "dst_port": "in"}
             for a, b in zip(layers, layers[1:])]
    return {"format_version": 2, "name": NETWORK, "nodes": nodes, "edges": edges}


PRETRAIN_NOTE = """**Transfer learning, step 1 of 2: pretrain.**

This small CNN learns the handwritten digits **0-4** (dataset option `classes: [0, 1, 2, 3, 4]`)
from all of their training samples. Press **Train**, or run

    workbench train transfer_pretrain_digits04

Then open **transfer_finetune_digits59** and fine-tune from this run."""

FINETUNE_NOTE = """**Transfer learning, step 2 of 2: fine-tune.**

The same network now sees the digits **5-9**, with only **10%** of their training samples
(`train_fraction: 0.1`; validation and test keep all of theirs). Fine-tune from the
pretraining run: *Fine-tune from run...* in the Runs panel, or

    workbench train transfer_finetune_digits59 --init-from RUN_DIR

The convolutions (conv1, bn1, conv2, bn2) start from what they learned on 0-4; the head
(fc) starts fresh (`init.reset_head`).

What to expect on these 8x8 digits: **no measurable gain**. The fine-tuned network ends
where the one trained from scratch does (about 96%), and it is not reliably ahead after the
first epochs either. 63 images already teach this CNN almost all it needs, and features learned
on five other digits help a classifier no more than random ones. The example shows how
fine-tuning works; `python benchmarks/transfer.py` measures both contenders (accuracy vs epochs
for 2%, 5% and 10% of the data)."""


def pretrain() -> dict[str, Any]:
    return {"format_version": 1, "name": "transfer_pretrain_digits04",
            "description": "Transfer learning 1/2: pretrain a small CNN on the digits 0-4.",
            "note": PRETRAIN_NOTE, "graph": _graph(),
            "dataset": {"name": "digits_images", "options": {"classes": [0, 1, 2, 3, 4]}},
            "training": {"epochs": 15, "batch_size": 64, "optimizer": "adam", "lr": 0.002}}


def finetune() -> dict[str, Any]:
    return {"format_version": 1, "name": "transfer_finetune_digits59",
            "description": "Transfer learning 2/2: fine-tune on the digits 5-9 with 10% of "
                           "their data.",
            "note": FINETUNE_NOTE, "graph": _graph(),
            "dataset": {"name": "digits_images", "options": {"classes": [5, 6, 7, 8, 9],
                                                             "train_fraction": 0.1}},
            "training": {"epochs": 20, "batch_size": 16, "optimizer": "adam", "lr": 0.003,
                         "init": {"reset_head": True}}}


PROJECTS = (pretrain, finetune)


def main() -> None:
    for make in PROJECTS:
        project = make()
        path = HERE / f"{project['name']}.wbproj.json"
        path.write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
