"""The training loop: mini-batch gradient descent with events, monitors and checkpoints.

Data lives on the device as tensors and batches are index slices of a per-epoch permutation
drawn from a generator seeded by (seed, epoch), so there is no loader overhead and a resumed run
draws exactly the batches an uninterrupted one would. The global torch RNG state (dropout) is
saved in every checkpoint for the same reason.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from workbench.train.callbacks import Callback, RunControl
from workbench.train.config import TrainConfig
from workbench.train.events import (
    BatchEnd,
    CheckpointSaved,
    Diagnostic,
    EpochEnd,
    RunFailed,
    RunFinished,
    RunStarted,
)
from workbench.train.schedules import learning_rate, update_plateau
from workbench.train.training_state import (
    TrainingRng,
    TrainingState,
    nan_message,
    restore_optimizer_state,
)


class Trainer:
    """Trains a GraphSpec (compiled here) or a ready ``torch.nn.Module`` on a Dataset."""

    def __init__(self, model: Any, dataset: Any, config: TrainConfig, run: Any = None,
                 callbacks: Iterable[Callback] = (), control: RunControl | None = None) -> None:
        import torch

        from workbench.train.device import select_device

        self.config = config
        self.dataset = dataset
        self.run = run
        self.callbacks = list(callbacks)
        self.control = control or RunControl()
        self.device = select_device(config.device)
        torch.manual_seed(config.seed)
        if isinstance(model, torch.nn.Module):
            self.module = model
        else:
            from workbench.graph.compile import compile_graph

            self.module = compile_graph(model)
        self.module.to(self.device)
        # The run's own random stream (dropout), put in place for each epoch's batches and
        # taken back after them, so nothing else that draws from torch's global generator
        # between epochs (a checkpoint probe compiling a network, another trainer) moves it.
        self._rng = TrainingRng.capture(self.device == "cuda")
        self.state = TrainingState()
        self.history: list[dict[str, Any]] = []
        self._resume_optimizer: dict[str, Any] | None = None
        self._resume_scaler: dict[str, Any] | None = None

    # events ---------------------------------------------------------------------------
    def emit(self, event: object) -> None:
        for callback in self.callbacks:
            callback.on_event(event)

    # public API -----------------------------------------------------------------------
    def fit(self) -> dict[str, Any]:
        """Train from scratch; returns the summary (also written to summary.json)."""
        return self._guarded(start_epoch=0)

    def resume(self) -> dict[str, Any]:
        """Continue the run folder's training from its latest checkpoint.

        Everything that decides the next step is restored: weights, optimizer buffers (in the
        parameters' memory format), CPU and CUDA RNG states, the mixed-precision loss scale,
        early-stopping/plateau counters and best weights; metrics after the checkpoint are cut.
        A run with no checkpoint starts clean: its old metrics and best weights are dropped.
        """
        if self.run is None:
            raise ValueError("resume needs a run folder")
        epochs = self.run.checkpoints()
        if not epochs:
            self.run.metrics.truncate_after(0)
            self.run.discard_best()
            return self.fit()
        last = epochs[-1]
        model_state, opt_state, extra, meta = self.run.load_checkpoint(last)
        from workbench.runs.weights_file import load_into_module

        load_into_module(self.module, model_state,
                         self.run.checkpoint_dir / f"epoch_{last:04d}.safetensors")
        self._resume_optimizer = opt_state
        self._resume_scaler = meta.get("grad_scaler")
        self._rng = TrainingRng.from_tensors(extra, self.device == "cuda")
        self.state = TrainingState.from_meta(meta, extra)
        self.history = [m for m in self.run.metrics.read()
                        if m.get("kind") == "epoch" and m.get("epoch", 0) <= last]
        self.run.metrics.truncate_after(len(self.history))
        return self._guarded(start_epoch=last + 1)

    # loop -----------------------------------------------------------------------------
    def _guarded(self, start_epoch: int) -> dict[str, Any]:
        try:
            return self._loop(start_epoch)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            if "out of memory" in str(exc).lower():
                message = (f"the device ran out of memory ({exc}). Use a smaller batch size or "
                           f"a smaller network, or train on the CPU.")
            self.emit(RunFailed(error=type(exc).__name__, message=message))
            if self.run is not None:
                self.run.write_summary({"run_dir": str(self.run.path), "stopped_reason":
                                        "failed", "error": message,
                                        "epochs_run": len(self.history)})
            raise

    def _loop(self, start_epoch: int) -> dict[str, Any]:
        import torch

        from workbench.train.losses import make_loss
        from workbench.train.monitors import DeadUnitProbe, gradient_norms, layer_parameters
        from workbench.train.optimizers import make_optimizer
        from workbench.train.task_metrics import metrics_for, settings_error, task_of

        c, ds, dev = self.config, self.dataset, self.device
        x_train = torch.as_tensor(ds.x_train).to(dev)
        y_train = torch.as_tensor(ds.y_train).to(dev)
        x_val = torch.as_tensor(ds.x_val).to(dev)
        y_val = torch.as_tensor(ds.y_val).to(dev)
        n = len(x_train)
        if n == 0:
            raise ValueError("the training split is empty")
        model = self.module
        if x_train.dim() == 4 and any(isinstance(m, torch.nn.Conv2d) for m in model.modules()):
            # channels-last convolutions: about 20% more samples/s for a small CPU CNN
            model.to(memory_format=torch.channels_last)
            x_train = x_train.contiguous(memory_format=torch.channels_last)
            x_val = x_val.contiguous(memory_format=torch.channels_last)
        optimizer = make_optimizer(model.parameters(), c)
        if self._resume_optimizer is not None:
            # after channels-last above: the buffers take the parameters' final layout
            restore_optimizer_state(optimizer, self._resume_optimizer)
        task = task_of(ds)
        problem = settings_error(c, task)
        if problem:
            raise ValueError(f"training settings for a {task} dataset: {problem}")
        loss_fn = make_loss(c, ds.num_classes, task)
        task_metrics = metrics_for(ds, dev)
        use_amp = c.mixed_precision and dev == "cuda"
        scaler = torch.amp.GradScaler("cuda") if use_amp else None
        if scaler is not None and self._resume_scaler:
            scaler.load_state_dict(self._resume_scaler)
        groups = layer_parameters(model)
        weights = [p for name, p in model.named_parameters() if p.dim() > 1]
        sample_weights = None
        if c.balanced_sampling:
            counts = torch.bincount(y_train, minlength=ds.num_classes).clamp(min=1).float()
            sample_weights = (1.0 / counts)[y_train]
        batches = math.ceil(n / c.batch_size)
        self.emit(RunStarted(run_dir=str(self.run.path) if self.run else None,
                             config=c.to_dict(), device=dev, num_train=n, num_val=len(x_val),
                             layer_names=list(groups), batches_per_epoch=batches,
                             start_epoch=start_epoch, task=task,
                             target=ds.class_names[0] if task == "regression" else ""))
        st = self.state
        plateau = st.plateau
        stopped = "completed"
        if c.early_stopping and st.bad_epochs >= c.early_stopping:
            stopped = "early_stopping"  # a resumed run that had already stopped early
        generator = torch.Generator(device="cpu")
        for epoch in range(start_epoch, c.epochs if stopped == "completed" else start_epoch):
            lr = learning_rate(c, epoch, plateau)
            for group in optimizer.param_groups:
                group["lr"] = lr
            generator.manual_seed(c.seed * 1_000_003 + epoch)
            if sample_weights is not None:
                order = torch.multinomial(sample_weights.cpu(), n, replacement=True,
                                          generator=generator).to(dev)
            else:
                order = torch.randperm(n, generator=generator).to(dev)
            model.train()
            self._rng.restore()
            loss_sum = 0.0  # summed from the loss value each batch reads anyway (NaN check)
            task_metrics.start_epoch()
            seen = 0
            started = time.perf_counter()
            for b in range(batches):
                if self.control.paused:
                    pause_start = time.perf_counter()
                    self.control.wait_while_paused()
                    started += time.perf_counter() - pause_start
                if self.control.stop_requested:
                    stopped = "stopped"
                    break
                idx = order[b * c.batch_size:(b + 1) * c.batch_size]
                xb, yb = x_train[idx], y_train[idx]
                optimizer.zero_grad(set_to_none=True)
                with (torch.autocast("cuda", dtype=torch.float16) if use_amp else nullcontext()):
                    logits = model(xb)
                    loss = loss_fn(logits, yb)
                if c.l1 or c.l2:
                    loss = loss + _penalty(weights, c.l1, c.l2)
                loss_value = float(loss.item())
                if not math.isfinite(loss_value):
                    stopped = "nan"
                    st.nan_at = {"epoch": epoch, "batch": b}
                    norms = gradient_norms(groups) if c.monitors else {}
                    self.emit(Diagnostic(code="nan", severity="error",
                                         title="The loss became NaN/Inf",
                                         message=nan_message(epoch, b, lr, norms, loss_value),
                                         epoch=epoch, evidence={"epoch": epoch, "batch": b,
                                                                "grad_norm": norms}))
                    break
                if scaler is not None:
                    scaler.scale(loss).backward()
                    scaler.unscale_(optimizer)
                else:
                    loss.backward()
                if c.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), c.grad_clip)
                if scaler is not None:
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    optimizer.step()
                batch_stat = task_metrics.add_batch(logits.detach(), yb)
                loss_sum += loss_value * len(idx)
                seen += len(idx)
                st.step += 1
                if self.callbacks:
                    elapsed = max(time.perf_counter() - started, 1e-9)
                    self.emit(BatchEnd(epoch=epoch, batch=b, step=st.step - 1, loss=loss_value,
                                       accuracy=task_metrics.batch_value(batch_stat, len(idx)),
                                       lr=lr,
                                       samples_per_second=seen / elapsed))
            train_seconds = time.perf_counter() - started
            self._rng = TrainingRng.capture(dev == "cuda")
            if stopped != "completed":
                break
            st.train_seconds += train_seconds
            st.train_samples += seen
            with DeadUnitProbe(model, enabled=c.monitors) as probe:  # on the validation pass
                metrics = self._epoch_metrics(epoch, loss_sum, task_metrics, seen, lr,
                                              train_seconds, x_val, y_val, loss_fn)
            if c.monitors:
                metrics["grad_norm"] = gradient_norms(groups)
                metrics["dead_fraction"] = probe.fractions()
            improved = st.observe(metrics, c.monitor, model)
            metrics["improved"] = improved
            if c.schedule == "plateau":
                update_plateau(c, plateau, metrics["val_loss"])
            self.history.append(metrics)
            if self.run is not None:
                self.run.metrics.append(metrics)
                if improved:
                    self.run.save_best(model.state_dict())
            self.emit(EpochEnd(epoch=epoch, metrics=metrics))
            last_epoch = epoch == c.epochs - 1
            if self.run is not None and ((epoch + 1) % c.checkpoint_every == 0 or last_epoch):
                meta = st.to_meta()
                if scaler is not None:
                    meta["grad_scaler"] = scaler.state_dict()
                path = self.run.save_checkpoint(epoch, model.state_dict(),
                                                optimizer.state_dict(),
                                                {**st.extra_tensors(), **self._rng.tensors()},
                                                meta)
                self.emit(CheckpointSaved(epoch=epoch, path=str(path)))
            if c.early_stopping and st.bad_epochs >= c.early_stopping:
                stopped = "early_stopping"
                break
        return self._finish(stopped)

    def _epoch_metrics(self, epoch: int, loss_sum: Any, task_metrics: Any, seen: int,
                       lr: float, seconds: float, x_val: Any, y_val: Any,
                       loss_fn: Any) -> dict[str, Any]:
        """The epoch record: losses and the task's metrics (task_metrics.py)."""
        return {"kind": "epoch", "epoch": epoch,
                "train_loss": float(loss_sum) / max(seen, 1),
                **task_metrics.train_metrics(seen),
                **task_metrics.val_metrics(self.module, x_val, y_val, loss_fn), "lr": lr,
                "samples_per_second": seen / max(seconds, 1e-9), "epoch_seconds": seconds}

    def _split_overlap(self) -> dict[str, Any]:
        from workbench.data.dataset import Dataset
        from workbench.data.leakage import split_overlap

        return split_overlap(self.dataset) if isinstance(self.dataset, Dataset) else {}

    def _finish(self, stopped: str) -> dict[str, Any]:
        from workbench.train.health import check_run, network_context

        st, c = self.state, self.config
        if st.best_state is not None and (c.restore_best or stopped == "nan"):
            self.module.load_state_dict(st.best_state)
        ref = None
        if self.history:
            ref = self.history[-1]
            if c.restore_best and st.best_epoch is not None:
                ref = next((h for h in self.history if h["epoch"] == st.best_epoch), ref)
        context = {"class_counts": self.dataset.class_counts("train")
                   if hasattr(self.dataset, "class_counts") else {},
                   "num_classes": self.dataset.num_classes, "config": c.to_dict(),
                   "nan_at": st.nan_at, "split_overlap": self._split_overlap(),
                   "task": getattr(self.dataset, "task", "classification"),
                   **network_context(self.module)}
        findings = [f.to_dict() for f in check_run(self.history, context)]
        summary = {
            "run_dir": str(self.run.path) if self.run is not None else None,
            "epochs_run": len(self.history),
            "best_epoch": None if st.best_epoch is None else st.best_epoch + 1,  # 1-based
            "val_loss": ref["val_loss"] if ref else None,
            "val_accuracy": ref["val_accuracy"] if ref else None,
            "train_accuracy": ref["train_accuracy"] if ref else None,
            "train_loss": ref["train_loss"] if ref else None,
            "samples_per_second": st.train_samples / st.train_seconds if st.train_seconds
            else 0.0,
            "device": self.device,
            "stopped_reason": stopped,
            "weights": "best" if (st.best_state is not None and c.restore_best) else "last",
            "findings": findings,
            "task": context["task"],
        }
        if context["task"] == "regression":
            for key in ("train_mae", "val_mae", "val_rmse", "val_r2"):
                summary[key] = ref.get(key) if ref else None
        # A metric with no value (an empty split, a NaN) is null in JSON, never a crash.
        summary = {k: None if isinstance(v, float) and not math.isfinite(v) else v
                   for k, v in summary.items()}
        for f in findings:
            self.emit(Diagnostic(code=f["code"], severity=f["severity"], title=f["title"],
                                 message=f["explanation"], evidence=f["evidence"],
                                 fix=f["fix"]))
        if self.run is not None:
            self.run.write_summary(summary)
        self.emit(RunFinished(summary=summary))
        return summary


def _penalty(weights: list[Any], l1: float, l2: float) -> Any:
    total = 0.0
    for w in weights:
        if l1:
            total = total + l1 * w.abs().sum()
        if l2:
            total = total + l2 * (w * w).sum()
    return total
