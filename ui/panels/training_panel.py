"""Training panel: the dataset, every training option, Start / Pause-Resume / Stop, status.

The host gives a *provider*: a callable returning ``(GraphSpec, dataset dict, training dict,
project_dir, run name)`` for the current project. ``refresh_from_project()`` shows the dataset
and loads the project's training settings into the form; edits are emitted as
``trainingChanged(dict)`` so the host can store them in the project. Pressing Start freezes
everything into a ``RunRequest`` (later edits affect only the next run) and starts a
``TrainingJob``; ``jobStarted(job)`` lets the dashboard and other panels connect to it.
A failure (bad settings, NaN, out of memory, any exception) is shown in red in the panel; the
user changes settings and starts again.

While a run's dataset is decoded or generated before training (an image folder's first pass
into its cache), the status line and a progress bar show the files done, their rate and the
time left (``DataProgress`` events); Stop cancels the decode, which leaves no run folder and
no cache that a later run trusts, and the panel says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.training_form import TrainingForm

Provider = Callable[[], tuple[Any, dict[str, Any], dict[str, Any], Any, str]]


class TrainingPanel(QtWidgets.QWidget):
    """Form + run controls for one training job at a time."""

    trainingChanged = QtCore.Signal(dict)
    jobStarted = QtCore.Signal(object)   # the TrainingJob, before its thread starts
    runFinished = QtCore.Signal(dict)    # summary (after the thread has ended)
    runFailed = QtCore.Signal(str)
    # [{"node_id", "message", "severity"}]: the run was refused because the data do not fit
    # these nodes (token ids past an Embedding, labels past the head); the editor badges them
    setupProblems = QtCore.Signal(list)
    stateChanged = QtCore.Signal(str)    # "idle" | "running" | "paused" | "stopping"

    def __init__(self, provider: Provider | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider = provider
        self.job: Any = None
        self.state = "idle"
        self.last_summary: dict[str, Any] | None = None
        self._outcome: tuple[str, Any] | None = None
        self._status_pending: str | None = None
        self._status_timer = QtCore.QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(250)
        self._status_timer.timeout.connect(self._show_pending_status)
        self.dataset_label = QtWidgets.QLabel("Dataset: (no project)")
        self.dataset_label.setWordWrap(True)
        self.dataset_label.setToolTip("The project's dataset. Choose it in the project; the "
                                      "network's Input and Output are fitted to it at Start.")
        self.form = TrainingForm()
        self.form.changed.connect(self.trainingChanged)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.start_button = QtWidgets.QPushButton("Train")  # the same words as Train > Train
        self.start_button.setToolTip("Freeze the network, dataset and these settings and train "
                                     "in the background (F5).")
        self.pause_button = QtWidgets.QPushButton("Pause")
        self.pause_button.setToolTip("Pause after the current batch; Resume continues exactly "
                                     "where it stopped.")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current batch. The run folder keeps its "
                                    "checkpoints, metrics and summary.")
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        self.status = QtWidgets.QLabel("Ready.")
        self.status.setWordWrap(True)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("data_progress")
        self.progress.setToolTip("Decoding the dataset before training (the first time only: "
                                 "later runs reuse the cache). Stop cancels it.")
        self.progress.hide()
        self.decoding = False  # the run is still decoding/generating its data
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.error.setStyleSheet("QLabel { color: #b00020; font-weight: bold; }")
        self.error.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.dataset_label)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        self._set_state("idle")

    # project ---------------------------------------------------------------------------------
    def set_provider(self, provider: Provider | None) -> None:
        self.provider = provider
        self.refresh_from_project()

    def refresh_from_project(self) -> None:
        """Show the project's dataset and load its training settings into the form."""
        if self.provider is None:
            self.dataset_label.setText("Dataset: (no project)")
            return
        try:
            graph, dataset, training, _project_dir, _name = self.provider()
        except Exception as exc:
            self.dataset_label.setText(f"Dataset: project unreadable ({exc})")
            return
        self.dataset_label.setText(describe_dataset(dataset))
        self.form.set_values(training or {})
        self.form.set_dataset_spec(as_the_run_loads_it(graph, dataset))

    # controls --------------------------------------------------------------------------------
    def start(self, lineage: dict[str, Any] | None = None) -> bool:
        """Freeze the inputs and start training; False (with a red message) if it cannot.
        ``lineage``: the new run's parent and relation (else what its settings imply)."""
        from ui.workers import TrainingJob
        from workbench.experiment import RunRequest
        from workbench.train.config import TrainConfig

        if self.job is not None:
            return False
        self.error.hide()
        if self.provider is None:
            self.show_error("No project is open, so there is nothing to train.")
            return False
        try:
            graph, dataset, _training, project_dir, name = self.provider()
        except Exception as exc:
            self.show_error(f"The project could not be read: {exc}")
            return False
        problems = _graph_errors(graph)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.show_error(f"The network cannot be trained yet: {problems[0]}{more}. Fix it "
                            f"first; the Problems panel lists every problem.")
            return False
        training = self.form.values()
        try:
            config = TrainConfig.from_dict(training)
        except (TypeError, ValueError) as exc:
            self.show_error(f"Training settings: {exc}")
            return False
        too_large = _memory_problem(graph, config)
        if too_large:  # the same refusal the run itself makes, before a thread or a folder
            self.show_error(f"The run could not start: {too_large}")
            return False
        self.dataset_label.setText(describe_dataset(dataset))
        request = RunRequest.freeze(graph, dataset, training, project_dir, name)
        if lineage is not None:
            import dataclasses

            request = dataclasses.replace(request, lineage=dict(lineage))
        job = TrainingJob(request)
        job.started.connect(self._on_started)
        job.dataProgress.connect(self._on_data_progress)
        job.epoch.connect(self._on_epoch)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        job.setupProblems.connect(self.setupProblems)
        job.ended.connect(self._on_thread_finished)
        self.job, self._outcome, self.last_summary = job, None, None
        self.jobStarted.emit(job)
        self._set_state("running")
        self.status.setText("Preparing: loading the data and building the network…")
        job.start()
        return True

    def toggle_pause(self) -> None:
        if self.job is None or self.state not in ("running", "paused"):
            return
        if self.state == "paused":
            self.job.resume()
            self._set_state("running")
            self.status.setText("Resumed.")
        else:
            self.job.pause()
            self._set_state("paused")
            self.status.setText("Paused after the current batch. Press Resume to continue.")

    def stop(self) -> None:
        """Ask the run to stop; acknowledged here at once, honoured within one batch."""
        if self.job is None or self.state == "stopping":
            return
        self.job.request_stop()
        self._set_state("stopping")
        self.status.setText("Cancelling the decode…" if self.decoding
                            else "Stopping after the current batch…")

    def is_running(self) -> bool:
        return self.job is not None

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop any run and wait for its thread (call before the window closes)."""
        if self.job is not None:
            self.job.shutdown(timeout_ms)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # worker signals --------------------------------------------------------------------------
    def _on_data_progress(self, progress: dict[str, Any]) -> None:
        """The dataset is being decoded/generated: a bar and 'stage done / total - rate -
        time left' in the status line."""
        if self.job is None:
            return
        self.decoding = True
        total, done = int(progress.get("total") or 0), int(progress.get("done") or 0)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.show()
        if self.state in ("running", "paused"):
            self.status.setText(data_progress_text(progress))

    def _end_decoding(self) -> None:
        self.decoding = False
        self.progress.hide()

    def _on_started(self, info: dict[str, Any]) -> None:
        self._end_decoding()
        if self.state == "running":
            self.status.setText(f"Training on {info.get('device')} "
                                f"({info.get('num_train')} samples, "
                                f"{info.get('batches_per_epoch')} batches per epoch)…")

    def _on_epoch(self, metrics: dict[str, Any]) -> None:
        """Epoch progress in the status line, at most ~4 times a second (fast epochs)."""
        if self.state == "running":
            epochs = self.job.request.training.get("epochs", "?") if self.job else "?"
            self._status_pending = (
                f"Epoch {metrics['epoch'] + 1}/{epochs}: val loss "
                f"{_number(metrics.get('val_loss'), '.4g')}, " + _score_text(metrics))
            if not self._status_timer.isActive():
                self._status_timer.start()

    def _show_pending_status(self) -> None:
        if self._status_pending is not None and self.state == "running":
            self.status.setText(self._status_pending)
        self._status_pending = None

    def _on_finished(self, summary: dict[str, Any]) -> None:
        self._outcome = ("finished", summary)

    def _on_failed(self, message: str) -> None:
        self._outcome = ("failed", message)

    def _on_thread_finished(self) -> None:
        """The worker thread has ended: report the outcome and allow a new run."""
        outcome, self._outcome = self._outcome, None
        if self.job is not None:
            self.job.wait()
        self.job = None
        was_decoding, was_stopping = self.decoding, self.state == "stopping"
        self._end_decoding()
        self._set_state("idle")
        if outcome is None:
            self.show_error("The training thread ended without a result.")
            self.runFailed.emit("The training thread ended without a result.")
            return
        kind, value = outcome
        if kind == "failed" and was_decoding and was_stopping and "cancelled" in value:
            self.status.setText("The decode was cancelled, as asked: no run was started and "
                                "nothing half-decoded is kept. Press Train to start again.")
            self.runFailed.emit(value)
            return
        if kind == "failed":
            self.status.setText("Training failed. Change the settings and press Train again.")
            self.show_error(value)
            self.runFailed.emit(value)
            return
        self.last_summary = value
        reason = value.get("stopped_reason")
        self.status.setText(f"Finished ({reason}) after {value.get('epochs_run', 0)} epoch(s)"
                            f", {_score_text(value)}. Run folder: {value.get('run_dir')}")
        if value.get("failure"):
            self.show_error(value["failure"])
        self.runFinished.emit(value)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.start_button.setEnabled(state == "idle")
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.stop_button.setEnabled(state in ("running", "paused"))
        self.stateChanged.emit(state)


