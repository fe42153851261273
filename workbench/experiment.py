"""One training run from frozen inputs: the call both the CLI and the app's worker make.

``RunRequest`` freezes everything a run needs (graph, dataset spec, training config, where the
run goes) before any work starts; ``execute_run`` loads the data, checks the graph against it,
creates the run folder, snapshots the config and trains.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.graph.edits import fit_io
from workbench.graph.spec import GraphSpec
from workbench.train.callbacks import Callback


class RunSetupError(ValueError):
    """The run cannot start: bad dataset, invalid graph, bad settings. Message is for people.

    ``problems`` holds the graph problems (with node ids, for the editor's badges) when the
    network does not fit the data; empty otherwise.
    """

    def __init__(self, message: str, problems: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class RunRequest:
    """Everything a training run needs, frozen when the user presses Train."""

    graph: dict[str, Any]
    dataset: dict[str, Any]
    training: dict[str, Any]
    project_dir: str
    name: str = "run"
    fit_head: bool = False  # also resize the Linear feeding the Output to the class count
    extra: dict[str, Any] = field(default_factory=dict)
    # a resumed run's saved preprocessing: applied as it is, never fitted again
    preprocessing: dict[str, Any] | None = None
    # where the run comes from (workbench.runs.lineage.Lineage as a dict); None: a root run,
    # or fine-tuned-from the run that the training settings' init.from_run names
    lineage: dict[str, Any] | None = None

    @classmethod
    def freeze(cls, graph: GraphSpec, dataset: dict[str, Any], training: dict[str, Any],
               project_dir: str | Path, name: str = "run") -> RunRequest:
        return cls(graph=copy.deepcopy(graph.to_dict()), dataset=copy.deepcopy(dataset),
                   training=copy.deepcopy(training), project_dir=str(project_dir), name=name)


def fit_graph_to_dataset(spec: GraphSpec, input_shape: Iterable[int], input_dtype: str,
                         num_classes: int, fit_head: bool = False,
                         task: str = "classification") -> GraphSpec:
    """A copy of ``spec`` whose Input takes the dataset's shape and whose Output its classes
    (or, for a regression ``task``, its ``num_classes`` target values as ``num_outputs``).

    With ``fit_head``, a Linear layer feeding the Output directly is resized to the number of
    classes too (used when the command line swaps the dataset under a finished network).
    """
    fitted = spec.copy()
    if fit_head:
        heads = {e.src for e in fitted.edges
                 if any(n.id == e.dst and n.type == "Output" for n in fitted.nodes)}
        for node in fitted.nodes:
            if node.id in heads and node.type == "Linear":
                node.params = {**node.params, "out_features": int(num_classes)}
    fit_io(fitted, input_shape, input_dtype, num_classes, task)
    return fitted


def dataset_spec_from_dict(data: dict[str, Any]) -> Any:
    """A DatasetSpec from a project's or run's dataset section."""
    from workbench.data import DatasetSpec

    return DatasetSpec.from_dict(data)


def describe_problems(problems: Iterable[Any]) -> str:
    return "\n".join(
        f"  - {p.message}" for p in problems if getattr(p, "severity", "error") == "error")


def load_run_dataset(request: RunRequest, callbacks: Iterable[Any] = (),
                     control: Any = None) -> Any:
    """The request's dataset loaded (preprocessing fitted on its training split, or the
    request's saved preprocessing applied); RunSetupError for bad dataset settings.

    A long decode (an image folder's first load) reports :class:`DataProgress` events to
    ``callbacks`` and stops when ``control`` asks for a stop (nothing is kept then)."""
    from workbench.data import DataError, load_dataset
    from workbench.train.events import DataProgress

    if not request.dataset.get("name"):
        raise RunSetupError("no dataset chosen: the project names none and --dataset was not "
                            "given")
    listeners = list(callbacks)

    def progress(p: Any) -> None:
        event = DataProgress(p.done, p.total, p.per_second, p.seconds_left, p.stage)
        for callback in listeners:
            callback.on_event(event)

    def cancel() -> bool:
        return bool(control is not None and control.stop_requested)

    _decode_at_input_size(request)
    try:
        return load_dataset(dataset_spec_from_dict(request.dataset),
                            preprocessing=request.preprocessing, progress=progress,
                            cancel=cancel)
    except DataError as exc:
        raise RunSetupError(str(exc)) from exc
    except (TypeError, KeyError) as exc:
        raise RunSetupError(f"dataset settings: {exc}") from exc


def _decode_at_input_size(request: RunRequest) -> None:
    """An image folder without option 'size' is decoded at the network's input size (its
    Input's H x W), written into the request's dataset options so the run records it."""
    options = request.dataset.get("options") or {}
    if request.dataset.get("name") != "image_folder" or "size" in options \
            or request.preprocessing is not None:
        return
    shape = next((n.get("params", {}).get("shape") for n in request.graph.get("nodes", [])
                  if n.get("type") == "Input"), None)
    if isinstance(shape, (list, tuple)) and len(shape) == 3 \
            and all(isinstance(d, int) and d > 0 for d in shape):
        request.dataset["options"] = {**options, "size": [int(shape[1]), int(shape[2])]}


def prepare(request: RunRequest, dataset: Any = None, callbacks: Iterable[Any] = (),
            control: Any = None) -> tuple[GraphSpec, Any, Any]:
    """Load the dataset, fit the graph to it, validate, and build the TrainConfig.

    ``dataset``: the request's dataset already loaded (``load_run_dataset``, e.g. once for
    all the trials of a search); it is used as it is, the request's dataset spec unread.
    """
    from workbench.graph.shape_inference import analyze
    from workbench.train.config import TrainConfig

    try:
        config = TrainConfig.from_dict(request.training)
    except (TypeError, ValueError) as exc:
        raise RunSetupError(f"training settings: {exc}") from exc
    if dataset is None:
        dataset = load_run_dataset(request, callbacks, control)
    dataset_name = request.dataset.get("name") or dataset.name
    config = _fit_config_to_task(config, dataset, dataset_name)
    spec = fit_graph_to_dataset(GraphSpec.from_dict(request.graph), dataset.input_shape,
                                dataset.input_dtype, dataset.num_classes, request.fit_head,
                                dataset.task)
    analysis = analyze(spec)
    if not analysis.ok:
        outputs = (f"{dataset.num_classes} target value(s)" if dataset.task == "regression"
                   else f"{dataset.num_classes} classes")
        raise RunSetupError(
            f"the network does not fit dataset '{dataset_name}' (inputs "
            f"{tuple(dataset.input_shape)}, {outputs}):\n"
            + describe_problems(analysis.problems), analysis.errors)
    _refuse_misfit_or_oversize(spec, dataset, config, dataset_name, analysis)
    return spec, dataset, config


def _refuse_misfit_or_oversize(spec: GraphSpec, dataset: Any, config: Any, name: str,
                               analysis: Any) -> None:
    """RunSetupError when the data's values do not fit the network (token ids past an
    Embedding, labels past the head, wrong dtype, NaN inputs) or training would not fit in
    memory; both checked before anything is allocated or written."""
    from workbench.graph.data_fit import check_data_fits
    from workbench.train.device import select_device
    from workbench.train.memory_estimate import training_memory_problem

    misfits = check_data_fits(spec, dataset, analysis)
    if misfits:
        raise RunSetupError(f"the network does not fit dataset '{name}': "
                            + "; ".join(p.message for p in misfits), misfits)
    try:
        device = select_device(config.device)
    except ValueError as exc:
        raise RunSetupError(f"training settings: {exc}") from exc
    too_large = training_memory_problem(spec, config, device, dataset, analysis)
    if too_large:
        raise RunSetupError(too_large)


def _fit_config_to_task(config: Any, dataset: Any, name: str) -> Any:
    """The config with loss 'auto' made concrete, or a RunSetupError when it does not fit the
    dataset's task (a regression loss on classes, accuracy monitored on a regression)."""
    import dataclasses

    from workbench.train.losses import resolve_loss
    from workbench.train.task_metrics import settings_error

    problem = settings_error(config, dataset.task)
    if problem:
        raise RunSetupError(f"dataset '{name}' is a {dataset.task} task: {problem}")
    from workbench.data.augment import augment_problem

    problem = augment_problem(config.augment, dataset)  # hflip on a CSV, noise on images...
    if problem:
        raise RunSetupError(problem)
    return dataclasses.replace(config, loss=resolve_loss(config.loss, dataset.task))


