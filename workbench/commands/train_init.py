"""``workbench train`` flags for transfer learning and the objective, into training settings.

``--init-from RUN [--layers a,b] [--freeze a,b | --freeze-until NODE] [--reset-head]
[--lr-scale X] [--unfreeze-every N]`` become ``training["init"]``; ``--objective KIND``
becomes ``training["objective"] = {"kind": KIND}``. :func:`check_init_settings` refuses a
source that is not a run or has no weights, and node ids the network does not have, before a
run folder is created.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.graph.spec import GraphSpec
from workbench.project import ProjectError

# dest on the namespace -> (key in training["init"], flag)
INIT_FLAGS = {"init_from": ("from_run", "--init-from"), "init_layers": ("layers", "--layers"),
              "init_freeze": ("freeze", "--freeze"),
              "init_freeze_until": ("freeze_until", "--freeze-until"),
              "init_reset_head": ("reset_head", "--reset-head"),
              "init_lr_scale": ("lr_scale", "--lr-scale"),
              "init_unfreeze_every": ("unfreeze_every", "--unfreeze-every")}
_NEED_SOURCE = ("init_layers", "init_reset_head", "init_lr_scale")


def given_init_flags(args: argparse.Namespace) -> list[str]:
    """The transfer and objective flags on the command line, as typed (for notes)."""
    flags = [flag for dest, (_, flag) in INIT_FLAGS.items()
             if getattr(args, dest, None) is not None]
    return flags + (["--objective"] if getattr(args, "objective_kind", None) else [])


def resolve_run_dir(value: str, project_dir: Path) -> str:
    """An absolute run folder path: ``value`` as a path, else a run of the project by name."""
    path = Path(value).expanduser()
    if not path.is_dir() and len(path.parts) == 1 and (project_dir / "runs" / path).is_dir():
        path = project_dir / "runs" / path
    return str(path.resolve())


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def apply_init_flags(training: dict[str, Any], args: argparse.Namespace,
                     project_dir: Path) -> dict[str, Any]:
    """``training`` with the transfer flags merged into ``init`` and ``--objective`` set."""
    given = {dest: getattr(args, dest) for dest in INIT_FLAGS
             if getattr(args, dest, None) is not None}
    training = dict(training)
    kind = getattr(args, "objective_kind", None)
    if kind:
        old = training.get("objective")
        keep = isinstance(old, dict) and old.get("kind") == kind
        training["objective"] = {**(old if keep else {}), "kind": kind}
    old = training.get("init")
    if isinstance(old, dict) and isinstance(old.get("from_run"), str) and old["from_run"]:
        # a run named in the project or --config file: a path, or a run of this project
        training["init"] = {**old, "from_run": resolve_run_dir(old["from_run"], project_dir)}
    if not given:
        return training
    if "init_freeze" in given and "init_freeze_until" in given:
        raise ProjectError("--freeze and --freeze-until exclude each other: give one of them")
    old = training.get("init")
    init = dict(old) if isinstance(old, dict) else {}
    if "init_from" in given:
        init["from_run"] = resolve_run_dir(given["init_from"], project_dir)
    for dest in ("init_layers", "init_freeze"):
        if dest in given:
            init[INIT_FLAGS[dest][0]] = _ids(given[dest])
    for dest in ("init_freeze_until", "init_reset_head", "init_lr_scale", "init_unfreeze_every"):
        if dest in given:
            init[INIT_FLAGS[dest][0]] = given[dest]
    if "init_freeze" in given:
        init.pop("freeze_until", None)     # the flag replaces the settings' choice
    if "init_freeze_until" in given:
        init.pop("freeze", None)
    if not init.get("from_run"):
        needing = [INIT_FLAGS[d][1] for d in _NEED_SOURCE if d in given]
        if needing:
            raise ProjectError(f"{', '.join(needing)}: only with --init-from RUN_DIR (the run "
                               f"whose weights start this one)")
    training["init"] = init
    return training


def check_init_settings(graph: GraphSpec, training: dict[str, Any]) -> None:
    """ProjectError listing every problem with ``training["init"]`` for this network."""
    from workbench.train.transfer import check_init

    init = training.get("init")
    if not isinstance(init, dict) or not init:
        return
    problems = check_init(graph, init)
    if problems:
        raise ProjectError("; ".join(problems))
