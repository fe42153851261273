"""Attributions of each input kind: image maps (Grad-CAM, occlusion, saliency), one value per
token position, a regression run's single output."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.experiment import RunRequest, execute_run
from workbench.explain.attributions import (
    compute_attributions,
    conv_layers,
    input_kind,
    methods_for,
)
from workbench.explain.errors import ExplainError
from workbench.graph.spec import Node
from workbench.graph.templates import chain, embedding_lstm, mlp
from workbench.run_model import rebuild_run

TRAINING = {"epochs": 1, "device": "cpu", "batch_size": 64, "lr": 0.01}


def _train(folder, graph, dataset, name):
    return execute_run(RunRequest.freeze(graph, dataset, TRAINING, folder, name=name))["run_dir"]


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    graph = chain("tiny_cnn",
                  ("input", "Input", {"shape": [1, 8, 8], "dtype": "float32"}),
                  ("conv_a", "Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}),
                  ("relu_a", "ReLU", {}),
                  ("conv_b", "Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}),
                  ("relu_b", "ReLU", {}),
                  ("pool", "MaxPool2d", {"kernel_size": 2}),
                  ("flatten", "Flatten", {}), ("fc", "Linear", {"out_features": 3}),
                  ("output", "Output", {"num_classes": 3}))
    return _train(tmp_path_factory.mktemp("image"), graph,
                  {"name": "digits_images", "options": {"classes": [0, 1, 7]}}, "cnn")


def test_image_methods_give_height_by_width_maps(image_run):
    assert conv_layers(image_run) == ["conv_a", "conv_b"]
    assert methods_for(image_run) == ["saliency", "ig", "gradcam", "occlusion"]
    gradcam = compute_attributions(image_run, "gradcam", samples=2, layer="conv_a")
    assert gradcam["layer"] == "conv_a" and gradcam["input_kind"] == "image"
    sample = gradcam["samples"][0]
    assert np.array(sample["attribution"]).shape == (8, 8)
    image = np.array(sample["image"])
    assert image.shape == (1, 8, 8) and image.min() >= 0.0 and image.max() <= 1.0
    assert min(min(row) for row in sample["attribution"]) >= 0.0  # ReLU'd Grad-CAM
    assert np.array(next(iter(gradcam["class_average"].values()))).shape == (8, 8)
    assert sum(1 for _ in gradcam["class_average"]) >= 2  # up to 2 samples per class
    default = compute_attributions(image_run, "gradcam", samples=1)
    assert default["layer"] == "conv_b"  # the last conv layer unless one is chosen
    for method in ("occlusion", "saliency"):
        result = compute_attributions(image_run, method, samples=1)
        assert np.array(result["samples"][0]["attribution"]).shape == (8, 8)
        assert result["layer"] is None and "feature_names" not in result
    with pytest.raises(ExplainError, match="layer 'fc' is not a conv layer.*conv_a, conv_b"):
        compute_attributions(image_run, "gradcam", layer="fc")
    with pytest.raises(ExplainError, match="'ablation' does not fit image.*conv layers"):
        compute_attributions(image_run, "ablation")


def test_tokens_give_one_value_per_position(tmp_path):
    run = _train(tmp_path, embedding_lstm(seq_len=6, vocab=10, embedding_dim=4, hidden=4,
                                          num_classes=2),
                 {"name": "sequence", "options": {"n_samples": 100, "seq_len": 6,
                                                  "vocab_size": 10}}, "tokens")
    assert methods_for(run) == ["ig"] and input_kind(rebuild_run(run)) == "tokens"
    result = compute_attributions(run, "ig", samples=2, steps=8)
    sample = result["samples"][0]
    assert len(sample["attribution"]) == 6 and len(sample["tokens"]) == 6
    assert all(isinstance(t, int) for t in sample["tokens"])
    assert "class_average" not in result and any(v != 0 for v in sample["attribution"])
    with pytest.raises(ExplainError, match="noise tunnel.*tokens"):
        compute_attributions(run, "ig", noise_tunnel=True)
    with pytest.raises(ExplainError, match="'saliency' does not fit tokens"):
        compute_attributions(run, "saliency")


def test_regression_attributes_the_single_output(tmp_path):
    graph = mlp(10, hidden=(8,), num_classes=1)
    graph.nodes[-1] = Node("output", "Output", {"num_classes": 0, "num_outputs": 1})
    run = _train(tmp_path, graph, {"name": "diabetes", "options": {}}, "regression")
    result = compute_attributions(run, "ig", samples=3, steps=8)
    assert result["input_kind"] == "features" and len(result["feature_names"]) == 10
    sample = result["samples"][0]
    assert isinstance(sample["true"], float) and sample["true"] > 20  # progression, not z
    assert sample["probability"] is None and len(sample["attribution"]) == 10
    assert list(result["class_average"]) == ["all"]


def test_occlusion_window_suits_the_image_size():
    from workbench.explain.attribution_methods import occlusion_window

    assert occlusion_window(8, 8) == (2, 1)
    assert occlusion_window(224, 224) == (28, 14)
    assert occlusion_window(1, 30) == (1, 1)
