"""Prune a trained run: each pruned network is a run, fine-tuned by the normal trainer.

:func:`prune_run` rebuilds the run (``rebuild_run``: best weights, saved preprocessing), and in
``steps`` rounds removes channels (:func:`workbench.compress.prune.prune_network`) until
``ratio`` of the original prunable channels are gone (step s removes down to
``1 - ratio * s / steps`` of them). Each round writes:

* a *pruned* run ``<name>-pruned`` (lineage ``pruned-from`` the round's input run): config with
  the smaller graph, the parent's dataset, preprocessing and training settings, and
  ``"pruning"`` (the settings and the groups); ``best.safetensors`` = the sliced weights;
  summary with the sliced network's validation score (no training: ``epochs_run`` 0);
* with ``finetune_epochs`` E > 0, a *fine-tuned* run ``<name>-pruned-ft`` trained for E epochs
  by ``execute_run`` with ``init.from_run`` = the pruned run (lineage ``fine-tuned-from`` it;
  the parent's saved preprocessing applied, never re-fitted).

The last run's summary gains ``params``, ``macs``, ``file_bytes`` (float ONNX) and
``latency_ms`` (ORT, measured side by side with the original run's model) and
``artifacts/prune_report.json``. Validation scores are ONNX Runtime's on the validation split,
as :mod:`workbench.compress.quantize` measures them. Before anything is written, the whole
ratio is tried on the original weights, so a ratio that removes a layer is refused up front.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.compress.errors import CompressError
from workbench.compress.prune import check_settings, prune_network

REPORT_ARTIFACT = "prune_report.json"
_KEEP = ("dataset", "training", "preprocessing", "class_names", "data_report",
         "data_fingerprint")


def prune_run(run_dir: str | Path, ratio: float = 0.5, method: str = "l1",
              scope: str = "layer", steps: int = 1, finetune_epochs: int = 0,
              finetune_lr: float | None = None, threads: int = 1, repeats: int = 30,
              allow_changed_data: bool = False,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Prune the run at ``run_dir``; returns the report (JSON-able; ``run_dir`` = last run).

    Raises CompressError (bad settings, a run that cannot be loaded, nothing to prune, a
    ratio removing a whole layer) with nothing written; FileNotFoundError for no run."""
    from workbench.graph.spec import GraphSpec

    def stage(text: str) -> None:
        if progress is not None:
            progress(text)

    check_settings(ratio, method, scope)
    if not isinstance(steps, int) or steps < 1:
        raise CompressError(f"--steps must be a whole number >= 1, found {steps!r}")
    if not isinstance(finetune_epochs, int) or finetune_epochs < 0:
        raise CompressError(f"--finetune-epochs must be a whole number >= 0, found "
                            f"{finetune_epochs!r}")
    if finetune_lr is not None and not finetune_lr > 0:
        raise CompressError(f"the fine-tuning learning rate must be > 0, found {finetune_lr}")
    stage("loading the run")
    root, module, dataset = _rebuild(run_dir, allow_changed_data)
    if dataset.x_val is None or not len(dataset.x_val):
        raise CompressError("the run's validation split is empty: pruning is measured on it "
                            "(found 0 samples)")
    spec = GraphSpec.from_dict(root.config["graph"])
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    # the whole ratio on the original weights: a refusal before any folder exists
    prune_network(spec, state, ratio, "l1" if method == "taylor" else method, scope)
    reference_bytes = _export(module)
    reference = _score(reference_bytes, dataset, threads)
    parent, done = root, 1.0   # `done`: the fraction of the original channels still there
    runs: list[dict[str, Any]] = []
    first_groups: list[dict[str, Any]] = []
    for step in range(1, steps + 1):
        target = 1.0 - ratio * step / steps
        step_ratio = min(1.0, max(0.0, 1.0 - target / done))
        stage(f"step {step}/{steps}: pruning {step_ratio:.3f} of the channels ({method})")
        grads = _gradients(module, dataset) if method == "taylor" else None
        result = prune_network(spec, state, step_ratio, method, scope, grads)
        first_groups = first_groups or result.plan.groups_report()
        pruned_module = _load(result.spec, result.state)
        model_bytes = _export(pruned_module)
        settings = {"ratio": ratio, "method": method, "scope": scope, "steps": steps,
                    "step": step, "step_ratio": round(step_ratio, 6),
                    "finetune_epochs": finetune_epochs}
        pruned = _write_pruned(parent, root, result, settings, {
            **_score(model_bytes, dataset, threads), "params": result.after["params"],
            "macs": result.after["macs"], "file_bytes": len(model_bytes)})
        runs.append({"run_dir": str(pruned.path), "relation": "pruned-from", "step": step})
        parent, spec, state, module = pruned, result.spec, result.state, pruned_module
        if finetune_epochs:
            stage(f"step {step}/{steps}: fine-tuning {finetune_epochs} epoch(s)")
            parent, module = _finetune(pruned, root, finetune_epochs, finetune_lr)
            state = {k: v.detach().clone() for k, v in module.state_dict().items()}
            runs.append({"run_dir": str(parent.path), "relation": "fine-tuned-from",
                         "step": step})
        done = target
    stage(f"measuring latency side by side (batch 1 and 64, {threads} thread(s))")
    from workbench.compress.measure import latencies

    final_bytes = _export(module)
    final = _score(final_bytes, dataset, threads)
    times = latencies({"original": reference_bytes, "pruned": final_bytes}, dataset.x_val,
                      threads, repeats=repeats)
    groups = [{**last, "channels": first["channels"], "prunable": first["prunable"]}
              for first, last in zip(first_groups, result.plan.groups_report(), strict=True)]
    report = _report(root, parent, runs, groups, reference, final, reference_bytes,
                     final_bytes, times, threads, settings)
    _finish(parent, report)
    return report


