"""The ``workbench`` command. With no subcommand it opens the desktop app.

Subcommands: ``train``, ``runs``, ``eval``, ``export``, ``gui``. Everything they do goes through
the same core calls the app makes. Qt is imported only by ``gui`` (lazily).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import typing
from collections.abc import Sequence


def _add_train_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field (``--early-stopping 5``, ``--nesterov/--no-nesterov``)."""
    from workbench.train.config import TrainConfig

    group = parser.add_argument_group("training settings (override the project's)")
    hints = typing.get_type_hints(TrainConfig)
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        kind = hints.get(field.name, str)
        help_text = field.metadata.get("help", "") if field.metadata else ""
        if kind is bool:
            group.add_argument(flag, dest=field.name, action=argparse.BooleanOptionalAction,
                               default=None, help=help_text or None)
        else:
            caster = kind if kind in (int, float, str) else str
            group.add_argument(flag, dest=field.name, type=caster, default=None,
                               metavar=field.name.upper(), help=help_text or None)


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Deep-learning experiment workbench. Without a subcommand, opens the app.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("file", nargs="?", help="a project file to open")

    train = sub.add_parser("train", help="train a network from a project file or an example")
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

    runs = sub.add_parser("runs", help="list the runs of a project folder")
    runs.add_argument("project_dir", nargs="?", default=None,
                      help="project folder (default: ./workbench-project)")
    runs.add_argument("--json", action="store_true")

    ev = sub.add_parser("eval", help="evaluate a run's best weights on a split")
    ev.add_argument("run_dir")
    ev.add_argument("--split", choices=("val", "test", "train"), default="val",
                    help="'test' is the one explicit, recorded look at the test split")
    ev.add_argument("--allow-changed-data", action="store_true",
                    help="evaluate even though the run's data changed since training "
                         "(recorded in the run's events.jsonl)")
    ev.add_argument("--json", action="store_true")

    try:
        from workbench.export.cli_command import add_export_parser
    except ImportError:  # pragma: no cover - export is part of the distribution
        pass
    else:
        add_export_parser(sub)
    return parser


def console_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: load plugins, then run :func:`main`.

    Plugins are loaded here, not in ``main``, so that calling ``main`` in-process (tests,
    scripts) leaves the global registries as it found them; such callers call
    ``workbench.plugins.load_plugins()`` themselves when they need plugin layers.
    """
    from workbench.plugins import load_plugins_reporting

    load_plugins_reporting()
    return main(argv)


def expected_errors() -> tuple[type[BaseException], ...]:
    """Problems with the user's files, data or settings: exit code 2, one line, no traceback.

    Anything else escaping a command is a bug in the Workbench: exit code 1 with the traceback.
    """
    from workbench.data.errors import DataError
    from workbench.experiment import RunSetupError
    from workbench.graph.spec import SpecError
    from workbench.graph.validation import GraphError
    from workbench.project import ProjectError
    from workbench.runs.file_checks import RunFileError

    return (RunFileError, RunSetupError, DataError, ProjectError, SpecError, GraphError, OSError)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the subcommand (no plugin loading; see :func:`console_main`).

    Exit codes: 0 done, 2 an expected problem (bad file, data or settings; one line on
    stderr, or ``{"error": ...}`` on stdout with ``--json``), 1 a bug (the traceback), 130
    interrupted.
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].endswith(".json") and not argv[0].startswith("-"):
        argv = ["gui", *argv]  # `workbench my_net.wbproj.json` opens it in the app
    args = parser.parse_args(argv)
    command = args.command or "gui"
    try:
        return _run_command(parser, args, command)
    except expected_errors() as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        if getattr(args, "json", False):
            print(json.dumps({"error": message}))
        print(f"workbench {command}: {message}", file=sys.stderr)
        return 2


def _run_command(parser: argparse.ArgumentParser, args: argparse.Namespace,
                 command: str) -> int:
    if command == "gui":
        from workbench.plugins import find_gui

        run_app = find_gui()
        if run_app is None:
            print("workbench: the desktop app is not installed (no 'workbench.gui' entry "
                  "point); the train, runs, eval and export commands work without it",
                  file=sys.stderr)
            return 2
        file_arg = getattr(args, "file", None)
        return run_app([sys.argv[0]] + ([file_arg] if file_arg else []))
    if command == "train":
        from workbench.commands.train import run_train

        return run_train(args)
    if command == "runs":
        from workbench.commands.runs import run_list

        return run_list(args)
    if command == "eval":
        from workbench.commands.evaluate import run_eval

        return run_eval(args)
    if command == "export":
        from workbench.export.cli_command import run_export

        return run_export(args)
    parser.error(f"unknown command {command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(console_main())
