"""prune_run and ``workbench prune`` on a real (tiny) run: runs with lineage, sliced weights,
fine-tuning through the trainer, the --steps schedule, refusals that write nothing."""

from __future__ import annotations

import json

import pytest
import torch

from workbench.cli import main
from workbench.compress.errors import CompressError
from workbench.compress.measure import predict, score
from workbench.compress.prune_run import prune_run
from workbench.experiment import RunRequest, execute_run
from workbench.graph.spec import Edge, GraphSpec, Node
from workbench.run_model import rebuild_run
from workbench.runs.lineage import lineage_of, parent_of
from workbench.runs.run_store import RunStore

NODES = [("input", "Input", {"shape": [1, 8, 8]}),
         ("c1", "Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
         ("bn1", "BatchNorm2d", {}), ("r1", "ReLU", {}), ("pool", "MaxPool2d", {}),
         ("flat", "Flatten", {}), ("fc1", "Linear", {"out_features": 16}), ("r2", "ReLU", {}),
         ("fc2", "Linear", {"out_features": 10}), ("output", "Output", {"num_classes": 10})]


@pytest.fixture(scope="module")
def conv_run(tmp_path_factory) -> RunStore:
    spec = GraphSpec([Node(i, t, p) for i, t, p in NODES],
                     [Edge(a[0], b[0]) for a, b in zip(NODES, NODES[1:], strict=False)])
    request = RunRequest.freeze(
        spec, {"name": "digits_images", "options": {"train_fraction": 0.3}},
        {"epochs": 1, "batch_size": 64, "lr": 0.01, "device": "cpu"},
        tmp_path_factory.mktemp("project"), name="tiny_cnn")
    return RunStore.open(execute_run(request)["run_dir"])


def folders(run: RunStore) -> set[str]:
    return {p.name for p in run.path.parent.iterdir()}


def test_pruned_run_has_lineage_smaller_graph_and_sliced_weights(conv_run):
    report = prune_run(conv_run.path, 0.5, repeats=1)
    pruned = RunStore.open(report["run_dir"])
    assert report["relation"] == "pruned-from" and len(report["runs"]) == 1
    assert lineage_of(pruned).relation == "pruned-from"
    assert parent_of(pruned).path.resolve() == conv_run.path.resolve()
    widths = {n["id"]: n["params"] for n in pruned.config["graph"]["nodes"]}
    assert widths["c1"]["out_channels"] == 4 and widths["fc1"]["out_features"] == 8
    assert widths["fc2"]["out_features"] == 10
    assert pruned.config["dataset"] == conv_run.config["dataset"]
    assert pruned.config["pruning"]["before"]["params"] == report["original_params"]
    # the run rebuilds like any other, with the sliced weights: the reported accuracy is its own
    rebuilt = rebuild_run(pruned.path)
    kept = pruned.config["pruning"]["groups"]
    assert rebuilt.module.state_dict()["c1.weight"].shape == (4, 1, 3, 3)
    assert any(g["layers"] == ["fc2"] and g["prunable"] == 0 for g in kept)
    from workbench.export.onnx_export import export_onnx_bytes

    model = export_onnx_bytes(rebuilt.module, (1, 8, 8), "float32")
    accuracy = score(predict(model, rebuilt.dataset.x_val), rebuilt.dataset.y_val, None)
    summary = pruned.read_summary()
    assert summary["val_accuracy"] == pytest.approx(accuracy["accuracy"], abs=1e-6)
    assert summary["params"] == report["params"] < report["original_params"]
    assert summary["macs"] == report["macs"] <= report["original_macs"] * 0.55
    assert set(summary["latency_ms"]) == {"1", "64"} and summary["file_bytes"] > 0
    saved = json.loads((pruned.path / "artifacts" / "prune_report.json").read_text())
    assert saved["run_dir"] == str(pruned.path)


def test_finetuning_is_a_normal_run_started_from_the_sliced_weights(conv_run):
    report = prune_run(conv_run.path, 0.5, steps=2, finetune_epochs=1, repeats=1)
    relations = [r["relation"] for r in report["runs"]]
    assert relations == ["pruned-from", "fine-tuned-from"] * 2
    runs = [RunStore.open(r["run_dir"]) for r in report["runs"]]
    for child, parent in zip(runs, [conv_run, *runs[:-1]], strict=True):
        assert parent_of(child).path.resolve() == parent.path.resolve()
    first, tuned = runs[0], runs[1]
    assert tuned.config["training"]["init"]["from_run"] == str(first.path.resolve())
    assert tuned.config["training"]["epochs"] == 1
    assert tuned.config["preprocessing"] == conv_run.config["preprocessing"]
    assert tuned.read_summary()["epochs_run"] == 1
    # steps: 8 -> 6 -> 4 channels of c1 (half of them in two steps)
    widths = [{n["id"]: n["params"] for n in r.config["graph"]["nodes"]}["c1"]["out_channels"]
              for r in runs]
    assert widths == [6, 6, 4, 4]
    assert {"layers": ["c1"], "channels": 8, "kept": 4, "prunable": 8} in report["groups"]
    assert report["run_dir"] == str(runs[-1].path)
    assert set(runs[-1].read_summary()) >= {"params", "macs", "file_bytes", "latency_ms",
                                            "val_accuracy"}
    state = rebuild_run(runs[2].path, data=False).module.state_dict()
    tuned_state = rebuild_run(tuned.path, data=False).module.state_dict()
    assert state["fc1.weight"].shape[0] == 8
    assert not torch.equal(tuned_state["fc1.weight"], rebuild_run(
        first.path, data=False).module.state_dict()["fc1.weight"])  # it really trained


def test_a_ratio_that_removes_a_layer_writes_nothing(conv_run):
    before = folders(conv_run)
    with pytest.raises(CompressError, match="every one of the 8 channels of layer 'c1'"):
        prune_run(conv_run.path, 1.0, steps=2, finetune_epochs=1)
    with pytest.raises(CompressError, match="--steps must be"):
        prune_run(conv_run.path, 0.5, steps=0)
    assert folders(conv_run) == before


def test_cli_json_and_refusal(conv_run, capsys):
    assert main(["prune", str(conv_run.path), "--ratio", "0.25", "--method", "l2",
                 "--repeats", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("run_dir", "val_accuracy", "params", "macs", "file_bytes", "latency_ms"):
        assert key in report
    assert set(report["latency_ms"]) == {"1", "64"}
    assert report["settings"]["method"] == "l2"
    before = folders(conv_run)
    assert main(["prune", str(conv_run.path), "--ratio", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench prune: a pruning ratio of 1.0 would remove every one")
    assert len(err.strip().splitlines()) == 1 and folders(conv_run) == before
    assert main(["prune", str(conv_run.path), "--ratio", "0.5", "--repeats", "1"]) == 0
    text = capsys.readouterr().out
    assert "original" in text and "pruned-from:" in text and "c1: 8 -> 4" in text


def test_magnitude_pruning_zeroes_the_smallest_weights_per_layer_or_globally():
    from workbench.compress.prune_unstructured import magnitude_prune

    state = {"a.weight": torch.arange(1.0, 9.0).reshape(2, 4), "b.weight": torch.full((4,), 0.5),
             "a.bias": torch.zeros(2) + 0.1}
    local, sparsity = magnitude_prune(state, ["a.weight", "b.weight"], 0.5)
    assert local["a.weight"].flatten().tolist() == [0, 0, 0, 0, 5, 6, 7, 8]
    assert sparsity == {"a.weight": 0.5, "b.weight": 0.5}
    assert torch.equal(local["a.bias"], state["a.bias"]) and state["a.weight"][0, 0] == 1
    together, sparsity = magnitude_prune(state, ["a.weight", "b.weight"], 0.5, "global")
    assert sparsity == {"a.weight": 0.25, "b.weight": 1.0}   # b's 0.5s are the smallest


def test_unstructured_run_reports_sparsity_and_is_not_smaller(conv_run, capsys):
    assert main(["prune", str(conv_run.path), "--unstructured", "--ratio", "0.6",
                 "--repeats", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    run = RunStore.open(report["run_dir"])
    assert lineage_of(run).relation == "pruned-from"
    assert run.config["graph"] == conv_run.config["graph"]
    assert report["layer_sparsity"] == {"c1.weight": round(43 / 72, 6),
                                        "fc1.weight": round(1229 / 2048, 6)}
    state = rebuild_run(run.path, data=False).module.state_dict()
    assert float((state["fc2.weight"] == 0).float().mean()) < 0.1   # the head untouched
    assert report["nonzero_params"] < report["params"]
    assert report["file_bytes"] >= report["original_file_bytes"] * 0.95
    assert "neither smaller nor faster" in report["note"]
    assert run.read_summary()["sparsity"] == report["sparsity"]
    before = folders(conv_run)
    assert main(["prune", str(conv_run.path), "--unstructured", "--finetune-epochs", "2"]) == 2
    assert "without fine-tuning" in capsys.readouterr().err and folders(conv_run) == before
