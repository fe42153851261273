"""Plugin discovery through the ``workbench.plugins`` entry-point group (no Qt, no torch).

A plugin is a distribution that declares, in its ``pyproject.toml``::

    [project.entry-points."workbench.plugins"]
    my_plugin = "my_package.module:register"

``register()`` takes no arguments and adds things through the public registries
(``workbench.graph.catalogue.register_layer``, ``workbench.data.register_dataset``, ...).
:func:`load_plugins` calls each plugin's ``register()`` at most once per process; a plugin that
fails to import or raises is reported in its :class:`PluginResult`, never raised to the caller.
The bundled plugins in the top-level ``plugins/`` package are installed the same way.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DISABLE_ENV", "GROUP", "GUI_GROUP", "PluginResult", "find_gui", "load_plugins",
           "load_plugins_reporting", "loaded_plugins"]

GROUP = "workbench.plugins"
GUI_GROUP = "workbench.gui"  # the desktop app registers its launcher here (pyproject.toml)
DISABLE_ENV = "WORKBENCH_DISABLE_PLUGINS"   # set to a non-empty value: load_plugins() loads none


@dataclass(frozen=True)
class PluginResult:
    """What happened to one plugin: ``ok``, or ``error`` saying which step failed and why."""

    name: str              # the entry point's name, e.g. "extra_layers"
    value: str             # "module:attr" it points at
    distribution: str      # the installed distribution that declares it ("" if unknown)
    ok: bool
    error: str = ""

    @property
    def message(self) -> str:
        """One line for a log, the status bar or stderr."""
        where = f" from {self.distribution}" if self.distribution else ""
        if self.ok:
            return f"plugin '{self.name}' ({self.value}{where}) loaded"
        return f"plugin '{self.name}' ({self.value}{where}) failed: {self.error}"


_RESULTS: dict[tuple[str, str], PluginResult] = {}   # (name, value) -> outcome, once per process


def load_plugins() -> list[PluginResult]:
    """Discover the ``workbench.plugins`` entry points and call each ``register()`` once.

    Returns one result per discovered plugin, in discovery order; plugins handled by an earlier
    call are not called again (their earlier result is returned). Returns ``[]`` when the
    ``WORKBENCH_DISABLE_PLUGINS`` environment variable is set.
    """
    if os.environ.get(DISABLE_ENV):
        return []
    try:
        entry_points = list(importlib.metadata.entry_points(group=GROUP))
    except Exception as exc:  # noqa: BLE001 - broken metadata must not stop the app
        return [PluginResult("(discovery)", GROUP, "", False,
                             f"could not read entry points: {type(exc).__name__}: {exc}")]
    results: list[PluginResult] = []
    for entry_point in entry_points:
        key = (entry_point.name, entry_point.value)
        if key not in _RESULTS:
            _RESULTS[key] = _load_one(entry_point)
        if _RESULTS[key] not in results:   # the same plugin seen twice on sys.path
            results.append(_RESULTS[key])
    return results


def load_plugins_reporting() -> list[PluginResult]:
    """:func:`load_plugins`, with one stderr line per failure; returns the failures."""
    failed = [r for r in load_plugins() if not r.ok]
    for result in failed:
        print(f"workbench: warning: {result.message}", file=sys.stderr)
    return failed


def find_gui() -> Callable[[list[str]], int] | None:
    """The desktop app's launcher, ``run_app(argv) -> exit code``, found through the
    ``workbench.gui`` entry point so the core never imports the GUI; None if not installed."""
    for entry_point in importlib.metadata.entry_points(group=GUI_GROUP):
        return entry_point.load()
    return None


def loaded_plugins() -> list[PluginResult]:
    """Every plugin handled so far in this process (loaded or failed), in load order."""
    return list(_RESULTS.values())


def _load_one(entry_point: importlib.metadata.EntryPoint) -> PluginResult:
    dist = getattr(entry_point, "dist", None)
    distribution = (getattr(dist, "name", None) or "") if dist is not None else ""

    def result(ok: bool, error: str = "") -> PluginResult:
        return PluginResult(entry_point.name, entry_point.value, distribution, ok, error)

    try:
        register = entry_point.load()
    except Exception as exc:  # noqa: BLE001 - a plugin's bug is reported, not raised
        return result(False, f"could not import {entry_point.value}: {type(exc).__name__}: {exc}")
    if not callable(register):
        return result(False, f"{entry_point.value} is a {type(register).__name__}, "
                             "expected a register() function")
    try:
        register()
    except Exception as exc:  # noqa: BLE001
        return result(False, f"register() raised {type(exc).__name__}: {exc}")
    return result(True)
