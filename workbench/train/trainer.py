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
from workbench.train.loop_state import LoopState as _Loop
from workbench.train.schedules import learning_rate, update_plateau
from workbench.train.training_state import (
    TrainingRng,
    TrainingState,
    nan_message,
    restore_optimizer_state,
)

HOST_CHECK_SECONDS = 0.5  # an accelerator's losses are checked for NaN this often
SNAPSHOT_SECONDS = 1.0  # between checkpoints, a copy for a stop is kept at most this often
BATCH_EVENT_SECONDS = 0.1  # on an accelerator, BatchEnd events (which read the loss) at most
# 10 per second; on the CPU every batch has one


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
        # batches between host checks of the loss: None = every batch (the CPU, where reading
        # a value costs nothing), 0 = by time (HOST_CHECK_SECONDS; accelerators)
        self.host_check: int | None = None if self.device == "cpu" else 0
        self.host_reads = 0  # reads of device values by the loop (tests count them)

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
            from workbench.train.memory_errors import out_of_memory_message

            message = out_of_memory_message(exc) or f"{type(exc).__name__}: {exc}"
            self.emit(RunFailed(error=type(exc).__name__, message=message))
            if self.run is not None:
                self.run.write_summary({"run_dir": str(self.run.path), "stopped_reason":
                                        "failed", "error": message,
                                        "epochs_run": len(self.history)})
            raise

    def _loop(self, start_epoch: int) -> dict[str, Any]:
        """Setup, then epochs (batches, validation and record, checkpoint), then the end.

        Ordering rules, each kept where it applies: the model takes its memory layout before
        the optimizer is built and its resumed buffers restored (``_setup``); an epoch's
        learning rate is set and its order drawn before any batch (``_train_epoch``); the run's
        RNG is swapped in only around the batches; an epoch's record is written before the
        checkpoint that covers it (a resume cuts records after its checkpoint); stop reasons
        are decided after the checkpoint, so every stop leaves one (``_after_epoch``).
        """
        loop = self._setup(start_epoch)
        st, c = self.state, self.config
        stopped = "completed"
        if c.early_stopping and st.bad_epochs >= c.early_stopping:
            stopped = "early_stopping"  # a resumed run that had already stopped early
        try:
            for epoch in range(start_epoch, c.epochs if stopped == "completed"
                               else start_epoch):
                stopped, seen, seconds, loss_sum, term_sums = self._train_epoch(loop, epoch)
                if stopped != "completed":
                    break
                st.train_seconds += seconds
                st.train_samples += seen
                self._end_epoch(loop, epoch, loss_sum, term_sums, seen, seconds)
                stopped = self._after_epoch(loop, epoch)
                if stopped != "completed":
                    break
        except BaseException:
            self._close_writer(loop, quietly=True)  # what completed epochs left is kept
            raise
        finally:
            loop.train.close()
            loop.val.close()
        return self._finish(stopped, loop)

    def _close_writer(self, loop: _Loop, quietly: bool = False) -> None:
        """Write the last completed epoch's state if no checkpoint covers it yet (a stop
        inside an epoch), then wait for every write; ``quietly`` when already failing."""
        if loop.writer is None:
            return
        try:
            if loop.pending is not None:
                loop.writer.checkpoint(*loop.pending)
                loop.pending = None
            loop.writer.close()
            self._emit_checkpoints(loop)
        except Exception:
            if not quietly:
                raise

    # the parts of the loop ------------------------------------------------------------------
    def _setup(self, start_epoch: int) -> _Loop:
        import torch

        from workbench.train.batches import batches_for
        from workbench.train.checkpoint_writer import CheckpointWriter
        from workbench.train.monitors import layer_parameters
        from workbench.train.optimizers import fused_note, make_optimizer
        from workbench.train.task_metrics import metrics_for, settings_error, task_of

        c, ds, dev = self.config, self.dataset, self.device
        started = time.perf_counter()
        n = len(ds.x_train)
        if n == 0:
            raise ValueError("the training split is empty")
        model = self.module
        task = task_of(ds)
        problem = settings_error(c, task)
        if problem:
            raise ValueError(f"training settings for a {task} dataset: {problem}")
        init_report = self._prepare_transfer(model)
        channels_last = len(ds.x_train.shape) == 4 and any(
            isinstance(m, torch.nn.Conv2d) for m in model.modules())
        if channels_last:  # about 20% more samples/s for a small CPU CNN
            model.to(memory_format=torch.channels_last)
        train = batches_for(ds.x_train, ds.y_train, dev, channels_last)
        val = batches_for(ds.x_val, ds.y_val, dev, channels_last)
        objective = self._make_objective(model)
        optimizer = self.optimizer = make_optimizer(self._param_groups(model, objective), c)
        unfused = fused_note(optimizer)
        if unfused and self.run is not None and not self._resuming:  # a slower step, said
            self.run.record_event({"kind": "optimizer", "fused": False, "note": unfused})
        if self._resume_optimizer is not None:
            # after channels-last above: the buffers take the parameters' final layout
            restore_optimizer_state(optimizer, self._resume_optimizer)
        use_amp = c.mixed_precision and dev == "cuda"
        scaler = torch.amp.GradScaler("cuda") if use_amp else None
        if scaler is not None and self._resume_scaler:
            scaler.load_state_dict(self._resume_scaler)
        groups = layer_parameters(model)
        sample_weights = None
        if c.balanced_sampling:
            counts = torch.bincount(train.y, minlength=ds.num_classes).clamp(min=1).float()
            sample_weights = (1.0 / counts)[train.y].cpu()
        from workbench.data.augment import make_augmenter

        loop = _Loop(train=train, val=val, objective=objective, optimizer=optimizer,
                     scaler=scaler, use_amp=use_amp, groups=groups,
                     clip_params=list(model.parameters()) + objective.parameters(),
                     task_metrics=metrics_for(ds, dev), sample_weights=sample_weights,
                     batches=math.ceil(n / c.batch_size), started=started,
                     augmenter=make_augmenter(c, ds, dev),
                     writer=CheckpointWriter(self.run) if self.run is not None else None,
                     last_checkpoint=time.perf_counter())
        self.emit(RunStarted(run_dir=str(self.run.path) if self.run else None,
                             config=c.to_dict(), device=dev, num_train=n, num_val=len(val),
                             layer_names=list(groups), batches_per_epoch=loop.batches,
                             start_epoch=start_epoch, task=task,
                             target=ds.class_names[0] if task == "regression" else "",
                             init_report=init_report))
        return loop

    def _train_epoch(self, loop: _Loop, epoch: int
                     ) -> tuple[str, int, float, float, dict[str, Any]]:
        """One pass over the training split: (stop reason or "completed", samples seen,
        seconds, summed loss, summed loss terms).

        Nothing waits for the device per batch: losses and metrics accumulate in device
        tensors, and the loss is checked for NaN/Inf on the host every ``host_check`` batches
        (every batch on the CPU, where reading a value costs nothing; by time on an
        accelerator) and at the end, still naming the first batch where it happened.
        """
        import torch

        c, st, model, dev = self.config, self.state, self.module, self.device
        lr = learning_rate(c, epoch, self.state.plateau)
        for group in loop.optimizer.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)
        generator = torch.Generator(device="cpu")
        generator.manual_seed(c.seed * 1_000_003 + epoch)
        n = len(loop.train)
        if loop.sample_weights is not None:
            order = torch.multinomial(loop.sample_weights, n, replacement=True,
                                      generator=generator)
        else:
            order = torch.randperm(n, generator=generator)
        loop.train.plan(order, c.batch_size)
        order = order.to(dev)
        if self.transfer is not None:
            self._unfreeze(epoch)
        model.train()
        loop.objective.train()
        if self.transfer is not None:
            self.transfer.train_mode(model)
        self._caller_rng = self._rng.activate()
        term_sums: dict[str, Any] = {}
        batch_losses = torch.zeros(loop.batches, device=dev,  # float64 sums like before
                                   dtype=torch.float32 if dev == "mps" else torch.float64)
        host_losses: list[float] = []  # the CPU's losses, read as they come
        sizes: list[int] = []
        loop.task_metrics.start_epoch()
        stopped = "completed"
        checked = 0  # batches [0, checked) are known finite
        last_check = last_event = started = time.perf_counter()
        for b in range(loop.batches):
            if self.control.paused:
                pause_start = time.perf_counter()
                self.control.wait_while_paused()
                started += time.perf_counter() - pause_start
            if self.control.stop_requested:
                stopped = self.control.stop_reason
                break
            idx = order[b * c.batch_size:(b + 1) * c.batch_size]
            xb, yb = loop.train.take(idx)
            if loop.augmenter is not None:
                xb, yb = loop.augmenter(xb, yb, epoch, b)
            loss, logits, terms = self._forward(loop, xb, yb)
            if self.host_check is None:  # the CPU: read and check before the step (free)
                value = float(loss.item())
                if not math.isfinite(value):
                    batch_losses[b] = value
                    stopped = self._report_nan(loop, epoch, b, lr, batch_losses)
                    break
                host_losses.append(value)
                checked = b + 1
            else:
                batch_losses[b] = loss.detach()
            self._backward_step(loop, loss)
            for key, term in (terms or {}).items():
                term_sums[key] = term_sums.get(key, 0.0) + term.detach() * len(idx)
            sizes.append(len(idx))
            batch_stat = loop.task_metrics.add_batch(logits.detach(), yb)
            st.step += 1
            now = time.perf_counter()
            if self.host_check is not None and (
                    (self.host_check > 0 and b + 1 - checked >= self.host_check)
                    or (self.host_check == 0 and now - last_check >= HOST_CHECK_SECONDS)):
                last_check = now
                bad = self._first_nonfinite(batch_losses, checked, b + 1)
                if bad is not None:  # noticed late: the steps since then are in the weights
                    stopped = self._report_nan(loop, epoch, bad, lr, batch_losses)
                    break
                checked = b + 1
            if self.callbacks and (self.host_check is None  # the CPU: every batch, free
                                   or now - last_event >= BATCH_EVENT_SECONDS
                                   or b == loop.batches - 1):
                last_event = now
                self.host_reads += 1
                self.emit(BatchEnd(epoch=epoch, batch=b, step=st.step - 1,
                                   loss=host_losses[-1] if self.host_check is None
                                   else float(batch_losses[b].item()),
                                   accuracy=loop.task_metrics.batch_value(batch_stat, len(idx)),
                                   lr=lr, samples_per_second=sum(sizes)
                                   / max(now - started, 1e-9)))
        if stopped == "completed" and checked < len(sizes):
            bad = self._first_nonfinite(batch_losses, checked, len(sizes))
            if bad is not None:
                stopped = self._report_nan(loop, epoch, bad, lr, batch_losses)
        seconds = time.perf_counter() - started
        self._rng = TrainingRng.capture(dev == "cuda")
        self._caller_rng.restore()
        self._caller_rng = None
        seen = sum(sizes)
        if self.host_check is None:
            loss_sum = sum(v * n for v, n in zip(host_losses, sizes))
        else:
            weights = torch.tensor(sizes, dtype=batch_losses.dtype, device=dev)
            loss_sum = float((batch_losses[:len(sizes)] * weights).sum()) if sizes else 0.0
            self.host_reads += 1
        loop.lr = lr
        return stopped, seen, seconds, loss_sum, term_sums

    def _forward(self, loop: _Loop, xb: Any, yb: Any) -> tuple[Any, Any, Any]:
        """The objective on a batch: (loss, outputs, named loss terms); gradients cleared."""
        import torch

        loop.optimizer.zero_grad(set_to_none=True)
        with (torch.autocast("cuda", dtype=torch.float16) if loop.use_amp else nullcontext()):
            return loop.objective.step(self.module, xb, yb)

    def _backward_step(self, loop: _Loop, loss: Any) -> None:
        """Gradients of ``loss``, clipped when asked, and one optimizer step."""
        import torch

        c, optimizer, scaler = self.config, loop.optimizer, loop.scaler
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
        else:
            loss.backward()
        if c.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(loop.clip_params, c.grad_clip)
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()

    def _first_nonfinite(self, batch_losses: Any, start: int, stop: int) -> int | None:
        """The first batch in [start, stop) whose loss is NaN/Inf (one read of the device)."""
        import torch

        self.host_reads += 1
        bad = (~torch.isfinite(batch_losses[start:stop])).nonzero()
        return int(bad[0].item()) + start if len(bad) else None

    def _report_nan(self, loop: _Loop, epoch: int, batch: int, lr: float,
                    batch_losses: Any) -> str:
        from workbench.train.monitors import gradient_norms

        value = float(batch_losses[batch].item())
        self.state.nan_at = {"epoch": epoch, "batch": batch}
        norms = gradient_norms(loop.groups) if self.config.monitors else {}
        self.emit(Diagnostic(code="nan", severity="error", title="The loss became NaN/Inf",
                             message=nan_message(epoch, batch, lr, norms, value), epoch=epoch,
                             evidence={"epoch": epoch, "batch": batch, "grad_norm": norms}))
        return "nan"

    def _end_epoch(self, loop: _Loop, epoch: int, loss_sum: float,
                   term_sums: dict[str, Any], seen: int, seconds: float) -> None:
        """Validation, monitors and the epoch record (to callbacks, history and the run)."""
        from workbench.train.monitors import DeadUnitProbe, gradient_norms

        c, st, model = self.config, self.state, self.module
        with DeadUnitProbe(model, enabled=c.monitors) as probe:  # on the validation pass
            metrics = self._epoch_metrics(epoch, loss_sum, loop.task_metrics, seen, loop.lr,
                                          seconds, loop.val.eval_inputs(), loop.val.y,
                                          loop.objective.val_loss_fn())
        for key, total in term_sums.items():
            metrics[f"loss_{key}"] = float(total) / max(seen, 1)
        if c.monitors:
            metrics["grad_norm"] = gradient_norms(loop.groups)
            metrics["dead_fraction"] = probe.fractions()
        improved = st.observe(metrics, c.monitor, model)
        metrics["improved"] = improved
        if c.schedule == "plateau":
            update_plateau(c, st.plateau, metrics["val_loss"])
        if self.callbacks:
            metrics = self._record_hooks(epoch, metrics)
        self.history.append(metrics)
        if loop.writer is not None:
            loop.writer.metrics(metrics)
            if improved and st.best_state is not None:  # a CPU copy (TrainingState.observe)
                loop.writer.best(st.best_state)
        self.emit(EpochEnd(epoch=epoch, metrics=metrics))

    def _after_epoch(self, loop: _Loop, epoch: int) -> str:
        """Checkpoint when due (every ``checkpoint_every`` epochs and at most once per
        ``checkpoint_every_seconds``, always at the last epoch and when the run stops here),
        then the reason to stop, or "completed" to go on."""
        c, st = self.config, self.state
        last_epoch = epoch == c.epochs - 1
        run_seconds = st.elapsed_seconds + time.perf_counter() - loop.started
        stopped = "completed"
        if c.early_stopping and st.bad_epochs >= c.early_stopping:
            stopped = "early_stopping"
        elif self.control.stop_requested:  # asked for during the epoch's record or events
            stopped = self.control.stop_reason
        elif c.time_budget_seconds and run_seconds >= c.time_budget_seconds and not last_epoch:
            stopped = "budget"
        due = ((epoch + 1) % c.checkpoint_every == 0 and time.perf_counter()
               - loop.last_checkpoint >= c.checkpoint_every_seconds)
        if loop.writer is not None:
            now = time.perf_counter()
            if due or last_epoch or stopped != "completed":
                loop.writer.checkpoint(*self._snapshot(epoch, loop, run_seconds))
                loop.pending = None
                loop.last_checkpoint = loop.last_snapshot = now
            elif now - loop.last_snapshot >= SNAPSHOT_SECONDS:
                # a copy kept (at most one a second: a copy costs a tiny epoch a few percent)
                # so that a stop inside a later epoch still saves a recent one (_close_writer)
                loop.pending = self._snapshot(epoch, loop, run_seconds)
                loop.last_snapshot = now
        self._emit_checkpoints(loop)
        return stopped

    def _snapshot(self, epoch: int, loop: _Loop, run_seconds: float) -> tuple:
        """CPU copies of everything a resume after ``epoch`` needs (the checkpoint's
        arguments), taken on the training thread so later steps cannot change them."""
        from workbench.train.checkpoint_writer import cpu_copy

        meta = {**self.state.to_meta(), "elapsed_seconds": run_seconds}
        if loop.scaler is not None:
            meta["grad_scaler"] = loop.scaler.state_dict()
        return (epoch, cpu_copy(self.module.state_dict()),
                cpu_copy(loop.optimizer.state_dict()),
                cpu_copy({**self.state.extra_tensors(), **self._rng.tensors(),
                          **loop.objective.state_tensors()}), meta)

    def _emit_checkpoints(self, loop: _Loop) -> None:
        for epoch, path in loop.writer.completed() if loop.writer is not None else []:
            self.emit(CheckpointSaved(epoch=epoch, path=path))

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

    def _finish(self, stopped: str, loop: _Loop) -> dict[str, Any]:
        """Best weights in place, the summary and its findings; the run's last files are
        written meanwhile by the writer thread, and waited for before the summary."""
        from workbench.train.run_summary import build_summary

        st, c = self.state, self.config
        if st.best_state is not None and (c.restore_best or stopped == "nan"):
            self.module.load_state_dict(st.best_state)
        summary = build_summary(self, stopped)
        self._close_writer(loop)
        findings = summary["findings"]
        for f in findings:
            self.emit(Diagnostic(code=f["code"], severity=f["severity"], title=f["title"],
                                 message=f["explanation"], evidence=f["evidence"],
                                 fix=f["fix"]))
        if self.run is not None:
            self.run.write_summary(summary)
        self.emit(RunFinished(summary=summary))
        return summary

