"""``workbench train``: train a project file or bundled example from the command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import typing
from pathlib import Path
from typing import Any, TextIO

from workbench.commands.train_init import apply_init_flags, check_init_settings, given_init_flags
from workbench.experiment import RunRequest, RunSetupError, execute_run
from workbench.paths import default_project_dir, find_example
from workbench.project import ProjectError, load_project
from workbench.train.callbacks import Callback


def register(subparsers: Any) -> None:
    """Add ``train`` with its flags (one per training setting, the CSV options) to
    ``subparsers``."""
    train = subparsers.add_parser("train",
                                  help="train a network from a project file or an example")
    train.add_argument("project_file", nargs="?",
                       help="a *.wbproj.json file or the name of a bundled example "
                            "(mlp_digits, cnn_digits, resnet_small, tabular_csv, "
                            "regression_diabetes)")
    train.add_argument("--project", metavar="DIR",
                       help="project folder that receives the run (default: ./workbench-project)")
    train.add_argument("--dataset", metavar="NAME", help="use this dataset instead")
    train.add_argument("--data-path", metavar="PATH",
                       help="file or folder for csv / image_folder / npz datasets")
    train.add_argument("--target", metavar="COLUMN",
                       help="target column of a CSV dataset (default: the last column)")
    _add_csv_flags(train)
    _add_image_flags(train)
    train.add_argument("--config", metavar="FILE",
                       help="JSON file with training settings (and optionally 'dataset')")
    train.add_argument("--resume", metavar="RUN_DIR",
                       help="continue a stopped or killed run from its last checkpoint, "
                            "exactly as configured; --epochs N extends it")
    train.add_argument("--allow-changed-data", action="store_true",
                       help="with --resume: continue even though the run's data file changed "
                            "(recorded in the run's events.jsonl)")
    train.add_argument("--name", help="name for the run folder (default: the project's name)")
    train.add_argument("--json", action="store_true",
                       help="print one JSON object with the results instead of progress")
    _add_train_config_flags(train)
    _add_init_flags(train)
    train.set_defaults(handler=run_train)


def _add_train_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field (``--early-stopping 5``, ``--nesterov/--no-nesterov``)."""
    from workbench.train.config import TrainConfig

    group = parser.add_argument_group("training settings (override the project's)")
    hints = typing.get_type_hints(TrainConfig)
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        kind = hints.get(field.name, str)
        if (field.metadata or {}).get("section") or kind not in (int, float, bool, str):
            continue   # nested sections (init, objective) have flags of their own
        help_text = field.metadata.get("help", "") if field.metadata else ""
        if kind is bool:
            group.add_argument(flag, dest=field.name, action=argparse.BooleanOptionalAction,
                               default=None, help=help_text or None)
        else:
            caster = kind if kind in (int, float, str) else str
            group.add_argument(flag, dest=field.name, type=caster, default=None,
                               metavar=field.name.upper(), help=help_text or None)


def _add_init_flags(parser: argparse.ArgumentParser) -> None:
    """Transfer learning (training["init"]) and the objective (training["objective"])."""
    group = parser.add_argument_group("start from another run (transfer learning)")
    group.add_argument("--init-from", dest="init_from", metavar="RUN_DIR",
                       help="load the layers that match by node id (and shape) from this "
                            "run's best weights, else its latest checkpoint")
    group.add_argument("--layers", dest="init_layers", metavar="A,B",
                       help="with --init-from: load only these node ids")
    group.add_argument("--freeze", dest="init_freeze", metavar="A,B",
                       help="node ids whose parameters are not trained (frozen BatchNorm "
                            "layers keep their statistics too)")
    group.add_argument("--freeze-until", dest="init_freeze_until", metavar="NODE",
                       help="freeze every node up to and including NODE")
    group.add_argument("--reset-head", dest="init_reset_head", action="store_true",
                       default=None, help="do not load the layer feeding the Output")
    group.add_argument("--lr-scale", dest="init_lr_scale", type=float, metavar="X",
                       help="learning-rate multiplier for the loaded layers")
    group.add_argument("--unfreeze-every", dest="init_unfreeze_every", type=int, metavar="N",
                       help="gradual unfreezing: every N epochs unfreeze the frozen layer "
                            "nearest the output")
    group.add_argument("--objective", dest="objective_kind", metavar="KIND",
                       help="training objective by name (default: supervised)")