def _rebuild(run_dir: str | Path, allow_changed_data: bool) -> tuple[Any, Any, Any]:
    from workbench.data import DataError
    from workbench.run_model import rebuild_run
    from workbench.runs.run_store import RunStore

    RunStore.open(run_dir)  # FileNotFoundError naming the folder when it is not a run
    try:
        rebuilt = rebuild_run(run_dir, allow_changed_data=allow_changed_data, purpose="prune")
    except DataError:
        raise
    except (FileNotFoundError, ValueError, KeyError, RuntimeError) as exc:
        raise CompressError(f"cannot load the run {run_dir}: {exc}") from exc
    if rebuilt.run.config.get("model", {}).get("format") == "onnx-int8":
        raise CompressError(f"{run_dir} is an int8 ONNX variant; prune its float parent")
    return rebuilt.run, rebuilt.module, rebuilt.dataset


def _load(spec: Any, state: dict[str, Any]) -> Any:
    from workbench.graph.compile import compile_graph

    module = compile_graph(spec)
    module.load_state_dict(state, strict=True)
    return module.eval()


def _export(module: Any) -> bytes:
    from workbench.export.onnx_export import ExportError, export_onnx_bytes

    try:
        return export_onnx_bytes(module.cpu().eval(), tuple(module.input_shape),
                                 module.input_dtype)
    except ExportError as exc:
        raise CompressError(str(exc)) from exc


def _score(model_bytes: bytes, dataset: Any, threads: int) -> dict[str, float]:
    """``{"val_accuracy"}`` (classification) or ``{"val_mae"}``, measured with ORT."""
    from workbench.compress.measure import predict, score

    scaling = (dataset.preprocessing.get("target_scaling")
               if dataset.task == "regression" else None)
    result = score(predict(model_bytes, dataset.x_val, threads), dataset.y_val, scaling)
    return {f"val_{k}": round(v, 6) for k, v in result.items()}


def _gradients(module: Any, dataset: Any, samples: int = 512, batch: int = 64
               ) -> dict[str, Any]:
    """Summed gradients of the loss over up to ``samples`` training samples (eval mode, so
    BatchNorm uses its running statistics), keyed like ``module.state_dict()``."""
    import torch
    import torch.nn.functional as F

    module = module.cpu().eval()
    module.zero_grad(set_to_none=True)
    x = torch.as_tensor(dataset.x_train[:samples])
    y = torch.as_tensor(dataset.y_train[:samples])
    for i in range(0, len(x), batch):
        out = module(x[i:i + batch])
        target = y[i:i + batch]
        loss = (F.mse_loss(out, target.float().reshape(out.shape))
                if dataset.task == "regression" else F.cross_entropy(out, target.long()))
        loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in module.named_parameters()
             if p.grad is not None}
    module.zero_grad(set_to_none=True)
    return grads


def _base_name(run: Any) -> str:
    parts = run.path.name.split("-", 2)
    name = parts[2] if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() else \
        run.path.name
    for suffix in ("-pruned-ft", "-pruned"):
        name = name.removesuffix(suffix)
    return name


