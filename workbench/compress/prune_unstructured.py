"""Unstructured magnitude pruning: zero the smallest weights, and say honestly what it buys.

:func:`magnitude_prune` zeroes the ``ratio`` of Conv/Linear weights (not biases, not the layer
feeding the Output's) with the smallest absolute value, per layer or over the whole network.
The network keeps its shape: a dense runtime (PyTorch, ONNX Runtime on the CPU) multiplies the
zeros like any other number, so the model is neither faster nor smaller on disk. The report
gives the sparsity (zero weights / weights) and the latency measured side by side so the person
sees that. :func:`unstructured_prune_run` writes it as a run (lineage ``pruned-from``).
Fine-tuning is not offered: the trainer does not keep a mask, so training would refill zeros.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from workbench.compress.errors import CompressError
from workbench.compress.prune import check_settings

PRUNABLE = ("Conv1d", "Conv2d", "Linear")


def prunable_weights(spec: Any) -> list[str]:
    """state-dict keys of the weights magnitude pruning may zero (the head excluded)."""
    from workbench.graph.naming import attribute_names
    from workbench.graph.shape_inference import analyze
    from workbench.train.transfer import head_node

    analysis = analyze(spec)
    names = attribute_names(analysis.live)
    head = head_node(spec)
    return [f"{names[n]}.weight" for n in analysis.live
            if spec.node(n).type in PRUNABLE and n != head]


def magnitude_prune(state: dict[str, Any], keys: list[str], ratio: float,
                    scope: str = "layer") -> tuple[dict[str, Any], dict[str, float]]:
    """(a copy of ``state`` with the smallest ``ratio`` of each weight in ``keys`` zeroed, or
    of all of them together for ``global``; the sparsity of each key)."""
    import torch

    check_settings(ratio, "l1", scope)
    if not keys:
        raise CompressError("nothing to prune: the network has no Conv or Linear weights "
                            "besides the layer feeding the Output")
    out = {k: v.detach().clone() for k, v in state.items()}
    if scope == "global":
        magnitudes = torch.cat([out[k].abs().flatten() for k in keys])
        count = int(ratio * magnitudes.numel() + 0.5)
        if count:
            threshold = magnitudes.kthvalue(count).values
            for k in keys:
                out[k][out[k].abs() <= threshold] = 0.0
    else:
        for k in keys:
            flat = out[k].abs().flatten()
            count = int(ratio * flat.numel() + 0.5)
            if count:
                out[k].view(-1)[flat.argsort()[:count]] = 0.0
    return out, {k: round(float((out[k] == 0).float().mean()), 6) for k in keys}


def unstructured_prune_run(run_dir: str | Path, ratio: float = 0.5, scope: str = "layer",
                           threads: int = 1, repeats: int = 30,
                           allow_changed_data: bool = False) -> dict[str, Any]:
    """Zero the smallest weights of the run at ``run_dir``; write and measure the result."""
    from workbench.compress.measure import latencies
    from workbench.compress.prune_run import _base_name, _export, _rebuild, _score, _task
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec
    from workbench.runs.lineage import Lineage
    from workbench.runs.run_store import RunStore

    check_settings(ratio, "l1", scope)
    root, module, dataset = _rebuild(run_dir, allow_changed_data)
    spec = GraphSpec.from_dict(root.config["graph"])
    keys = prunable_weights(spec)
    state, sparsity = magnitude_prune(module.state_dict(), keys, ratio, scope)
    reference_bytes = _export(module)
    module.load_state_dict(state)
    model_bytes = _export(module)
    reference, measured = (_score(b, dataset, threads) for b in (reference_bytes, model_bytes))
    times = latencies({"original": reference_bytes, "pruned": model_bytes}, dataset.x_val,
                      threads, repeats=repeats)
    total = sum(state[k].numel() for k in keys)
    zeros = sum(int((state[k] == 0).sum()) for k in keys)
    analysis = analyze(spec)
    run = RunStore.create(root.path.parent.parent, f"{_base_name(root)}-sparse")
    report = {
        "run_dir": str(run.path), "parent": str(root.path), "relation": "pruned-from",
        "task": _task(root), **measured, **{f"original_{k}": v for k, v in reference.items()},
        "params": int(analysis.total_params), "nonzero_params": int(analysis.total_params)
        - zeros, "macs": int(analysis.total_macs), "sparsity": round(zeros / total, 6),
        "layer_sparsity": sparsity, "file_bytes": len(model_bytes),
        "original_file_bytes": len(reference_bytes), "latency_ms": times["pruned"],
        "original_latency_ms": times["original"], "threads": threads,
        "settings": {"kind": "unstructured", "ratio": ratio, "scope": scope},
        "note": "unstructured sparsity: the network keeps its shape and dense runtimes "
                "multiply the zeros, so it is neither smaller nor faster (latency measured)"}
    try:
        run.save_best(state)
        run.write_artifact("prune_report.json", report)
        run.write_summary({k: report[k] for k in (
            "run_dir", "task", "val_accuracy", "val_mae", "params", "macs", "file_bytes",
            "latency_ms", "sparsity", "relation", "parent", "threads") if k in report}
            | {"weights": "best", "stopped_reason": "pruned", "epochs_run": 0})
        keep = ("graph", "dataset", "training", "preprocessing", "class_names", "data_report",
                "data_fingerprint")
        lineage = Lineage(parent=str(root.path.resolve()), relation="pruned-from")
        run.save_config({**{k: root.config[k] for k in keep if k in root.config},
                         "lineage": lineage.stored_for(run.path).to_dict(),
                         "pruning": {**report["settings"], "sparsity": report["sparsity"]}})
    except BaseException:
        shutil.rmtree(run.path, ignore_errors=True)
        raise
    return report
