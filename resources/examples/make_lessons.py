"""Regenerate the bundled lesson projects (``lesson_*.wbproj.json``) and their data.

Run ``python resources/examples/make_lessons.py``. Each lesson is a pair of projects: one that
walks into a classic danger (the Health panel reports it when the project is trained) and one
with the cure applied (the danger is gone). Both carry a ``note`` that the app shows when the
project opens, written in the words of the app's own controls. Everything is small so a lesson
trains in seconds on a laptop CPU; ``tests/resources/test_lessons.py`` trains every pair and
checks that the danger is detected in the first and absent from the second, and that these
files match what this script writes.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def _sibling(name: str) -> Any:
    """A script of this folder as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_wb_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Builder = _sibling("make_examples").Builder
IMBALANCE_CSV = "lesson_imbalance.csv"


@dataclass(frozen=True)
class Lesson:
    """One danger and its cure: the two project files and the finding code that tells them
    apart (present in the danger's run, absent from the cure's)."""

    key: str          # lesson_<key>.wbproj.json and lesson_<key>_cured.wbproj.json
    finding: str      # the Health panel's finding code for the danger
    danger: dict[str, Any]
    cure: dict[str, Any]

    @property
    def danger_name(self) -> str:
        return f"lesson_{self.key}"

    @property
    def cure_name(self) -> str:
        return f"lesson_{self.key}_cured"


def _project(name: str, description: str, note: str, graph: dict[str, Any],
             dataset: dict[str, Any], training: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": 1, "name": name, "description": description,
            "note": note.strip() + "\n", "graph": graph, "dataset": dataset,
            "training": {"device": "cpu", "seed": 0, **training}}


def _mlp(name: str, n_in: int, widths: list[int], activation: str, n_out: int,
         dropout: float = 0.0, batchnorm: bool = False) -> dict[str, Any]:
    b = Builder()
    ids = [b.node("input", "Input", shape=[n_in], dtype="float32")]
    for i, width in enumerate(widths, start=1):
        ids.append(b.node(f"fc{i}", "Linear", out_features=width))
        if batchnorm:
            ids.append(b.node(f"bn{i}", "BatchNorm1d"))
        ids.append(b.node(f"act{i}", activation))
        if dropout:
            ids.append(b.node(f"drop{i}", "Dropout", p=dropout))
    ids.append(b.node("head", "Linear", out_features=n_out))
    ids.append(b.node("output", "Output", num_classes=n_out))
    b.chain(*ids)
    graph = b.graph(name)
    _wrap_rows(graph)
    return graph


def _small_cnn(name: str, size: int, channels: int, n_out: int) -> dict[str, Any]:
    """Two Conv2d-ReLU-MaxPool blocks (32 and 64 channels), then one Linear to the classes."""
    b = Builder()
    ids = [b.node("input", "Input", shape=[channels, size, size], dtype="float32")]
    for i, width in enumerate((32, 64), start=1):
        ids += [b.node(f"conv{i}", "Conv2d", out_channels=width, kernel_size=3, padding=1),
                b.node(f"relu{i}", "ReLU"), b.node(f"pool{i}", "MaxPool2d", kernel_size=2)]
    ids += [b.node("flatten", "Flatten"), b.node("head", "Linear", out_features=n_out),
            b.node("output", "Output", num_classes=n_out)]
    b.chain(*ids)
    graph = b.graph(name)
    _wrap_rows(graph, per_row=6)
    return graph


