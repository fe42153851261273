"""Search panel: the project's search space, the strategy / pruner / budget form, Start / Stop /
Resume of a ``workbench search`` process, and the study's trials live (table and plots).

The host calls ``set_context(...)`` when the project changes and sets ``save_project`` (a
callable returning the saved project file, or None when the person declined). The study is
read on a background thread (``StudyReader``; a read of a small SQLite study takes tens of
milliseconds, opening it about a second) and shown on a timer; the GUI thread only fills the
table and plots. ``openTrialRequested(row)`` and ``trainBestRequested(row)`` carry a trial row
(``number``, ``run_dir``, ``params``...) to the host.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.search_analysis import ImportanceCache
from ui.panels.search_parallel import ParallelCoordinates
from ui.panels.search_plots import ImportancePlot, ParetoPlot, SearchPlots
from ui.panels.search_reader import StudyReader, direction, space_summary
from ui.panels.search_table import TrialsTable
from ui.search_process import SearchOptions, SearchProcess, available_cores
from workbench.search.strategies import PRUNERS, STRATEGIES

STOP_GRACE_S = 20.0  # a search still alive this long after Stop gets the next signal


class SearchPanel(QtWidgets.QWidget):
    """Space summary, form, controls, trials table and plots for one project's study."""

    openTrialRequested = QtCore.Signal(dict)
    trainBestRequested = QtCore.Signal(dict)
    stateChanged = QtCore.Signal(str)  # "idle" | "running" | "stopping"

    def __init__(self, parent: QtWidgets.QWidget | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.save_project: Callable[[], Path | None] = lambda: None
        self.project_dir: Path | None = None
        self.study = ""
        self.process: SearchProcess | None = None
        self.report: dict[str, Any] | None = None
        self.state = "idle"
        self.last_read_ms = self.last_show_ms = 0.0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="study-reader")
        self._reader: StudyReader | None = None
        self._importance = ImportanceCache()  # used on the reader's thread only
        self._future: Future | None = None
        self._stale = self._closed = False
        self._seen: tuple | None = None
        self._stop_started = 0.0
        self.study_label = QtWidgets.QLabel("No project.")
        self.study_label.setWordWrap(True)
        self.space_text = QtWidgets.QPlainTextEdit()
        self.space_text.setReadOnly(True)
        self.space_text.setMaximumHeight(92)
        self.space_text.setToolTip("What the search varies (the project's 'search' section); "
                                   "nodes it varies carry a badge on the canvas")
        self.strategy = _combo(STRATEGIES, "tpe", "How trials are proposed: random, grid (every "
                               "combination), tpe, cmaes (continuous ranges), nsga2 (several "
                               "objectives), evolution (regularized evolution)")
        self.pruner = _combo(PRUNERS, "median", "Stop poor trials early, per epoch, on the "
                             "validation value: median, successive halving, hyperband")
        self.trials = QtWidgets.QSpinBox()
        self.trials.setRange(1, 100_000)
        self.trials.setValue(10)
        self.trials.setToolTip("Trials to run now (Resume: this many more)")
        self.timeout = QtWidgets.QSpinBox()
        self.timeout.setRange(0, 7 * 24 * 3600)
        self.timeout.setSuffix(" s")
        self.timeout.setSpecialValueText("no limit")
        self.timeout.setToolTip("Start no new trial after this many seconds (0: no limit)")
        self.workers = QtWidgets.QSpinBox()
        self.workers.setRange(1, max(1, available_cores()))
        self.workers.setValue(1)
        self.workers.setToolTip("Trials trained at once, each in its own process with "
                                "cores / workers torch threads (1: one process)")
        self.objective = _combo(("val_accuracy", "val_loss", "val_mae"), "val_accuracy",
                                "What the search optimizes, on the validation split only")
        self.pareto = QtWidgets.QCheckBox("also fewer parameters (Pareto front)")
        self.pareto.setToolTip("A second objective: the number of parameters (use nsga2)")
        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.AllNonFixedFieldsGrow)
        for label, widget in (("Strategy", self.strategy), ("Pruner", self.pruner),
                              ("Trials", self.trials), ("Workers", self.workers),
                              ("Timeout", self.timeout),
                              ("Objective", self.objective), ("", self.pareto)):
            form.addRow(label, widget)
        self.start_button = QtWidgets.QPushButton("Start Search")
        self.start_button.setToolTip("Save the project and search in a separate process (it "
                                     "goes on if the app closes)")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setToolTip("End the search: the trial in flight is recorded failed; "
                                    "press again to force it")
        self.resume_button = QtWidgets.QPushButton("Resume")
        self.resume_button.setToolTip("Continue the study with this many more trials")
        self.start_button.clicked.connect(lambda: self.start(resume=False))
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        self.stop_button.clicked.connect(self.stop)
        controls = QtWidgets.QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.resume_button):
            controls.addWidget(button)
        self.status = QtWidgets.QLabel("Ready.")
        self.status.setWordWrap(True)
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.error.setStyleSheet("QLabel { color: #b00020; font-weight: bold; }")
        self.error.hide()
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.study_label)
        left.addWidget(self.space_text)
        left.addLayout(form)
        left.addLayout(controls)
        left.addWidget(self.status)
        left.addWidget(self.error)
        left.addStretch(1)
        self.table = TrialsTable()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.plots = SearchPlots()
        self.importance = ImportancePlot()
        self.parallel = ParallelCoordinates()
        self.pareto_plot = ParetoPlot()
        self.plot_tabs = QtWidgets.QTabWidget()
        for widget, name in ((self.plots, "Progress"), (self.importance, "Importance"),
                             (self.parallel, "Parallel coordinates"),
                             (self.pareto_plot, "Pareto front")):
            self.plot_tabs.addTab(widget, name)
        self.plot_tabs.setTabVisible(3, False)  # shown for a study with 2 objectives
        self.open_button = QtWidgets.QPushButton("Open in Editor")
        self.open_button.setToolTip("Put the selected trial's network (default: the best) on "
                                    "the canvas; Undo brings yours back")
        self.train_button = QtWidgets.QPushButton("Train Best Fully")
        self.train_button.setToolTip("Train the best trial's network with its settings as a "
                                     "normal run (lineage: trial-of the study)")
        self.open_button.clicked.connect(self.open_selected)
        self.train_button.clicked.connect(self.train_best)
        actions = QtWidgets.QHBoxLayout()
        self.best_label = QtWidgets.QLabel("No trial has finished yet.")
        actions.addWidget(self.best_label, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.train_button)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(self.table, 3)
        right.addLayout(actions)
        right.addWidget(self.plot_tabs, 2)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        side = QtWidgets.QWidget()
        side.setLayout(left)
        side.setMaximumWidth(380)
        layout.addWidget(side)
        layout.addLayout(right, 1)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self._update_buttons()

    # context ---------------------------------------------------------------------------------
    def set_context(self, project_dir: str | Path | None, study: str,
                    search: dict[str, Any] | None, graph: Any = None) -> None:
        """The project's folder (runs and studies), study name and search section."""
        lines, size = space_summary(search, graph)
        self.space_text.setPlainText("\n".join([size, *lines]))
        self.has_space = bool(lines)
        new = (Path(project_dir) if project_dir else None, study)
        if new != (self.project_dir, self.study):
            self.project_dir, self.study = new
            self.process = SearchProcess(self.project_dir, study) if self.project_dir else None
            self._switch_reader()
            self._show_report(None, force=True)
            self.error.hide()
            self._seen = None
        where = f" in {self.project_dir}" if self.project_dir else ""
        self.study_label.setText(f"<b>Study:</b> {study or '(none)'}{where}")
        if self.project_dir and not self.timer.isActive():
            self.timer.start()
        self.poll()

    def _switch_reader(self) -> None:
        old = self._reader
        if self._closed:
            return
        self._reader = StudyReader(self.project_dir, self.study) if self.project_dir else None
        self._future = None
        self._importance = ImportanceCache()
        if old is not None:
            self._executor.submit(old.close)

    # controls --------------------------------------------------------------------------------
    def options(self) -> SearchOptions:
        objectives = [self.objective.currentText()] + (["params"] if self.pareto.isChecked()
                                                        else [])
        return SearchOptions(strategy=self.strategy.currentText(),
                             pruner=self.pruner.currentText(), trials=self.trials.value(),
                             timeout=self.timeout.value() or None,
                             objectives=tuple(objectives), workers=self.workers.value())

    def start(self, resume: bool = False) -> bool:
        """Save the project if needed and start (or resume) the search; False with a red
        message when it cannot start."""
        self.error.hide()
        if self.process is None or self.state != "idle":
            return False
        if not self.has_space:
            self.show_error("This project has no usable search space: add a 'search' section "
                            "(see the example search_mlp_digits).")
            return False
        if resume and not (self.report and self.report.get("n_trials")):
            self.show_error(f"There is no study '{self.study}' to resume yet: Start Search "
                            f"begins it.")
            return False
        if not resume and self.report and self.report.get("n_trials"):
            self.show_error(f"Study '{self.study}' already has {self.report['n_trials']} "
                            f"trial(s): press Resume to continue it.")
            return False
        project_file = self.save_project()
        if project_file is None:
            self.status.setText("Not started: the search reads the saved project file.")
            return False
        try:
            pid = self.process.start(project_file, self.options(), resume)
        except RuntimeError as exc:
            self.show_error(str(exc))
            return False
        self.status.setText(f"{'Resumed' if resume else 'Started'} the search (process {pid}, "
                            f"{workers_summary(self.workers.value())}); trials appear as they "
                            f"run.")
        self._set_state("running")
        self._stale = True
        return True

    def stop(self) -> None:
        if self.process is None or self.state == "idle":
            return
        self.status.setText(self.process.stop().capitalize() + "; waiting for it to end…")
        self._stop_started = time.monotonic()
        self._set_state("stopping")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # reading ---------------------------------------------------------------------------------
    def poll(self) -> None:
        """Timer tick: take a finished read, follow the process, start the next read."""
        if self._future is not None and self._future.done():
            future, self._future = self._future, None
            try:
                report, ms = future.result()
                self.last_read_ms = ms
                self._show_report(report)
            except Exception as exc:  # SearchError and a foreign library's: one line
                self.show_error(str(exc).splitlines()[0] if str(exc) else repr(exc))
                self._seen = None  # try again next tick (a file still being written)
        running = self.process is not None and self.process.is_running()
        if running and self.state == "idle":
            self._set_state("running")  # found running (the app was reopened)
            self.status.setText("A search of this study is running (started earlier).")
        elif not running and self.state != "idle":
            stopped = self.state == "stopping"
            self._set_state("idle")
            self._stale = True
            self._report_end(stopped)
        elif self.state == "stopping" and time.monotonic() - self._stop_started > STOP_GRACE_S:
            self._stop_started = time.monotonic()  # still alive: SIGTERM, then SIGKILL
            self.status.setText(self.process.stop().capitalize() + "…")
        if self._reader is None or self._future is not None or self._closed:
            return
        seen = _file_signature(self._reader.path)  # a search from the command line shows too
        if running or self._stale or seen != self._seen:
            self._stale, self._seen = False, seen
            self._future = self._executor.submit(_timed_read, self._reader,
                                                 self._importance)

    def wait_for_read(self, timeout_s: float = 30.0) -> None:
        """Block until the read in flight is done and shown (tests and screenshots)."""
        if self._future is not None:
            self._future.result(timeout=timeout_s)
        self.poll()

    def _report_end(self, stopped: bool) -> None:
        lines = self.process.last_lines(2) if self.process else []
        failed = [line for line in lines if line.startswith("workbench ")]
        if stopped:
            self.status.setText("Stopped. A trial that was running is recorded failed; Resume "
                                "continues the study.")
        elif failed:
            self.show_error(failed[-1])
            self.status.setText("The search ended with an error.")
        else:
            self.status.setText("The search has ended. " + (lines[-1] if lines else ""))

    def _show_report(self, report: dict[str, Any] | None, force: bool = False) -> None:
        if report == self.report and not force:
            return  # nothing new: no redraw
        started = time.perf_counter()
        if report and not self.report and report.get("strategy") in STRATEGIES:
            self.strategy.setCurrentText(report["strategy"])  # Resume goes on the same way
        self.report = report
        trials = (report or {}).get("trials") or []
        if not trials:
            self.table.clear_trials()
        self.table.show_trials(trials)
        maximize = direction(((report or {}).get("objectives") or ["val_accuracy"])[0]) \
            == "maximize"
        self.plots.show_report(report, maximize)
        self._show_analysis(report)
        if report and report.get("best_trial") is not None:
            states = ", ".join(f"{c} {n}" for n, c in report["states"].items() if c)
            self.best_label.setText(f"Best: trial {report['best_trial']}, "
                                    f"{report['objectives'][0]} {report['best_value']:.4g} "
                                    f"({report['n_trials']} trials: {states})")
        else:
            self.best_label.setText("No trial has finished yet." if trials or report
                                    else "No study yet: Start Search begins one.")
        self._update_buttons()
        self.last_show_ms = (time.perf_counter() - started) * 1000

    def _show_analysis(self, report: dict[str, Any] | None) -> None:
        """Importance, parallel coordinates and (2 objectives) the Pareto front."""
        objectives = list((report or {}).get("objectives") or ["val_accuracy"])
        trials = (report or {}).get("trials") or []
        self.importance.show_importance((report or {}).get("importance"), objectives[0])
        self.parallel.show_trials(trials, objectives[0], direction(objectives[0]) == "maximize")
        two = len(objectives) == 2
        self.plot_tabs.setTabVisible(3, two)
        if two:
            self.pareto_plot.show_points(trials, objectives, tuple(
                direction(o) == "maximize" for o in objectives))

    # trials ----------------------------------------------------------------------------------
    def trial_row(self, number: int | None) -> dict[str, Any] | None:
        for row in (self.report or {}).get("trials") or []:
            if row["number"] == number:
                return row
        return None

    def selected_trial(self) -> int | None:
        return self.table.selected_trial()

    def best_row(self) -> dict[str, Any] | None:
        return self.trial_row((self.report or {}).get("best_trial"))

    def open_selected(self) -> None:
        row = self.trial_row(self.selected_trial()) or self.best_row()
        if row is None or not row.get("run_dir"):
            self.show_error("No trial with a network to open yet (a trial that failed before "
                            "training has none).")
            return
        self.openTrialRequested.emit(dict(row))

    def train_best(self) -> None:
        row = self.best_row()
        if row is None or not row.get("run_dir"):
            self.show_error("No trial has completed yet, so there is no best one to train.")
            return
        self.trainBestRequested.emit(dict(row))

    def _selection_changed(self) -> None:
        self.plots.highlight(self.selected_trial())
        maximize = direction(((self.report or {}).get("objectives") or ["val_accuracy"])[0]) \
            == "maximize"
        self.plots.show_report(self.report, maximize)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self.state == "idle" and self.process is not None
        has_trials = bool(self.report and self.report.get("n_trials"))
        self.start_button.setEnabled(idle and not has_trials)
        self.resume_button.setEnabled(idle and has_trials)
        self.stop_button.setEnabled(self.state != "idle")
        has_best = bool(self.report and self.report.get("best_run_dir"))
        self.train_button.setEnabled(has_best)
        self.open_button.setEnabled(has_trials)

    def shutdown(self) -> None:
        """Stop reading (the search process itself goes on); safe to call twice."""
        self.timer.stop()
        self._closed = True
        reader, self._reader, self._future = self._reader, None, None
        if reader is not None:
            self._executor.submit(reader.close)
        self._executor.shutdown(wait=True, cancel_futures=True)


