"""The ``workbench`` command. With no subcommand it opens the desktop app.

Subcommands (each registered by its own module, see ``COMMAND_MODULES``): ``gui``,
``train``, ``runs``, ``eval``, ``export``, ``explain``, …. Everything they do goes through the
same core calls the app makes. Qt is imported only by ``gui`` (lazily).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

# Each module registers its own subcommand: ``register(subparsers)`` adds the parser and sets
# ``handler`` (a function of the parsed arguments returning the exit code). A new command is a
# new module added here; nothing else in this file changes.
COMMAND_MODULES = (
    "workbench.commands.gui",
    "workbench.commands.train",
    "workbench.commands.runs",
    "workbench.commands.evaluate",
    "workbench.export.cli_command",
    "workbench.commands.search",
    "workbench.commands.search_worker",
    "workbench.commands.quantize",
    "workbench.commands.prune",
    "workbench.commands.distill",
    "workbench.commands.compare",
    "workbench.commands.explain",
    "workbench.commands.report",
    "workbench.commands.make_image_folder",
    "workbench.commands.cache",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Deep-learning experiment workbench. Without a subcommand, opens the app.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
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

    errors: list[type[BaseException]] = [RunFileError, RunSetupError, DataError, ProjectError,
                                         SpecError, GraphError, OSError]
    for module, name in (("workbench.search.errors", "SearchError"),
                         ("workbench.search.space", "SearchSpaceError"),
                         ("workbench.compress.errors", "CompressError"),
                         ("workbench.explain.errors", "ExplainError")):
        errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


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
    if args.command is None:  # no subcommand: the app
        args = parser.parse_args(["gui"])
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(console_main())