def _wrap_rows(graph: dict[str, Any], per_row: int = 8) -> None:
    """Lay a long chain out in rows (left to right, then the next row) so it fits a screen."""
    for i, node in enumerate(graph["nodes"]):
        node["position"] = [260.0 * (i % per_row), 170.0 * (i // per_row)]


# --- the lessons ----------------------------------------------------------------------------

# Plain built-in datasets (no options): every bundled example can be rebuilt from scratch with
# the app's dataset selector (tests/ui/test_build_examples.py).
OVERFIT_DATA = {"name": "iris", "options": {}}

OVERFITTING = Lesson(
    "overfitting", "overfitting",
    danger=_project(
        "lesson_overfitting",
        "Overfitting: a big network memorizes 105 iris flowers.",
        """
**Lesson: overfitting.** This network has about 68,000 weights; the data (iris: 150 flowers,
4 measurements each) has 105 flowers for training. The network can memorize every training
flower, and what it memorizes does not carry over to new ones.

Press **Train** (toolbar, F5). On the **Dashboard**, in the *Loss* plot, training loss falls
to almost zero while validation loss reaches its lowest point within a few epochs and then
climbs: the network grows ever more sure of its answers, including the wrong ones, though
accuracy hardly moves. When the run ends, the **Health** panel reports *Overfitting*.

The cure is in the example **lesson_overfitting_cured**: a Dropout layer after each
activation, *weight decay*, and *early stopping* (both in the **Training** panel), which
keeps the best epoch's weights.
""",
        _mlp("lesson_overfitting", 4, [256, 256], "Tanh", 3),
        OVERFIT_DATA,
        {"epochs": 60, "batch_size": 40, "optimizer": "adam", "lr": 0.01,
         "checkpoint_every": 10}),
    cure=_project(
        "lesson_overfitting_cured",
        "Overfitting, cured: dropout, weight decay and early stopping.",
        """
**Lesson: overfitting, cured.** The same data and network as *lesson_overfitting*, with three
cures: a **Dropout** layer after each Tanh (p = 0.5: half the units are switched off at random
in every step, so no single unit can memorize a flower), *weight decay* 0.01 with the *adamw*
optimizer, and *early stopping* 5 (the **Training** panel's settings): training stops once
validation loss has not improved for 5 epochs, and the best epoch's weights are put back.

Press **Train**. Training stops a few epochs after validation loss stopped improving, the
run keeps its best epoch's weights, and the **Health** panel does not warn about overfitting
(at most it notes that early stopping caught it). Compare the two runs in the **Runs** panel.
""",
        _mlp("lesson_overfitting_cured", 4, [256, 256], "Tanh", 3, dropout=0.5),
        OVERFIT_DATA,
        {"epochs": 60, "batch_size": 40, "optimizer": "adamw", "lr": 0.01,
         "weight_decay": 0.01, "early_stopping": 5, "checkpoint_every": 10}),
)

DEAD_DATA = {"name": "digits", "options": {}}

DEAD_RELU = Lesson(
    "dead_relu", "dead_relu",
    danger=_project(
        "lesson_dead_relu",
        "Dead ReLUs: a learning rate that is too high switches units off for good.",
        """
**Lesson: dead ReLUs.** A ReLU passes positive values and outputs zero for negative ones, with
zero gradient. One update that is too large can push a unit's weights so far that it is
negative for every input: it never switches on again and stops learning.

This project trains with Adam at learning rate 0.05, 25 times the 0.002 that suits it. Press
**Train**. On the **Dashboard**, the *Dead units per layer* plot shows the deeper layers losing
half of their units or more, accuracy stalls below 90%, and the **Health** panel reports *Dead units*.

The cure is in **lesson_dead_relu_cured**: **LeakyReLU** (a small slope for negative inputs,
so a unit always gets some gradient) and a learning rate of 0.002.
""",
        _mlp("lesson_dead_relu", 64, [128, 128, 128], "ReLU", 10),
        DEAD_DATA,
        {"epochs": 6, "batch_size": 32, "optimizer": "adam", "lr": 0.05}),
    cure=_project(
        "lesson_dead_relu_cured",
        "Dead ReLUs, cured: LeakyReLU and a lower learning rate.",
        """
**Lesson: dead ReLUs, cured.** The same network with **LeakyReLU** instead of ReLU and the
learning rate lowered from 0.05 to 0.002 (*lr* in the **Training** panel).

Press **Train**. Accuracy climbs past 95% and the **Health** panel reports no dead units.
""",
        _mlp("lesson_dead_relu_cured", 64, [128, 128, 128], "LeakyReLU", 10),
        DEAD_DATA,
        {"epochs": 6, "batch_size": 32, "optimizer": "adam", "lr": 0.002}),
)

DEEP_DATA = {"name": "moons", "options": {}}
DEEP = [32] * 10

VANISHING = Lesson(
    "vanishing_gradients", "vanishing_gradients",
    danger=_project(
        "lesson_vanishing_gradients",
        "Vanishing gradients: ten Sigmoid layers and the first ones stop learning.",
        """
**Lesson: vanishing gradients.** Backpropagation multiplies the gradient by each layer's
derivative on the way back. A Sigmoid's derivative is at most 0.25, so after ten Sigmoid
layers the gradient reaching the first layers is thousands of times smaller than at the top:
those layers barely learn.

Press **Train**. On the **Dashboard**, the *Gradient norm per layer* plot shows the first layers
far below the others, and the **Health** panel reports *Vanishing gradients*.

The cure is in **lesson_vanishing_gradients_cured**: **ReLU** activations with **BatchNorm1d**
before each one. (Residual **Add** connections, as in the *resnet_small* example, are the other
classic cure.)
""",
        _mlp("lesson_vanishing_gradients", 2, DEEP, "Sigmoid", 2),
        DEEP_DATA,
        {"epochs": 8, "batch_size": 32, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9}),
    cure=_project(
        "lesson_vanishing_gradients_cured",
        "Vanishing gradients, cured: ReLU with BatchNorm in the same deep stack.",
        """
**Lesson: vanishing gradients, cured.** The same ten layers, now **Linear → BatchNorm1d →
ReLU**, and the learning rate halved to 0.05 (BatchNorm makes each step count for more). ReLU's derivative is 1 where it is active and BatchNorm keeps every layer's inputs at a
healthy scale, so the gradient reaches the first layer at a similar size.

Press **Train**. The *Gradient norm per layer* plot keeps the layers together, accuracy climbs, and the
**Health** panel reports no vanishing gradients.
""",
        _mlp("lesson_vanishing_gradients_cured", 2, DEEP, "ReLU", 2, batchnorm=True),
        DEEP_DATA,
        {"epochs": 8, "batch_size": 32, "optimizer": "sgd", "lr": 0.05, "momentum": 0.9}),
)

IMBALANCE_DATA = {"name": "csv", "options": {"path": IMBALANCE_CSV, "target": "status"}}

IMBALANCE = Lesson(
    "class_imbalance", "class_imbalance",
    danger=_project(
        "lesson_class_imbalance",
        "Class imbalance: 9 healthy machines for every failing one.",
        """
**Lesson: class imbalance.** The data are sensor readings from machines: about 90% are
*healthy* and 10% *failing*. A network can reach about 90% accuracy by always answering
*healthy* — and miss every failing machine, the one thing it was for.

Press **Train**. Accuracy reaches about 90%, and the **Health** panel reports *Class
imbalance*. Now open the **Dashboard**'s *Validation metrics* tab: the recall of *failing*
(the share of failing machines the network catches) is about 10%. That is what matters here,
not accuracy.

The cure is in **lesson_class_imbalance_cured**: *balanced sampling* (**Training** panel),
which draws each class equally often in training.
""",
        _mlp("lesson_class_imbalance", 6, [32, 32], "Tanh", 2),
        IMBALANCE_DATA,
        {"epochs": 10, "batch_size": 32, "optimizer": "adam", "lr": 0.001}),
    cure=_project(
        "lesson_class_imbalance_cured",
        "Class imbalance, cured: balanced sampling; judge by per-class recall.",
        """
**Lesson: class imbalance, cured.** The same machines and network, with *balanced
sampling* turned on in the **Training** panel: every batch holds about as many *failing* as
*healthy* machines, so the network cannot win by ignoring the small class.

Press **Train**. The **Health** panel no longer reports class imbalance. On the
**Dashboard**'s *Validation metrics* tab the recall of *failing* rises from about 10% to about
90%, while accuracy *drops* to about 80%: the network now sometimes calls a healthy machine
failing. The Health panel still notes that accuracy is no better than always answering
*healthy* — exactly why a run on imbalanced data is judged by per-class recall.
""",
        _mlp("lesson_class_imbalance_cured", 6, [32, 32], "Tanh", 2),
        IMBALANCE_DATA,
        {"epochs": 10, "batch_size": 32, "optimizer": "adam", "lr": 0.001,
         "balanced_sampling": True}),
)

LR_DATA = {"name": "digits", "options": {}}

LR_TOO_HIGH = Lesson(
    "lr_too_high", "nan",
    danger=_project(
        "lesson_lr_too_high",
        "A learning rate that is too high: the loss blows up to NaN.",
        """
**Lesson: a learning rate that is too high.** Each update moves the weights by the learning
rate times the gradient. Too large a step overshoots, the next gradient is larger still, and
within a few batches the numbers overflow: the loss becomes *NaN* (not a number).

This project trains with SGD at learning rate 5. Press **Train**: training stops early and the
**Health** panel reports *The loss became NaN or infinite*.

The cure is in **lesson_lr_too_high_cured**: learning rate 0.05 and **gradient clipping** 1.0
(*grad clip* in the **Training** panel), which caps the size of any one update.
""",
        _mlp("lesson_lr_too_high", 64, [128, 128], "ReLU", 10),
        LR_DATA,
        {"epochs": 5, "batch_size": 64, "optimizer": "sgd", "lr": 5.0, "momentum": 0.9}),
    cure=_project(
        "lesson_lr_too_high_cured",
        "Learning rate too high, cured: a lower rate and gradient clipping.",
        """
**Lesson: a learning rate that is too high, cured.** The same network with the learning rate
lowered from 5 to 0.05 (*lr*) and *grad clip* 1.0 in the **Training** panel.

Press **Train**. The loss falls smoothly, accuracy climbs past 90%, and the **Health** panel
reports no NaN.
""",
        _mlp("lesson_lr_too_high_cured", 64, [128, 128], "ReLU", 10),
        LR_DATA,
        {"epochs": 5, "batch_size": 64, "optimizer": "sgd", "lr": 0.05, "momentum": 0.9,
         "grad_clip": 1.0}),
)

# 350 real handwritten digits (35 per class) for training; validation and test keep their
# usual 750 each, so the two runs are judged on the same pictures.
SMALL_IMAGES_DATA = {"name": "mnist_5k", "options": {"train_fraction": 0.1}}
SMALL_IMAGES_TRAINING = {"epochs": 20, "batch_size": 32, "optimizer": "adam", "lr": 0.001,
                         "checkpoint_every": 10}

OVERFITTING_IMAGES = Lesson(
    "overfitting_images", "overfitting",
    danger=_project(
        "lesson_overfitting_images",
        "Overfitting on a small image set: 350 handwritten digits and a CNN that memorizes them.",
        """
**Lesson: overfitting on a small image set.** The data are real handwritten digits (the
built-in *mnist_5k*, 28x28 pixels), but only 10% of its training split: 350 pictures, 35 per
digit (the dataset's *Training share*). A small convolutional network with about 50,000
weights sees the same 350 pictures every epoch and soon knows each of them by heart.

Press **Train**. On the **Dashboard**, training accuracy reaches 100% and training loss falls
towards zero, while validation loss is lowest after about ten epochs and then climbs. When the
run ends, the **Health** panel reports *Overfitting*.

The cure is in **lesson_overfitting_images_cured**: *augmentation*. More pictures would be the
best cure; augmentation makes new ones from those we have.
""",
        _small_cnn("lesson_overfitting_images", 28, 1, 10),
        SMALL_IMAGES_DATA,
        dict(SMALL_IMAGES_TRAINING)),
    cure=_project(
        "lesson_overfitting_images_cured",
        "Overfitting on a small image set, cured: augmentation (random crops).",
        """
**Lesson: overfitting on a small image set, cured.** The same 350 digits and the same network,
with *augmentation* `crop=0.6` (the **Training** panel's *Augmentation* section; `--augment
crop=0.6` on the command line): every epoch each training picture is cut to a random part
keeping at least 60% of it, at a random aspect ratio, and scaled back to 28x28. The network
never sees exactly the same picture twice, so memorizing pictures no longer pays; what
carries over is the shape of each digit. The section's preview grid shows what it sees.
(No *hflip*: a mirrored 2 or 7 is not a digit. Flips suit photos of things, not writing.)

Press **Train**. Training loss stays higher than before (the pictures keep changing), but
validation loss keeps falling, validation accuracy ends a few points higher, and the **Health**
panel does not report overfitting. Validation and test pictures are never augmented. Compare
the two runs in the **Runs** panel: *augment* is the setting that differs.
""",
        _small_cnn("lesson_overfitting_images_cured", 28, 1, 10),
        SMALL_IMAGES_DATA,
        {**SMALL_IMAGES_TRAINING, "augment": "crop=0.6"}),
)

LESSONS: tuple[Lesson, ...] = (OVERFITTING, DEAD_RELU, VANISHING, IMBALANCE, LR_TOO_HIGH,
                               OVERFITTING_IMAGES)


def write_imbalance_csv(n: int = 600, seed: int = 11) -> None:
    """Machine sensor readings, 90% healthy and 10% failing; failing machines run hotter and
    vibrate more, with overlap, so the small class is learnable but easy to ignore."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        failing = i % 10 == 0
        temperature = rng.normal(71 if failing else 65, 6)
        vibration = rng.normal(3.3 if failing else 2.5, 0.8)
        pressure = rng.normal(31 if failing else 30, 3)
        rpm = rng.normal(1450, 120)
        age = rng.uniform(0, 12) + (2.0 if failing else 0)
        humidity = rng.normal(45, 10)
        rows.append([f"{temperature:.1f}", f"{vibration:.2f}", f"{pressure:.1f}",
                     f"{rpm:.0f}", f"{age:.1f}", f"{humidity:.0f}",
                     "failing" if failing else "healthy"])
    with open(HERE / IMBALANCE_CSV, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["temperature_c", "vibration_mm_s", "pressure_bar", "rpm", "age_years",
                         "humidity_pct", "status"])
        writer.writerows(rows)


def main() -> None:
    write_imbalance_csv()
    print(f"wrote {IMBALANCE_CSV}")
    for lesson in LESSONS:
        for project in (lesson.danger, lesson.cure):
            path = HERE / f"{project['name']}.wbproj.json"
            path.write_text(json.dumps(project, indent=2) + "\n", encoding="utf-8")
            print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
