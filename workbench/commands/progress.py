"""Human-readable progress for training in a terminal: one bar per epoch and a summary."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from workbench.train.callbacks import Callback
from workbench.train.events import (
    BatchEnd,
    CheckpointSaved,
    DataProgress,
    Diagnostic,
    EpochEnd,
    RunStarted,
)

BAR_WIDTH = 24


def _fmt(value: Any, digits: int = 4) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return "-" if value is None else str(value)


def _num(value: Any) -> str:
    """A value in a regression target's own units: 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else _fmt(value)


class ProgressPrinter(Callback):
    """Draws a progress bar per epoch on a terminal stream (redrawn at most 10 times a second)."""

    def __init__(self, stream: TextIO | None = None, total_epochs: int | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total_epochs = total_epochs
        self.batches_per_epoch: int | None = None
        self._last_draw = 0.0
        self._max_batch = 0
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_data_step = -1

    def on_event(self, event: object) -> None:
        if isinstance(event, RunStarted):
            task = (f"regression (target '{event.target}')" if event.task == "regression"
                    else event.task)
            self._write(f"run {event.run_dir}\n"
                        f"task {task}, loss {event.config.get('loss')}\n"
                        f"device {event.device}, {event.num_train} training samples, "
                        f"{event.num_val} validation samples\n")
            report = getattr(event, "init_report", None)
            if report:
                self._write(init_report_line(report) + "\n")
        elif isinstance(event, BatchEnd):
            self._max_batch = max(self._max_batch, event.batch + 1)
            now = time.monotonic()
            if self._interactive and now - self._last_draw > 0.1:
                self._last_draw = now
                self._draw_bar(event)
        elif isinstance(event, EpochEnd):
            self.batches_per_epoch = self._max_batch or self.batches_per_epoch
            self._max_batch = 0
            m = event.metrics
            total = f"/{self.total_epochs}" if self.total_epochs else ""
            bar = "#" * BAR_WIDTH
            if "val_mae" in m:  # regression: errors in the target's units
                scores = (f"loss {_fmt(m.get('train_loss'))} mae {_num(m.get('train_mae'))} | "
                          f"val loss {_fmt(m.get('val_loss'))} val mae {_num(m.get('val_mae'))} "
                          f"rmse {_num(m.get('val_rmse'))} R² {_fmt(m.get('val_r2'), 3)}")
            else:
                scores = (f"loss {_fmt(m.get('train_loss'))} acc "
                          f"{_fmt(m.get('train_accuracy'), 3)} | val loss "
                          f"{_fmt(m.get('val_loss'))} val acc {_fmt(m.get('val_accuracy'), 3)}")
            line = (f"epoch {event.epoch + 1}{total} [{bar}] {scores} | "
                    f"lr {_fmt(m.get('lr'), 6)} | {_fmt(m.get('samples_per_second'), 0)} samples/s")
            self._write(("\r" if self._interactive else "") + line + "\n")
        elif isinstance(event, Diagnostic):
            self._write(f"[{event.severity}] {event.title}: {event.message}\n")
        elif isinstance(event, CheckpointSaved):
            pass
        elif isinstance(event, DataProgress):
            self._data_progress(event)

    def _data_progress(self, event: DataProgress) -> None:
        """"decoding images 12,345/60,000 (2,310/s, 21 s left)": redrawn on a terminal, a
        line every ~10% (and at the end) on a log."""
        now = time.monotonic()
        finished = event.done >= event.total
        step = max(1, event.total // 10)
        due = (now - self._last_draw > 0.25 if self._interactive
               else event.done // step != self._last_data_step)
        if not (due or finished):
            return
        self._last_draw = now
        self._last_data_step = event.done // step
        left = (f", {event.seconds_left:.0f} s left" if event.seconds_left is not None
                and not finished else "")
        line = (f"{event.stage} {event.done:,}/{event.total:,} "
                f"({event.per_second:,.0f}/s{left})")
        if self._interactive:
            self._write("\r" + line + ("\n" if finished else ""))
        else:
            self._write(line + "\n")

    def _draw_bar(self, event: BatchEnd) -> None:
        total = self.batches_per_epoch
        if total:
            done = min(BAR_WIDTH, int(BAR_WIDTH * (event.batch + 1) / total))
            bar = "#" * done + "." * (BAR_WIDTH - done)
            pct = f"{100 * (event.batch + 1) / total:3.0f}%"
        else:
            bar, pct = "." * BAR_WIDTH, f"batch {event.batch + 1}"
        epochs = f"/{self.total_epochs}" if self.total_epochs else ""
        self._write(f"\repoch {event.epoch + 1}{epochs} [{bar}] {pct} loss {event.loss:.4f}")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def format_summary(summary: dict[str, Any]) -> str:
    """A readable block for the end of a run."""
    lines = ["", "summary"]
    scores = [("validation accuracy", "val_accuracy"), ("training accuracy", "train_accuracy")]
    if summary.get("task") == "regression":
        scores = [("validation MAE", "val_mae"), ("validation RMSE", "val_rmse"),
                  ("validation R²", "val_r2"), ("training MAE", "train_mae")]
    keys = [("run folder", "run_dir"), ("task", "task"), ("stopped", "stopped_reason"),
            ("epochs run", "epochs_run"), ("best epoch", "best_epoch"),
            ("validation loss", "val_loss"), *scores, ("samples/s", "samples_per_second"),
            ("device", "device")]
    for label, key in keys:
        value = summary.get(key)
        text = f"{value:,.0f}" if key == "samples_per_second" and value else (
            _num(value) if key in ("val_mae", "val_rmse", "train_mae") else _fmt(value))
        lines.append(f"  {label:<20} {text}")
    findings = summary.get("findings") or []
    if findings:
        lines.append("")
        lines.append("what the Workbench noticed")
        for f in findings:
            lines.append(f"  [{f.get('severity')}] {f.get('title')}")
            lines.append(f"      {f.get('explanation')}")
            lines.append(f"      fix: {f.get('fix')}")
    return "\n".join(lines) + "\n"


def init_report_line(report: dict[str, Any]) -> str:
    """What transfer learning loaded, skipped and froze, in one line: "init: 2 layers from
    RUN (best.safetensors): fc1, fc2; skipped fc3 (reset_head); frozen: fc1"."""
    matched = list(report.get("matched") or [])
    layers = f"{len(matched)} layer{'s' if len(matched) != 1 else ''}"
    if not report.get("source"):
        line = "init: random"
    elif report.get("loaded", True):
        line = (f"init: {layers} from {report['source']} ({report.get('weights') or '?'})"
                f"{': ' + ', '.join(matched) if matched else ''}")
    else:
        line = (f"init: {layers} matched in {report['source']}"
                f"{': ' + ', '.join(matched) if matched else ''} (weights from the checkpoint)")
    skipped = report.get("skipped") or []
    if skipped:
        line += "; skipped " + ", ".join(f"{s.get('node')} ({s.get('reason')})" for s in skipped)
    frozen = report.get("frozen") or []
    if frozen:
        line += "; frozen: " + ", ".join(frozen)
        if report.get("unfreeze_every"):
            line += f" (one unfrozen every {report['unfreeze_every']} epochs from the output)"
    if report.get("lr_scale", 1.0) != 1.0:
        line += f"; lr x {report['lr_scale']:g} for the loaded layers"
    return line


class InitReportRecorder(Callback):
    """Keeps the run's init report (RunStarted.init_report) for the --json output."""

    def __init__(self) -> None:
        self.report: dict[str, Any] | None = None

    def on_event(self, event: object) -> None:
        if isinstance(event, RunStarted) and getattr(event, "init_report", None):
            self.report = event.init_report  # type: ignore[attr-defined]