def _write_pruned(parent: Any, root: Any, result: Any, settings: dict[str, Any],
                  measured: dict[str, Any]) -> Any:
    """The pruned run folder, written whole (removed again when a write fails)."""
    from workbench.runs.lineage import Lineage
    from workbench.runs.run_store import RunStore

    run = RunStore.create(parent.path.parent.parent, f"{_base_name(root)}-pruned")
    try:
        lineage = Lineage(parent=str(parent.path.resolve()), relation="pruned-from")
        config = {key: root.config[key] for key in _KEEP if key in root.config}
        config.update(graph=result.spec.to_dict(), lineage=lineage.stored_for(run.path).to_dict(),
                      pruning={**settings, "before": result.before, "after": result.after,
                               "groups": result.plan.groups_report()})
        run.save_best(result.state)
        run.write_summary({"run_dir": str(run.path), "task": _task(root), **measured,
                           "relation": "pruned-from", "parent": str(parent.path),
                           "weights": "best", "stopped_reason": "pruned", "epochs_run": 0})
        run.save_config(config)  # last: the folder is a run only once it is whole
    except BaseException:
        shutil.rmtree(run.path, ignore_errors=True)
        raise
    return run


def _finetune(pruned: Any, root: Any, epochs: int, lr: float | None) -> tuple[Any, Any]:
    """Train the pruned network for ``epochs`` from its sliced weights: a normal run."""
    from workbench.experiment import RunRequest, execute_run
    from workbench.run_model import rebuild_run
    from workbench.train.config import TrainConfig

    config = TrainConfig.from_dict(root.config.get("training") or {})
    # every layer loaded and trained (the parent's own transfer settings do not apply)
    init = type(config.init)(from_run=str(pruned.path.resolve()))
    changes: dict[str, Any] = {"epochs": epochs, "init": init}
    if lr is not None:
        changes["lr"] = lr
    training = dataclasses.replace(config, **changes).to_dict()
    request = RunRequest(graph=pruned.config["graph"], dataset=root.config["dataset"],
                         training=training, project_dir=str(pruned.path.parent.parent),
                         name=f"{_base_name(root)}-pruned-ft",
                         preprocessing=root.config.get("preprocessing"))
    summary = execute_run(request)
    rebuilt = rebuild_run(summary["run_dir"], data=False, purpose="prune")
    return rebuilt.run, rebuilt.module


def _task(run: Any) -> str:
    return "regression" if "target_scaling" in (run.config.get("preprocessing") or {}) \
        else "classification"


def _report(root: Any, last: Any, runs: list[dict[str, Any]], groups: list[dict[str, Any]],
            reference: dict[str, float], final: dict[str, float], reference_bytes: bytes,
            final_bytes: bytes, times: dict[str, dict[str, float]], threads: int,
            settings: dict[str, Any]) -> dict[str, Any]:
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec

    before = analyze(GraphSpec.from_dict(root.config["graph"]))
    after = analyze(GraphSpec.from_dict(last.config["graph"]))
    ratio = {b: round(times["original"][b] / t, 3) if t > 0 else None
             for b, t in times["pruned"].items()}
    return {
        "run_dir": str(last.path), "parent": str(root.path), "relation": runs[-1]["relation"],
        "runs": runs, "task": _task(root), **final,
        **({"val_accuracy": None} if "val_mae" in final else {}),
        **{f"original_{k}": v for k, v in reference.items()},
        "params": int(after.total_params), "macs": int(after.total_macs),
        "original_params": int(before.total_params), "original_macs": int(before.total_macs),
        "macs_reduction": round(1 - after.total_macs / max(before.total_macs, 1), 4),
        "params_reduction": round(1 - after.total_params / max(before.total_params, 1), 4),
        "file_bytes": len(final_bytes), "original_file_bytes": len(reference_bytes),
        "latency_ms": times["pruned"], "original_latency_ms": times["original"],
        "speedup": ratio, "threads": threads,
        "settings": {k: settings[k] for k in ("ratio", "method", "scope", "steps",
                                               "finetune_epochs")},
        "groups": groups,
    }


def _finish(last: Any, report: dict[str, Any]) -> None:
    """The measurements into the last run's summary, the report as its artifact."""
    keys = ("params", "macs", "file_bytes", "latency_ms", "val_accuracy", "val_mae", "threads")
    summary = last.read_summary() or {}
    last.write_summary({**summary, **{k: report[k] for k in keys if k in report},
                        "relation": report["relation"]})
    last.write_artifact(REPORT_ARTIFACT, report)
