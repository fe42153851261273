"""One trial of a search: the objective Optuna calls (sample, validate, train, report), and
what a trial records about itself (its ``"trial"`` user attribute, read by ``trial_attrs``).

A trial that reaches a verdict (a value, pruned, or failed by its own problem) writes the
``"trial"`` attribute (``budget.VERDICT_ATTR``) before it ends: that is what makes a FAILED
trial count toward the trial budget. Every trial also writes its ``"worker"`` tag (host:pid)
as soon as its sample is drawn, together with the sample in one transaction (a worker
process: before sampling, so its parent can fail the trial if it dies), so a resumed study
settles the trial of a killed process at once (``budget.settle_stale``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from workbench.search.settings import SearchSettings

# what a trial records (the "trial" user attribute); older studies: one attribute each
TRIAL_KEYS = ("worker", "total_params", "run_dir", "epochs_run", "stopped_reason", "problem")


class TrialFailed(Exception):
    """A trial that could not produce a value (invalid sample, a setup problem, NaN, a crash
    in training); Optuna records it FAILED and the study goes on."""


class TrialObjective:
    """The function Optuna calls per trial: sample, validate, train, report, return values.

    The ``"worker"`` tag is written with the sample (one commit), or with ``tag_at_start``
    as the trial starts (a worker process: its parent fails a dead worker's RUNNING trials by
    that tag, even one killed while it samples), one more commit.
    """

    def __init__(self, project: Any, space: Any, settings: SearchSettings,
                 tag_at_start: bool = False) -> None:
        self.project, self.space, self.settings = project, space, settings
        self.dataset = project.resolved_dataset()
        self.tag_at_start = tag_at_start
        self.loaded: Any = None  # the dataset, loaded by the first trial that needs it

    def __call__(self, trial: Any) -> Any:
        from workbench.experiment import RunRequest, RunSetupError, execute_run, load_run_dataset
        from workbench.search import optuna_internals as internals
        from workbench.search.pruning import TrialPruningCallback
        from workbench.search.sampling import InvalidSample, sample
        from workbench.train.callbacks import RunControl
        from workbench.train.config import TrainConfig

        settings, primary = self.settings, self.settings.objectives[0]
        info: dict[str, Any] = {"worker": worker_tag()}  # whose trial
        if self.tag_at_start:
            trial.set_user_attr("worker", info["worker"])  # a dead worker's: failed
        try:
            drawn = sample(trial, self.project.graph, self.project.training, self.space)
        except InvalidSample as exc:
            fail(trial, str(exc), info)
        if not self.tag_at_start:  # with the sample, in one commit (a TrialWriteBatcher)
            trial.set_user_attr("worker", info["worker"])
        else:
            written = getattr(trial.storage, "flush", None)  # trial_writes.TrialWriteBatcher
            if written is not None:  # the sample in one commit: shown (and kept) while it trains
                written(internals.trial_id_of(trial))
        info["total_params"] = drawn.total_params
        training = dict(drawn.training)
        monitors = TrainConfig.__dataclass_fields__["monitor"].metadata.get("choices", ())
        if "monitor" not in training and primary in monitors:
            training["monitor"] = primary  # best weights and summary at the best objective
        request = RunRequest(graph=drawn.graph.to_dict(), dataset=self.dataset,
                             training=training, project_dir=settings.project_dir,
                             name=f"{settings.study}-trial{trial.number}",
                             lineage={"relation": "trial-of", "study": settings.study,
                                      "trial": trial.number})
        control = RunControl()
        pruning = TrialPruningCallback(trial, primary, control,
                                       report=len(settings.objectives) == 1)
        try:
            if self.loaded is None:  # same spec for every trial: loaded once, shared
                self.loaded = load_run_dataset(request)
            summary = execute_run(request, [pruning], control, dataset=self.loaded)
        except RunSetupError as exc:
            fail(trial, f"the sample cannot train: {' '.join(str(exc).split())}", info)
        except Exception as exc:  # OOM, a layer's error: recorded, the study goes on
            fail(trial, f"training failed: {type(exc).__name__}: {exc}", info)
        info.update(run_dir=summary.get("run_dir"), epochs_run=summary.get("epochs_run"),
                    stopped_reason=summary.get("stopped_reason"))
        if pruning.pruned_at is not None:
            mark_pruned(summary)
            trial.set_user_attr("trial", {**info, "stopped_reason": "pruned"})
            import optuna

            raise optuna.TrialPruned(f"pruned after epoch {pruning.pruned_at + 1}")
        if summary.get("stopped_reason") == "nan":
            fail(trial, "the loss became NaN/Inf during training", info)
        values = []
        for name in settings.objectives:
            value = drawn.total_params if name == "params" else summary.get(name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                fail(trial, f"the run has no {name} value (found {value!r})", info)
            values.append(float(value))
        trial.set_user_attr("trial", info)
        return values[0] if len(values) == 1 else values


def worker_tag() -> str:
    """``host:pid`` of this process: which worker runs a trial."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def fail(trial: Any, problem: str, info: dict[str, Any] | None = None) -> NoReturn:
    """Record ``problem`` (with what ``info`` holds) on the trial and end it FAILED."""
    trial.set_user_attr("trial", {**(info or {}), "problem": problem})
    raise TrialFailed(problem)


def trial_attrs(trial: Any) -> dict[str, Any]:
    """What the trial recorded (``TRIAL_KEYS``): its ``"trial"`` attribute over the separate
    attributes of older studies (and the ``"problem"`` a parent writes for a dead worker)."""
    attrs = trial.user_attrs
    recorded = attrs.get("trial")
    return {**{k: attrs[k] for k in TRIAL_KEYS if k in attrs},
            **(recorded if isinstance(recorded, dict) else {})}


def mark_pruned(summary: dict[str, Any]) -> None:
    """The run's summary.json says stopped_reason "pruned" (where the trainer wrote "stopped")."""
    if summary.get("stopped_reason") == "pruned" or not summary.get("run_dir"):
        return
    from workbench.runs.run_store import RunStore

    summary["stopped_reason"] = "pruned"
    run = RunStore.open(summary["run_dir"])
    run.write_summary({**(run.read_summary() or {}), "stopped_reason": "pruned"})


def trial_row(trial: Any) -> dict[str, Any]:
    """One trial for tables and --json: number, state, values, params, run, problem."""
    attrs = trial_attrs(trial)
    return {"number": trial.number, "state": trial.state.name.lower().replace("fail", "failed"),
            "values": trial.values, "params": trial.params, "run_dir": attrs.get("run_dir"),
            "epochs_run": attrs.get("epochs_run"), "problem": attrs.get("problem")}
