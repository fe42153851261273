"""Training on a memory-mapped image cache is the same run as training on arrays in memory."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.data import load_dataset
from workbench.data.image_array import ImageArray, is_image_array
from workbench.experiment import fit_graph_to_dataset
from workbench.paths import find_example
from workbench.project import load_project
from workbench.train.batches import CachedImageBatches, TensorBatches
from workbench.train.config import TrainConfig
from workbench.train.trainer import Trainer


@pytest.fixture()
def folder_dataset(tmp_path):
    rng = np.random.default_rng(0)
    for k, name in enumerate(["dark", "light"]):
        folder = tmp_path / "imgs" / name
        folder.mkdir(parents=True)
        for i in range(40):
            pixels = (rng.random((8, 8, 3)) * 120 + 100 * k).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")
    return load_dataset({"name": "image_folder", "options": {"path": str(tmp_path / "imgs")}})


def _in_memory(dataset):
    return dataclasses.replace(dataset, x_train=np.asarray(dataset.x_train),
                               x_val=np.asarray(dataset.x_val),
                               x_test=np.asarray(dataset.x_test))


def test_a_batch_from_the_cache_equals_the_rows_in_memory(folder_dataset):
    images = folder_dataset.x_train
    assert is_image_array(images)
    cached = CachedImageBatches(images, folder_dataset.y_train, "cpu", channels_last=False)
    memory = TensorBatches(np.asarray(images), folder_dataset.y_train, "cpu", False)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    cached.plan(order, 16)
    for b in range(3):  # planned (read ahead) batches, then one out of plan
        idx = order[b * 16:(b + 1) * 16]
        (xc, yc), (xm, ym) = cached.take(idx), memory.take(idx)
        assert torch.equal(xc, xm) and torch.equal(yc, ym)
    idx = torch.tensor([5, 1, 3])
    assert torch.equal(cached.take(idx)[0], memory.take(idx)[0])
    cached.close()


def test_training_on_the_cache_is_the_run_on_arrays(folder_dataset):
    project = load_project(find_example("cnn_digits"))  # convolutions: channels-last too
    spec = fit_graph_to_dataset(project.graph, folder_dataset.input_shape, "float32", 2, True)
    config = TrainConfig(epochs=3, batch_size=16, lr=0.01, device="cpu", seed=3)
    lazy = Trainer(spec, folder_dataset, config).fit()
    held = Trainer(spec, _in_memory(folder_dataset), config).fit()
    for key in ("val_loss", "val_accuracy", "train_accuracy", "best_epoch"):
        assert lazy[key] == held[key], key


def test_image_array_reads_only_the_rows_asked_for(folder_dataset):
    images = folder_dataset.x_train
    assert isinstance(images, ImageArray)
    sub = images.subset([3, 0])
    assert sub.shape == (2, 3, 8, 8)
    assert np.array_equal(sub[:], np.asarray(images)[[3, 0]])
    assert np.array_equal(images[np.array([2, 2])], np.asarray(images)[[2, 2]])