def _file_signature(path: Path) -> tuple:
    """The study file's and its write-ahead log's (size, mtime): a change means new data."""
    out = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            stat = file.stat()
            out.append((stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _timed_read(reader: StudyReader, importance: ImportanceCache | None = None
                ) -> tuple[dict[str, Any] | None, float]:
    """Read the study and (on this same background thread) add its parameter importance."""
    started = time.perf_counter()
    report = reader.read()
    if report is not None and importance is not None:
        try:
            importance.attach(reader.last_study, report)
        except Exception as exc:  # importance is an extra: the trials still show
            report["importance"] = {"ranked": [], "problem": str(exc).splitlines()[0]
                                    if str(exc) else type(exc).__name__}
    return report, (time.perf_counter() - started) * 1000


def workers_summary(workers: int) -> str:
    """How the trials train: '1 worker' or 'N workers, T torch threads each'."""
    from workbench.search.workers import worker_threads

    if workers <= 1:
        return "1 worker"
    return f"{workers} workers, {worker_threads(workers)} torch thread(s) each"


def _combo(items: tuple[str, ...], current: str, tip: str) -> QtWidgets.QComboBox:
    combo = QtWidgets.QComboBox()
    combo.addItems(list(items))
    combo.setCurrentText(current)
    combo.setToolTip(tip)
    return combo
