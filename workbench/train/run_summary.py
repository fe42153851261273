"""summary.json of a finished run: the reference epoch's metrics, throughput, why it ended, and
the end-of-run health findings."""

from __future__ import annotations

import math
from typing import Any


def reference_epoch(history: list[dict[str, Any]], best_epoch: int | None,
                    restore_best: bool) -> dict[str, Any] | None:
    """The epoch whose weights the run ends with: the best one when restored, else the last."""
    if not history:
        return None
    ref = history[-1]
    if restore_best and best_epoch is not None:
        ref = next((h for h in history if h["epoch"] == best_epoch), ref)
    return ref


def split_overlap(dataset: Any) -> dict[str, Any]:
    from workbench.data.dataset import Dataset
    from workbench.data.leakage import split_overlap as overlap

    return overlap(dataset) if isinstance(dataset, Dataset) else {}


def build_summary(trainer: Any, stopped: str) -> dict[str, Any]:
    """The summary of ``trainer``'s run (after its final weights are in place); ``findings``
    holds the health checks' results as dicts."""
    from workbench.train.health import check_run, network_context

    st, c, ds, history = trainer.state, trainer.config, trainer.dataset, trainer.history
    ref = reference_epoch(history, st.best_epoch, c.restore_best)
    context = {"class_counts": ds.class_counts("train") if hasattr(ds, "class_counts") else {},
               "num_classes": ds.num_classes, "config": c.to_dict(),
               "nan_at": st.nan_at, "split_overlap": split_overlap(ds),
               "task": getattr(ds, "task", "classification"),
               **network_context(trainer.module)}
    findings = [f.to_dict() for f in check_run(history, context)]
    summary = {
        "run_dir": str(trainer.run.path) if trainer.run is not None else None,
        "epochs_run": len(history),
        "best_epoch": None if st.best_epoch is None else st.best_epoch + 1,  # 1-based
        "val_loss": ref["val_loss"] if ref else None,
        "val_accuracy": ref["val_accuracy"] if ref else None,
        "train_accuracy": ref["train_accuracy"] if ref else None,
        "train_loss": ref["train_loss"] if ref else None,
        "samples_per_second": st.train_samples / st.train_seconds if st.train_seconds else 0.0,
        "device": trainer.device,
        "stopped_reason": stopped,
        "weights": "best" if (st.best_state is not None and c.restore_best) else "last",
        "findings": findings,
        "task": context["task"],
    }
    if context["task"] == "regression":
        for key in ("train_mae", "val_mae", "val_rmse", "val_r2"):
            summary[key] = ref.get(key) if ref else None
    # A metric with no value (an empty split, a NaN) is null in JSON, never a crash.
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in summary.items()}
