"""Networks too large for the machine are refused from the analysis, before any allocation."""

from __future__ import annotations

import pytest

from workbench.graph.templates import embedding_lstm, mlp
from workbench.train import memory_estimate
from workbench.train.config import TrainConfig
from workbench.train.memory_estimate import (
    available_memory,
    estimate_training_memory,
    size_text,
    training_memory_problem,
)


def test_the_breakdown_of_a_small_mlp():
    spec = mlp(input_size=10, hidden=(20,), num_classes=3)  # 10*20+20 + 20*3+3 = 283 params
    estimate = estimate_training_memory(spec, batch_size=8, optimizer="adam", available=10**9)
    assert estimate.parameters == 283
    assert estimate.weight_bytes == estimate.gradient_bytes == 283 * 4
    assert estimate.optimizer_bytes == 3 * 283 * 4  # two moments and a step temporary
    # activations: outputs of input (10), fc1 (20), relu (20), fc2 (3) at batch size 8
    assert estimate.activation_bytes == (10 + 20 + 20 + 3) * 8 * 4
    assert estimate.fits
    sgd = estimate_training_memory(spec, 8, optimizer="sgd", available=10**9)
    assert sgd.optimizer_bytes == 0
    momentum = estimate_training_memory(spec, 8, optimizer="sgd", momentum=0.9, available=1)
    assert momentum.optimizer_bytes == 283 * 4 and not momentum.fits


def test_a_billion_unit_layer_is_refused_with_its_figures():
    spec = mlp(input_size=64, hidden=(10**9,), num_classes=10)
    estimate = estimate_training_memory(spec, 64, available=23 * 10**9)
    assert not estimate.fits
    message = estimate.message()
    assert message.startswith("the network is too large for this machine: fc1 has "
                              "1,000,000,000 units: 260 GB of weights; training needs about")
    assert "75,000,000,010 parameters" in message and "900 GB of adam state" in message
    assert "at batch size 64" in message and "this machine has 23 GB available" in message


def test_cuda_uses_the_devices_free_memory_and_counts_the_data(monkeypatch):
    import numpy as np

    calls = []
    monkeypatch.setattr(memory_estimate, "available_memory",
                        lambda device: calls.append(device) or 10**6)

    class Data:
        x_train = np.zeros((1000, 100), np.float32)
        x_val = y_train = y_val = np.zeros(0, np.float32)

    estimate = estimate_training_memory(mlp(100, (4,), 2), 32, device="cuda", dataset=Data())
    assert calls == ["cuda"] and estimate.data_bytes == 400_000
    assert "the cuda device has 1.0 MB available" in estimate.message()
    on_cpu = estimate_training_memory(mlp(100, (4,), 2), 32, device="cpu", dataset=Data())
    assert on_cpu.data_bytes == 0  # numpy arrays already in memory on the CPU


def test_available_memory_reads_the_machine():
    free = available_memory("cpu")
    assert free is None or free > 10**6


def test_training_memory_problem_uses_the_settings(monkeypatch):
    monkeypatch.setattr(memory_estimate, "available_memory", lambda device: 10**7)
    spec = embedding_lstm(vocab=50, num_classes=3)
    assert training_memory_problem(spec, TrainConfig(batch_size=8), "cpu") is None
    big_batch = training_memory_problem(spec, TrainConfig(batch_size=10**6), "cpu")
    assert big_batch and "or the batch size smaller" in big_batch


@pytest.mark.parametrize("n, text", [(812, "812 bytes"), (1500, "1.5 kB"), (256 * 10**9, "256 GB"),
                                     (2.2e12, "2.2 TB")])
def test_size_text(n, text):
    assert size_text(int(n)) == text
