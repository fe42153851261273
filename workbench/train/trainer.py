"""The training loop: mini-batch gradient descent with events, monitors and checkpoints.

Data lives on the device as tensors and batches are index slices of a per-epoch permutation
drawn from a generator seeded by (seed, epoch), so there is no loader overhead and a resumed run
draws exactly the batches an uninterrupted one would. The global torch RNG state (dropout) is
saved in every checkpoint for the same reason.

What a batch's loss is comes from the run's objective (workbench/train/objectives.py); why a
run ended is one of callbacks.STOP_REASONS. Transfer learning (``config.init``) goes through
workbench/train/transfer.py, imported only when the section is active.

Process-wide state: a trainer leaves torch's global generator as it found it (initial weights are
drawn under ``torch.random.fork_rng``; the run's dropout stream is swapped in for each epoch's
batches and the caller's swapped back) and never sets torch's thread count. Dropout still draws
from that global generator while the batches run, so the rule is ONE TRAINING PER PROCESS AT A
TIME: two trainers stepping concurrently on two threads would interleave their dropout draws.
Trainers constructed and fitted one after the other (or alternately) are independent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from workbench.train.callbacks import Callback, RunControl, StopTraining
from workbench.train.config import TrainConfig
from workbench.train.device import cuda_devices
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
        cuda = self.device == "cuda"
        with torch.random.fork_rng(devices=cuda_devices(cuda)):  # the caller's RNG untouched
            torch.manual_seed(config.seed)
            if isinstance(model, torch.nn.Module):
                self.module = model
            else:
                from workbench.graph.compile import compile_graph

                self.module = compile_graph(model)
            # The run's own random stream (dropout), put in place for each epoch's batches and
            # taken back after them, so nothing else that draws from torch's global generator
            # between epochs (a checkpoint probe compiling a network, another trainer) moves it.
            self._rng = TrainingRng.capture(cuda)
        self.module.to(self.device)
        self._caller_rng: TrainingRng | None = None
        self._resume_objective: dict[str, Any] = {}
        self._resuming = False
        self.objective: Any = None  # set when training starts, like self.optimizer
        self.optimizer: Any = None
        self.transfer: Any = None  # the TransferPlan when config.init is active
        self.state = TrainingState()
        self.history: list[dict[str, Any]] = []
        self._resume_optimizer: dict[str, Any] | None = None
        self._resume_scaler: dict[str, Any] | None = None

    # events ---------------------------------------------------------------------------
    def emit(self, event: object) -> None:
        for callback in self.callbacks:
            try:
                callback.on_event(event)
            except StopTraining as stop:
                self.control.request_stop(stop.reason)

    def _record_hooks(self, epoch: int, record: dict[str, Any]) -> dict[str, Any]:
        """The epoch record with what callbacks' ``on_epoch_record`` add merged in."""
        for callback in self.callbacks:
            try:
                extra = callback.on_epoch_record(epoch, dict(record))
            except StopTraining as stop:
                self.control.request_stop(stop.reason)
                continue
            if extra:
                record.update(extra)
        return record

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
        self._resume_objective = {k: v for k, v in extra.items() if k.startswith("objective.")}
        self._resuming = True
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
            if self._caller_rng is not None:  # failed mid-epoch: give the caller its RNG back
                self._caller_rng.restore()
                self._caller_rng = None
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

        from workbench.train.monitors import DeadUnitProbe, gradient_norms, layer_parameters
        from workbench.train.optimizers import make_optimizer
        from workbench.train.task_metrics import metrics_for, settings_error, task_of

        c, ds, dev = self.config, self.dataset, self.device
        loop_started = time.perf_counter()
        x_train = torch.as_tensor(ds.x_train).to(dev)
        y_train = torch.as_tensor(ds.y_train).to(dev)
        x_val = torch.as_tensor(ds.x_val).to(dev)
        y_val = torch.as_tensor(ds.y_val).to(dev)
        n = len(x_train)
        if n == 0:
            raise ValueError("the training split is empty")
        model = self.module
        task = task_of(ds)
        problem = settings_error(c, task)
        if problem:
            raise ValueError(f"training settings for a {task} dataset: {problem}")
        init_report = self._prepare_transfer(model)
        if x_train.dim() == 4 and any(isinstance(m, torch.nn.Conv2d) for m in model.modules()):
            # channels-last convolutions: about 20% more samples/s for a small CPU CNN
            model.to(memory_format=torch.channels_last)
            x_train = x_train.contiguous(memory_format=torch.channels_last)
            x_val = x_val.contiguous(memory_format=torch.channels_last)
        objective = self._make_objective(model)
        optimizer = self.optimizer = make_optimizer(self._param_groups(model, objective), c)
        if self._resume_optimizer is not None:
            # after channels-last above: the buffers take the parameters' final layout
            restore_optimizer_state(optimizer, self._resume_optimizer)
        clip_params = list(model.parameters()) + objective.parameters()
        task_metrics = metrics_for(ds, dev)
        use_amp = c.mixed_precision and dev == "cuda"
        scaler = torch.amp.GradScaler("cuda") if use_amp else None
        if scaler is not None and self._resume_scaler:
            scaler.load_state_dict(self._resume_scaler)
        groups = layer_parameters(model)
        sample_weights = None
        if c.balanced_sampling:
            counts = torch.bincount(y_train, minlength=ds.num_classes).clamp(min=1).float()
            sample_weights = (1.0 / counts)[y_train]
        batches = math.ceil(n / c.batch_size)
        self.emit(RunStarted(run_dir=str(self.run.path) if self.run else None,
                             config=c.to_dict(), device=dev, num_train=n, num_val=len(x_val),
                             layer_names=list(groups), batches_per_epoch=batches,
                             start_epoch=start_epoch, task=task,
                             target=ds.class_names[0] if task == "regression" else "",
                             init_report=init_report))
        st = self.state
        plateau = st.plateau
        stopped = "completed"
        if c.early_stopping and st.bad_epochs >= c.early_stopping:
            stopped = "early_stopping"  # a resumed run that had already stopped early
        generator = torch.Generator(device="cpu")
        for epoch in range(start_epoch, c.epochs if stopped == "completed" else start_epoch):
            lr = learning_rate(c, epoch, plateau)
            for group in optimizer.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)
            generator.manual_seed(c.seed * 1_000_003 + epoch)
            if sample_weights is not None:
                order = torch.multinomial(sample_weights.cpu(), n, replacement=True,
                                          generator=generator).to(dev)
            else:
                order = torch.randperm(n, generator=generator).to(dev)
            if self.transfer is not None:
                self._unfreeze(epoch)
            model.train()
            objective.train()
            if self.transfer is not None:
                self.transfer.train_mode(model)
            self._caller_rng = self._rng.activate()
            term_sums: dict[str, Any] = {}
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
                    stopped = self.control.stop_reason
                    break
                idx = order[b * c.batch_size:(b + 1) * c.batch_size]
                xb, yb = x_train[idx], y_train[idx]
                optimizer.zero_grad(set_to_none=True)
                with (torch.autocast("cuda", dtype=torch.float16) if use_amp else nullcontext()):
                    loss, logits, terms = objective.step(model, xb, yb)
                if terms:
                    for key, term in terms.items():
                        term_sums[key] = term_sums.get(key, 0.0) + term.detach() * len(idx)
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
                    torch.nn.utils.clip_grad_norm_(clip_params, c.grad_clip)
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
            self._caller_rng.restore()
            self._caller_rng = None
            if stopped != "completed":
                break
            st.train_seconds += train_seconds
            st.train_samples += seen
            with DeadUnitProbe(model, enabled=c.monitors) as probe:  # on the validation pass
                metrics = self._epoch_metrics(epoch, loss_sum, task_metrics, seen, lr,
                                              train_seconds, x_val, y_val,
                                              objective.val_loss_fn())
            for key, total in term_sums.items():
                metrics[f"loss_{key}"] = float(total) / max(seen, 1)
            if c.monitors:
                metrics["grad_norm"] = gradient_norms(groups)
                metrics["dead_fraction"] = probe.fractions()
            improved = st.observe(metrics, c.monitor, model)
            metrics["improved"] = improved
            if c.schedule == "plateau":
                update_plateau(c, plateau, metrics["val_loss"])
            if self.callbacks:
                metrics = self._record_hooks(epoch, metrics)
            self.history.append(metrics)
            if self.run is not None:
                self.run.metrics.append(metrics)
                if improved:
                    self.run.save_best(model.state_dict())
            self.emit(EpochEnd(epoch=epoch, metrics=metrics))
            last_epoch = epoch == c.epochs - 1
            run_seconds = st.elapsed_seconds + time.perf_counter() - loop_started
            if self.run is not None and ((epoch + 1) % c.checkpoint_every == 0 or last_epoch):
                meta = {**st.to_meta(), "elapsed_seconds": run_seconds}
                if scaler is not None:
                    meta["grad_scaler"] = scaler.state_dict()
                path = self.run.save_checkpoint(epoch, model.state_dict(),
                                                optimizer.state_dict(),
                                                {**st.extra_tensors(), **self._rng.tensors(),
                                                 **objective.state_tensors()},
                                                meta)
                self.emit(CheckpointSaved(epoch=epoch, path=str(path)))
            if c.early_stopping and st.bad_epochs >= c.early_stopping:
                stopped = "early_stopping"
                break
            if self.control.stop_requested:  # asked for during the epoch's record or events
                stopped = self.control.stop_reason
                break
            if c.time_budget_seconds and run_seconds >= c.time_budget_seconds \
                    and not last_epoch:
                stopped = "budget"
                break
        return self._finish(stopped)

    # objective and transfer learning ------------------------------------------------------
    def _make_objective(self, model: Any) -> Any:
        """The run's objective; its own parameters are drawn from a generator seeded by the
        run's seed (the global one is left as found) and, on resume, restored bit for bit."""
        import torch

        from workbench.train.objectives import make_objective

        with torch.random.fork_rng(devices=cuda_devices(self.device == "cuda")):
            torch.manual_seed(self.config.seed + 1)
            objective = make_objective(self.config, self.dataset, model, self.device)
        if self._resume_objective:
            objective.load_state_tensors(self._resume_objective)
        self.objective = objective
        return objective

    def _param_groups(self, model: Any, objective: Any) -> Any:
        """Parameters for the optimizer: the model's (the transfer plan's groups with their
        ``lr_scale`` when there is one) plus the objective's own group."""
        own = objective.parameters()
        if self.transfer is None and not own:
            return model.parameters()
        groups = (self.transfer.parameter_groups(model) if self.transfer is not None
                  else [{"params": list(model.parameters()), "lr_scale": 1.0, "name": "model"}])
        if own:
            groups.append({"params": own, "lr_scale": 1.0, "name": "objective"})
        return groups

    def _prepare_transfer(self, model: Any) -> dict[str, Any] | None:
        """Load, freeze and group layers per ``config.init`` (weights only on a fresh fit);
        the report goes to RunStarted and, on a fit, the run's events.jsonl."""
        if not self.config.init.active:
            return None
        from workbench.train.transfer import TransferPlan

        self.transfer = TransferPlan.prepare(model, self.config.init,
                                             load_weights=not self._resuming)
        report = self.transfer.report
        if self.run is not None and not self._resuming:
            self.run.record_event({"kind": "init", **report})
        return report

    def _unfreeze(self, epoch: int) -> None:
        unfrozen = self.transfer.start_epoch(self.module, epoch)
        if unfrozen and self.run is not None:
            self.run.record_event({"kind": "unfreeze", "epoch": epoch, "nodes": list(unfrozen)})

    def _epoch_metrics(self, epoch: int, loss_sum: Any, task_metrics: Any, seen: int,
                       lr: float, seconds: float, x_val: Any, y_val: Any,
                       loss_fn: Any) -> dict[str, Any]:
        """The epoch record: losses and the task's metrics (task_metrics.py)."""
        return {"kind": "epoch", "epoch": epoch,
                "train_loss": float(loss_sum) / max(seen, 1),
                **task_metrics.train_metrics(seen),
                **task_metrics.val_metrics(self.module, x_val, y_val, loss_fn), "lr": lr,
                "samples_per_second": seen / max(seconds, 1e-9), "epoch_seconds": seconds}

    def _finish(self, stopped: str) -> dict[str, Any]:
        from workbench.train.run_summary import build_summary

        st, c = self.state, self.config
        if st.best_state is not None and (c.restore_best or stopped == "nan"):
            self.module.load_state_dict(st.best_state)
        summary = build_summary(self, stopped)
        findings = summary["findings"]
        for f in findings:
            self.emit(Diagnostic(code=f["code"], severity=f["severity"], title=f["title"],
                                 message=f["explanation"], evidence=f["evidence"],
                                 fix=f["fix"]))
        if self.run is not None:
            self.run.write_summary(summary)
        self.emit(RunFinished(summary=summary))
        return summary