def describe_dataset(dataset: dict[str, Any] | None) -> str:
    if not dataset or not dataset.get("name"):
        return "Dataset: none chosen in the project"
    options = dataset.get("options") or {}
    opts = ", ".join(f"{k}={v}" for k, v in options.items())
    split = (f"validation {dataset.get('val_fraction', 0.15):.0%}, test "
             f"{dataset.get('test_fraction', 0.15):.0%}")
    return f"Dataset: {dataset['name']}{f' ({opts})' if opts else ''}; {split}"


def as_the_run_loads_it(graph: Any, dataset: dict[str, Any] | None) -> dict[str, Any] | None:
    """The dataset as a run loads it: an image folder without option 'size' is decoded at the
    network's input size (``workbench.experiment``), so the preview shares the run's cache."""
    options = (dataset or {}).get("options") or {}
    if not dataset or dataset.get("name") != "image_folder" or "size" in options:
        return dataset
    nodes = graph.to_dict()["nodes"] if hasattr(graph, "to_dict") else \
        (graph or {}).get("nodes", [])
    shape = next((n.get("params", {}).get("shape") for n in nodes
                  if n.get("type") == "Input"), None)
    if isinstance(shape, (list, tuple)) and len(shape) == 3 \
            and all(isinstance(d, int) and d > 0 for d in shape):
        return {**dataset, "options": {**options, "size": [int(shape[1]), int(shape[2])]}}
    return dataset