def _add_csv_flags(parser: argparse.ArgumentParser) -> None:
    """How to read a CSV dataset; each flag sets the dataset option of the same name."""
    group = parser.add_argument_group("reading a CSV dataset (override the project's options)")
    group.add_argument("--delimiter", metavar="CHAR",
                       help="field delimiter: auto (default, detected), ',', ';', tab, space")
    group.add_argument("--skip-rows", dest="skip_rows", type=int, metavar="N",
                       help="lines to skip before the header (comments, titles)")
    group.add_argument("--columns", metavar="A,B,C",
                       help="the file has no header row; these are its column names")
    group.add_argument("--task", choices=("auto", "classification", "regression"),
                       help="what the target is; auto (default) infers it from its values")
    group.add_argument("--missing-indicator", dest="missing_indicator",
                       action=argparse.BooleanOptionalAction, default=None,
                       help="add a 0/1 '<column>_missing' input per numeric column with "
                            "missing cells")
    group.add_argument("--exclude", metavar="A,B",
                       help="columns kept out of the model's inputs (still usable as groups "
                            "in 'workbench explain --group')")


def _add_image_flags(parser: argparse.ArgumentParser) -> None:
    """How to read an image folder; each flag sets the dataset option of the same name."""
    group = parser.add_argument_group("reading an image folder (override the project's options)")
    group.add_argument("--bad-images", dest="bad_images", choices=("fail", "skip"),
                       help="a file that is not a readable image: fail (default, naming it) or "
                            "skip it (counted and listed in the load report)")
    group.add_argument("--image-size", dest="size", type=_image_size, metavar="H[,W]",
                       help="decode images at this size (default: the network's input size, "
                            "else the first image's)")
    group.add_argument("--grayscale", action=argparse.BooleanOptionalAction, default=None,
                       help="read images as one channel (default: RGB)")


def _image_size(text: str) -> list[int]:
    parts = [p.strip() for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (1, 2) or not all(1 <= v <= 4096 for v in values):
        raise argparse.ArgumentTypeError(f"expected H or H,W in pixels (1-4096), found {text!r}")
    return values * 2 if len(values) == 1 else values


def _fail(message: str, as_json: bool) -> int:
    """Exit code 2 with the message on one stderr line (a list of problems joined)."""
    if as_json:
        print(json.dumps({"error": message}))
    print(f"workbench train: {' '.join(message.split())}", file=sys.stderr)
    return 2


def resolve_project_file(name: str) -> Path:
    """A path to a project file, or the bundled example of that name."""
    path = Path(name)
    if path.exists():
        return path
    example = find_example(name)
    if example is not None:
        return example
    raise ProjectError(f"{name}: no such project file, and no bundled example of that name "
                       f"(examples: mlp_digits, cnn_digits, resnet_small, tabular_csv, "
                       f"regression_diabetes)")


def flag_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """TrainConfig fields given on the command line."""
    from workbench.train.config import TrainConfig

    return {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)
            if not (f.metadata or {}).get("section") and getattr(args, f.name, None) is not None}


def read_config_file(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such config file") from None
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError:
        raise ProjectError(f"{path}: JSON nested too deeply to be a config file") from None
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a JSON object of training settings, found "
                           f"{type(data).__name__}")
    for key in ("training", "dataset"):
        if key in data and not isinstance(data[key], dict):
            raise ProjectError(f"{path}: '{key}' must be a JSON object, found "
                               f"{type(data[key]).__name__}")
    return data


CSV_FLAGS = {"delimiter": "--delimiter", "skip_rows": "--skip-rows", "columns": "--columns",
             "task": "--task", "missing_indicator": "--missing-indicator",
             "exclude": "--exclude"}


IMAGE_FLAGS = {"bad_images": "--bad-images", "size": "--image-size", "grayscale": "--grayscale"}


