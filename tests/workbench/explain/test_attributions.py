"""Attributions on a synthetic table where only f0 and f3 carry the label: the right features
rank first, randomized weights give unlike attributions, results are cached, bad input is
refused before anything is written."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

from workbench.experiment import RunRequest, execute_run
from workbench.explain.attributions import compute_attributions, conv_layers, methods_for
from workbench.explain.errors import ExplainCancelled, ExplainError
from workbench.graph.templates import mlp
from workbench.runs.run_store import RunStore

COLOURS = ("red", "green", "blue")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """An MLP trained on 600 rows: 6 numeric features (label = f0 + f3 > 0) and a categorical
    column of noise."""
    folder = tmp_path_factory.mktemp("synthetic")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 6))
    y = (x[:, 0] + x[:, 3] > 0).astype(int)
    path = folder / "synthetic.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"f{i}" for i in range(6)] + ["colour", "label"])
        for row, label in zip(x, y):
            writer.writerow([f"{v:.4f}" for v in row] + [COLOURS[rng.integers(3)],
                                                         f"c{label}"])
    request = RunRequest.freeze(mlp(9, hidden=(16,), num_classes=2),
                                {"name": "csv", "options": {"path": str(path),
                                                            "target": "label"}},
                                {"epochs": 3, "device": "cpu", "batch_size": 32, "lr": 0.03},
                                folder, name="synthetic")
    return execute_run(request)["run_dir"]


def test_integrated_gradients_rank_the_label_features_first(run_dir):
    result = compute_attributions(run_dir, "ig", samples=16, steps=16, use_cache=False)
    assert result["input_kind"] == "tabular" and result["target"] == "predicted"
    assert result["columns"] == [f"f{i}" for i in range(6)] + ["colour"]
    assert result["feature_names"][:6] == [f"f{i}" for i in range(6)]
    assert result["feature_names"][6:] == [f"colour={c}" for c in sorted(COLOURS)]
    columns = np.array([s["column_attribution"] for s in result["samples"]])
    ranked = [result["columns"][i] for i in np.argsort(-np.abs(columns).mean(axis=0))]
    assert set(ranked[:2]) == {"f0", "f3"}, ranked
    first = result["samples"][0]
    assert len(first["attribution"]) == 9
    assert first["column_attribution"][6] == pytest.approx(sum(first["attribution"][6:]),
                                                           abs=1e-5)
    assert first["predicted"] in ("c0", "c1") and 0.5 <= first["probability"] <= 1.0
    assert set(result["class_average"]) <= {"c0", "c1"}
    assert len(result["class_average"]["c0"]) == 9


def test_randomized_weights_give_unlike_attributions(run_dir):
    """Adebayo et al. 2018: attributions that survive randomizing the model explain nothing."""
    import torch
    from scipy.stats import spearmanr

    from workbench.explain.attribution_methods import Attributor, predictions
    from workbench.run_model import rebuild_run

    trained = rebuild_run(run_dir)
    randomized = rebuild_run(run_dir, weights=None)  # the network's initial random weights
    x = trained.dataset.x_val[:12]
    targets = predictions(trained.module, x).argmax(1)
    correlations = []
    for module in (trained.module, randomized.module):
        attributor = Attributor(module, "tabular", "ig", steps=8)
        correlations.append(np.array([attributor(torch.as_tensor(x[i:i + 1]), int(t))
                                      for i, t in enumerate(targets)]))
    same = np.mean([spearmanr(a, b)[0] for a, b in zip(correlations[0], correlations[0])])
    unlike = np.mean([spearmanr(a, b)[0] for a, b in zip(*correlations)])
    assert same == pytest.approx(1.0) and unlike < 0.5, unlike


def test_second_call_is_cached_and_new_weights_invalidate_it(run_dir):
    seen = []
    first = compute_attributions(run_dir, "ablation", samples=3, progress=lambda d, t:
                                 seen.append((d, t)))
    assert not first["cached"] and seen[-1][0] == seen[-1][1] and len(seen) >= 3
    calls = []
    again = compute_attributions(run_dir, "ablation", samples=3,
                                 progress=lambda d, t: calls.append(d))
    assert again["cached"] and calls == []
    assert {k: v for k, v in again.items() if k != "cached"} == \
        {k: v for k, v in first.items() if k != "cached"}
    assert not compute_attributions(run_dir, "ablation", samples=2)["cached"]
    run = RunStore.open(run_dir)
    names = [n for n in run.artifacts() if n.startswith("explain/attributions-")]
    stored = json.loads(run.read_artifact(names[0]))
    assert len(stored["weights_sha256"]) == 64
    best = run.path / "best.safetensors"
    saved = best.read_bytes()
    try:
        from safetensors.torch import load, save

        state = load(saved)
        best.write_bytes(save({k: v * 0.5 for k, v in state.items()}))
        assert not compute_attributions(run_dir, "ablation", samples=3)["cached"]
    finally:
        best.write_bytes(saved)


def test_cancel_stops_between_samples_and_writes_nothing(run_dir):
    run = RunStore.open(run_dir)
    before = run.artifacts()
    seen = []
    with pytest.raises(ExplainCancelled):
        compute_attributions(run_dir, "saliency", samples=5, use_cache=False,
                             progress=lambda d, t: seen.append(d), cancel=lambda: len(seen) >= 2)
    assert seen == [1, 2] and run.artifacts() == before


def test_bad_input_is_refused_before_anything_is_written(run_dir, tmp_path):
    run = RunStore.open(run_dir)
    before = run.artifacts()
    assert methods_for(run_dir) == ["saliency", "ig", "ablation"] and conv_layers(run_dir) == []
    with pytest.raises(ExplainError, match="unknown attribution method 'lime'.*saliency, ig"):
        compute_attributions(run_dir, "lime")
    with pytest.raises(ExplainError, match="Grad-CAM needs a Conv2d layer.*fc1"):
        compute_attributions(run_dir, "gradcam")
    with pytest.raises(ExplainError, match="'occlusion' does not fit tabular"):
        compute_attributions(run_dir, "occlusion")
    with pytest.raises(ExplainError, match="samples must be a whole number >= 1; found 0"):
        compute_attributions(run_dir, "ig", samples=0)
    with pytest.raises(ExplainError, match="noise tunnel"):
        compute_attributions(run_dir, "ablation", noise_tunnel=True)
    with pytest.raises(ExplainError, match="validation rows 0..89; found 90"):
        compute_attributions(run_dir, "ig", indices=[0, 90])
    assert run.artifacts() == before
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(run.path / "config.json", bare / "config.json")
    with pytest.raises(ExplainError, match="no saved weights yet"):
        compute_attributions(bare, "ig")
    assert not (bare / "artifacts").exists()


def test_noise_tunnel_and_chosen_indices(run_dir):
    plain = compute_attributions(run_dir, "ig", indices=[5, 2], steps=8, use_cache=False)
    smooth = compute_attributions(run_dir, "ig", indices=[5, 2], steps=8, noise_tunnel=True,
                                  use_cache=False)
    assert [s["index"] for s in smooth["samples"]] == [5, 2]
    assert len(smooth["samples"][0]["attribution"]) == 9
    assert smooth["samples"][0]["attribution"] != plain["samples"][0]["attribution"]
