"""``workbench gui [FILE]`` (also what ``workbench`` with no subcommand runs): the desktop app."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``gui [FILE]`` to ``subparsers``."""
    gui = subparsers.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("file", nargs="?", help="a project file to open")
    gui.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    """Start the app (found through the ``workbench.gui`` entry point, so the core never
    imports Qt); 2 when the app is not installed."""
    from workbench.plugins import find_gui

    run_app = find_gui()
    if run_app is None:
        print("workbench: the desktop app is not installed (no 'workbench.gui' entry "
              "point); the train, runs, eval and export commands work without it",
              file=sys.stderr)
        return 2
    file_arg = getattr(args, "file", None)
    return run_app([sys.argv[0]] + ([file_arg] if file_arg else []))