def apply_data_flags(dataset: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The dataset settings with --data-path, --target, the CSV and the image-folder flags
    applied."""
    given = {key: getattr(args, key) for key in CSV_FLAGS if getattr(args, key, None) is not None}
    images = {key: getattr(args, key) for key in IMAGE_FLAGS
              if getattr(args, key, None) is not None}
    if images and dataset.get("name") != "image_folder":
        flags = ", ".join(IMAGE_FLAGS[key] for key in images)
        raise ProjectError(f"{flags}: only for image_folder datasets; the dataset is "
                           f"'{dataset.get('name')}' (use --dataset image_folder --data-path "
                           f"DIR)")
    if images:
        dataset = {**dataset, "options": {**(dataset.get("options") or {}), **images}}
    if not (given or getattr(args, "data_path", None) or getattr(args, "target", None)):
        return dataset
    options = dict(dataset.get("options") or {})
    if getattr(args, "data_path", None):
        options["path"] = str(Path(args.data_path).resolve())
    if getattr(args, "target", None):
        options["target"] = args.target
    if given and dataset.get("name") != "csv":
        flags = ", ".join(CSV_FLAGS[key] for key in given)
        raise ProjectError(f"{flags}: only for csv datasets; the dataset is "
                           f"'{dataset.get('name')}' (use --dataset csv --data-path FILE)")
    options.update(given)
    return {**dataset, "options": options}


def build_request(args: argparse.Namespace) -> RunRequest:
    """Project file < --config file < flags."""
    project = load_project(resolve_project_file(args.project_file))
    dataset = project.resolved_dataset()
    training = dict(project.training)
    if args.config:
        config = read_config_file(args.config)
        if isinstance(config.get("dataset"), dict):
            dataset = dict(config.pop("dataset"))
        training.update(config.get("training", config))
    if args.dataset:
        dataset = {"name": args.dataset, "options": {}}
    dataset = apply_data_flags(dataset, args)
    training.update(flag_overrides(args))
    project_dir = Path(args.project) if args.project else default_project_dir()
    training = apply_init_flags(training, args, project_dir)
    check_init_settings(project.graph, training)
    request = RunRequest.freeze(project.graph, dataset, training, project_dir.resolve(),
                                name=args.name or project.name)
    if dataset != project.resolved_dataset():
        # a swapped dataset (flag or config file): fit the input and classifier head to it
        request = dataclasses.replace(request, fit_head=True)
    return request


def request_from_run(run_dir: str) -> RunRequest:
    """The frozen request a run was started with (for --resume), with its saved
    preprocessing, so the resumed run sees exactly the inputs it was trained on."""
    from workbench.runs.run_store import RunStore

    run = RunStore.open(run_dir)
    cfg = run.config
    saved = cfg.get("preprocessing")
    return RunRequest(graph=cfg["graph"], dataset=cfg["dataset"], training=cfg["training"],
                      project_dir=str(Path(run_dir).resolve().parent.parent),
                      name=Path(run_dir).name,
                      preprocessing=saved if isinstance(saved, dict) and saved else None)


# The one setting a resumed run may change: how many epochs it runs in total (to extend it).
RESUME_SETTABLE = ("epochs",)
_RUN_DEFINING_ARGS = ("project_file", "dataset", "data_path", "target", "config", "name",
                      "project")


def resume_request(args: argparse.Namespace) -> tuple[RunRequest, list[str]]:
    """(request to continue ``args.resume``, notes for the user).

    ``--epochs N`` extends (or shortens) the run; every other setting would make the resumed
    run a different run, so such flags are ignored and named in a note. Raises ProjectError
    when the data changed (unless ``--allow-changed-data``) or ``--epochs`` is below the
    epochs already trained.
    """
    from workbench.run_model import DataChangedError, check_run_data
    from workbench.runs.run_store import RunStore
    from workbench.train.config import TrainConfig
    from workbench.train.schedules import check_resume_epochs

    request = request_from_run(args.resume)
    run = RunStore.open(args.resume)
    notes: list[str] = []
    try:
        allowed = check_run_data(run, getattr(args, "allow_changed_data", False), "resume")
    except DataChangedError as exc:
        raise ProjectError(str(exc)) from exc
    if allowed:
        notes.append(f"resuming on changed data ({allowed['subject']}), as allowed; recorded "
                     f"in the run's events.jsonl")
    overrides = flag_overrides(args)
    ignored = [f"--{k.replace('_', '-')}" for k in overrides if k not in RESUME_SETTABLE]
    ignored += [("PROJECT_FILE" if a == "project_file" else f"--{a.replace('_', '-')}")
                for a in _RUN_DEFINING_ARGS if getattr(args, a, None)]
    ignored += given_init_flags(args)
    if ignored:
        notes.append(f"ignored with --resume: {', '.join(ignored)} (a resumed run keeps its "
                     f"own settings and data; only --epochs may change, to extend it)")
    epochs = overrides.get("epochs")
    done = run.checkpoints()
    trained = done[-1] + 1 if done else 0
    if epochs is None and trained >= int(request.training.get("epochs", 0)):
        notes.append(f"the run already trained all its {trained} epochs; nothing to continue "
                     f"(extend it with --epochs N)")
    if epochs is not None and epochs != request.training.get("epochs"):
        if epochs < trained:
            raise ProjectError(f"--epochs {epochs}: the run already trained {trained} epochs; "
                               f"give at least {trained}")
        try:  # cosine/polynomial decay would change shape over another total: refused
            check_resume_epochs(TrainConfig.from_dict(request.training), epochs)
        except ValueError as exc:
            raise ProjectError(str(exc)) from exc
        old = request.training.get("epochs")
        request = dataclasses.replace(request, training={**request.training, "epochs": epochs})
        notes.append(f"epochs: {old} -> {epochs} (recorded in the run's config.json)")
    return request, notes


def saved_data_report(run_dir: Any) -> dict[str, Any]:
    """What loading the data decided, as the run's config.json records it ({} if absent)."""
    try:
        config = json.loads((Path(run_dir) / "config.json").read_text(encoding="utf-8"))
    except (TypeError, OSError, ValueError):
        return {}
    report = config.get("data_report") if isinstance(config, dict) else None
    return report if isinstance(report, dict) else {}


class DataReportPrinter(Callback):
    """At the start of a run, says which target, task, delimiter, drops and imputations the
    data loading chose (from the run's config.json, so the terminal shows what was saved)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def on_event(self, event: object) -> None:
        from workbench.data.load_report import report_lines
        from workbench.train.events import RunStarted

        if isinstance(event, RunStarted):
            report = saved_data_report(event.run_dir)
            if report:
                self.stream.write("".join(f"data: {line}\n" for line in report_lines(report)))
                self.stream.flush()


def _epochs_or_none(value: Any) -> int | None:
    """The epoch count for the progress bar; None when the setting is not a number (the
    run's settings check then refuses it with a message)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def run_train(args: argparse.Namespace) -> int:
    from workbench.commands.progress import InitReportRecorder, ProgressPrinter, format_summary

    try:
        if args.resume:
            request, notes = resume_request(args)
            for note in notes:
                print(f"workbench train: {note}", file=sys.stderr)
        elif not args.project_file:
            return _fail("give a project file or example name, or --resume RUN_DIR", args.json)
        else:
            request = build_request(args)
    except (ProjectError, OSError, ValueError, KeyError) as exc:
        return _fail(str(exc), args.json)
    callbacks = [] if args.json else [
        ProgressPrinter(total_epochs=_epochs_or_none(request.training.get("epochs", 20))),
        DataReportPrinter()]
    recorder = InitReportRecorder()
    try:
        summary = execute_run(request, callbacks=[*callbacks, recorder],
                              resume_dir=args.resume)
    except RunSetupError as exc:
        return _fail(str(exc), args.json)
    except KeyboardInterrupt:
        print("\ninterrupted: the run folder keeps its last checkpoint; continue with "
              "`workbench train --resume RUN_DIR`", file=sys.stderr)
        return 130
    if args.json:
        report = saved_data_report(summary.get("run_dir"))
        init = {"init": recorder.report} if recorder.report else {}
        print(json.dumps({**summary, **({"data_report": report} if report else {}), **init},
                         default=str))
    else:
        print(format_summary(summary))
    return 0 if summary.get("stopped_reason") != "nan" else 1