def execute_run(request: RunRequest, callbacks: Iterable[Any] = (), control: Any = None,
                resume_dir: str | Path | None = None, dataset: Any = None) -> dict[str, Any]:
    """Train as the request says and return the run summary. ``dataset``: the request's
    dataset already loaded (``prepare``), not loaded again."""
    from workbench.run_model import record_fingerprint
    from workbench.runs.run_store import RunStore
    from workbench.train.trainer import Trainer

    lineage = request_lineage(request)
    spec, dataset, config = prepare(request, dataset, callbacks, control)
    if resume_dir is not None:
        run = RunStore.open(resume_dir)
        check_resumable(run)  # a damaged checkpoint: refused before anything is written
        if run.config.get("training") != config.to_dict():  # e.g. extended with --epochs
            run.save_config({**run.config, "training": config.to_dict()})
        callbacks = [*callbacks, ResumeRecorder(run)]
    else:
        run = RunStore.create(Path(request.project_dir), request.name)
        run.save_config(record_fingerprint({
            "graph": spec.to_dict(), "dataset": request.dataset, "training": config.to_dict(),
            "preprocessing": dataset.preprocessing, "class_names": list(dataset.class_names),
            "data_report": dataset.load_report, **request.extra,
            "lineage": lineage.stored_for(run.path).to_dict()}))
    try:
        trainer = Trainer(spec, dataset, config, run=run, callbacks=list(callbacks),
                          control=control)
        if resume_dir is not None:
            return trainer.resume()
        return trainer.fit()
    except Exception:
        if resume_dir is None:
            discard_if_unstarted(run)
        raise