def data_progress_text(progress: dict[str, Any]) -> str:
    """'decoding images 12,345 / 60,000 - 2,310 files/s - 21 s left'."""
    stage = str(progress.get("stage") or "preparing the data")
    done, total = int(progress.get("done") or 0), int(progress.get("total") or 0)
    unit = "files/s" if "decod" in stage else "images/s"
    text = f"{stage} {done:,} / {total:,}"
    rate = progress.get("per_second")
    if isinstance(rate, (int, float)) and rate > 0:
        text += f" - {rate:,.0f} {unit}"
    left = progress.get("seconds_left")
    if isinstance(left, (int, float)) and done < total:
        text += f" - {_duration(left)} left"
    return text


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _memory_problem(graph: Any, config: Any) -> str | None:
    """``workbench.train.memory_estimate``'s refusal when the network cannot fit in memory.

    Checked here only when torch is already loaded (the device probe loads it in the
    background), so pressing Train never imports torch on the GUI thread; the run's own
    check (``workbench.experiment.prepare``) refuses it with the same message otherwise.
    """
    import sys

    from workbench.graph.spec import GraphSpec
    from workbench.train.memory_estimate import training_memory_problem

    if "torch" not in sys.modules:
        return None
    from workbench.train.device import select_device

    try:
        device = select_device(config.device)
    except ValueError:
        return None  # the run reports the missing device itself
    spec = graph if isinstance(graph, GraphSpec) else GraphSpec.from_dict(graph)
    return training_memory_problem(spec, config, device)


def _graph_errors(graph: Any) -> list[str]:
    """Validation errors of the graph to train (cheap, no torch); [] when it is valid."""
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec

    spec = graph if isinstance(graph, GraphSpec) else GraphSpec.from_dict(graph)
    return [p.message for p in analyze(spec).errors]


def _number(value: Any, fmt: str) -> str:
    return format(value, fmt) if isinstance(value, (int, float)) else "-"


def _score_text(metrics: dict[str, Any]) -> str:
    """'val accuracy 93.2%', or for a regression 'val MAE 41.2, R² 0.47' (target units)."""
    if "val_mae" in metrics:
        return (f"val MAE {_number(metrics.get('val_mae'), '.4g')}, "
                f"R² {_number(metrics.get('val_r2'), '.3f')}")
    return f"val accuracy {_number(metrics.get('val_accuracy'), '.1%')}"