def request_lineage(request: RunRequest) -> Any:
    """The request's checked Lineage: as given, else what the training settings imply
    (distilled-from the distillation objective's teacher, fine-tuned-from ``init.from_run``),
    else a root. RunSetupError for a malformed lineage or
    a parent run folder that does not exist."""
    from workbench.runs.lineage import Lineage

    data, source = request.lineage, "lineage: the parent"
    if data is None:
        data, source = _implied_lineage(request.training)
    try:
        lineage = Lineage.from_dict(data)
    except ValueError as exc:
        raise RunSetupError(str(exc)) from exc
    if lineage.parent:
        parent = Path(lineage.parent).expanduser()
        if not parent.is_absolute() and len(parent.parts) == 1 and \
                not parent.is_dir():  # a bare name: a run folder of this project
            parent = Path(request.project_dir) / "runs" / parent
        if not (parent / "config.json").is_file():
            raise RunSetupError(f"{source} must be a run folder (with config.json), found "
                                f"{str(parent)!r}")
        lineage = Lineage(parent=str(parent.resolve()), relation=lineage.relation,
                          study=lineage.study, trial=lineage.trial)
    return lineage


def _implied_lineage(training: Any) -> tuple[dict[str, Any], str]:
    """(lineage, where it came from) that the training settings imply: distilled-from the
    distillation objective's teacher, else fine-tuned-from ``init.from_run``, else a root."""
    training = training if isinstance(training, dict) else {}
    objective = training.get("objective")
    if isinstance(objective, dict) and objective.get("kind") == "distillation":
        options = objective.get("options")
        teacher = options.get("teacher_run") if isinstance(options, dict) else None
        if teacher:
            return ({"parent": teacher, "relation": "distilled-from"},
                    "training settings: objective.options.teacher_run")
    init = training.get("init")
    from_run = init.get("from_run") if isinstance(init, dict) else None
    if from_run:
        return {"parent": from_run, "relation": "fine-tuned-from"}, \
            "training settings: init.from_run"
    return {}, "training settings"


class ResumeRecorder(Callback):
    """A trainer callback that notes in events.jsonl, once the resumed training has started
    (checkpoint loaded), that the run was resumed in place: ``{"kind": "resumed",
    "from_epoch": <checkpoint epoch or null>, "start_epoch": N, "time": ...}``."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self.done = False

    def on_event(self, event: object) -> None:
        from datetime import datetime, timezone

        from workbench.train.events import RunStarted

        if self.done or not isinstance(event, RunStarted):
            return
        self.done = True
        start = event.start_epoch
        self.run.record_event({
            "kind": "resumed", "from_epoch": start - 1 if start > 0 else None,
            "start_epoch": start,
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds")})


def check_resumable(run: Any) -> None:
    """RunFileError naming the file when the newest checkpoint is damaged (checked by its
    headers and metadata, without loading the tensors)."""
    from workbench.runs.weights_file import WeightsFileError, read_header

    epochs = run.checkpoints()
    if not epochs:
        return
    latest = run.latest_checkpoint()  # reads and checks the metadata JSON
    assert latest is not None
    read_header(latest[0], run.path)
    state_file = latest[0].with_name(latest[0].stem + ".state.safetensors")
    if "extra.rng" not in read_header(state_file, run.path):
        raise WeightsFileError(f"{state_file} has no 'extra.rng' tensor (the random-number "
                               f"state a resume continues from): the checkpoint is incomplete")


def discard_if_unstarted(run: Any) -> None:
    """Remove a run folder whose start failed before any epoch or checkpoint was saved, so a
    failed start leaves no orphan folder (its message reaches the person instead)."""
    import shutil

    if run.checkpoints() or run.metrics.read():
        return
    shutil.rmtree(run.path, ignore_errors=True)
