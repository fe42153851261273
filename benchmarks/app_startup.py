"""Start-up time of the desktop app to a usable window, cold and warm.

Each launch is a fresh ``python`` process running what the ``workbench`` console script runs
(no subcommand = the app), with ``QT_QPA_PLATFORM=offscreen``, a fresh settings file (so every
launch takes the first-run layout path) and ``WORKBENCH_STARTUP_PROBE=1``: ``ui.app`` then
prints, on the first event-loop tick after ``window.show()``, ``startup_ms`` (since ``ui.app``
was imported), ``shown_epoch`` (wall clock) and ``heavy_imports`` (torch / onnx /
onnxruntime already in ``sys.modules``, ``:partial`` while still being imported), and closes
the window.

Figures per launch:

* ``ms``: from just before the subprocess is spawned to the window shown with its event loop
  running (``shown_epoch`` - spawn time): interpreter start, imports, window construction.
* ``wall_ms``: from spawn to process exit (includes closing, saving settings and waiting for
  background threads, e.g. the training form's device probe that imports torch).
* ``app_ms``: the app's own ``startup_ms`` (from ``import ui.app``; leaves out interpreter
  start and ``workbench.cli``).

Cold vs warm. Dropping the OS page cache needs root, so "cold" here means *no Python bytecode
cache at all*: ``PYTHONDONTWRITEBYTECODE=1`` and an empty, fresh ``PYTHONPYCACHEPREFIX`` per
launch, so every module (stdlib, site-packages incl. torch and PySide6's Python parts, and the
app) is compiled from source; the files themselves are most likely in the page cache.
"Warm" launches share a ``PYTHONPYCACHEPREFIX`` that one unmeasured priming launch filled.
(Modules frozen into the interpreter are unaffected by either.)

Diagnostics: one traced launch records where ``torch`` / ``onnx`` are first imported and on
which thread (``first_import_torch=...``); ``--no-probe-runs`` more warm launches replace
``workbench.train.device.available_devices`` with a stub that does not import torch, to show
what the background torch import costs the window (``warm_no_torch_ms_median``).

Usage::

    python benchmarks/app_startup.py [--cold-runs 3] [--warm-runs 5] [--no-probe-runs 3]

Prints one ``key=value`` per line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# What the console script runs (``workbench`` with no subcommand opens the app).
LAUNCH = """
import sys
from workbench import cli
sys.exit(getattr(cli, "console_main", cli.main)([]))
"""

# Report the first import of each heavy module: thread and the app's own frames.
TRACE = """
import sys, threading, traceback
class _FirstImport:
    seen = set()
    def find_spec(self, name, path=None, target=None):
        if name in ("torch", "onnx", "onnxruntime") and name not in self.seen:
            self.seen.add(name)
            frames = [f for f in traceback.extract_stack()[:-1]
                      if "importlib" not in f.filename and "<" not in f.filename]
            root = {root!r}
            where = " <- ".join(
                f"{{f.filename.replace(root, '').lstrip('/')}}:{{f.lineno}} {{f.name}}"
                for f in reversed(frames[-4:]))
            print(f"first_import_{{name}}=thread={{threading.current_thread().name}} {{where}}",
                  flush=True)
        return None
sys.meta_path.insert(0, _FirstImport())
"""

# Stub the device probe so torch is not imported at start-up (diagnostic only).
NO_TORCH_PROBE = """
import workbench.train.device as _device
_device.available_devices = lambda: ["cpu"]
"""


def launch(pycache: Path, cold: bool, prelude: str = "", timeout: float = 180.0) -> dict:
    """One app launch; returns its figures and probe lines."""
    with tempfile.TemporaryDirectory(prefix="wb-startup-") as tmp:
        env = dict(os.environ)
        env.update({"QT_QPA_PLATFORM": "offscreen", "WORKBENCH_STARTUP_PROBE": "1",
                    "WORKBENCH_SETTINGS": str(Path(tmp) / "settings.ini"),
                    "PYTHONPYCACHEPREFIX": str(pycache)})
        if cold:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        spawn_epoch, spawn = time.time(), time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", prelude + LAUNCH], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=timeout)
        wall_ms = (time.perf_counter() - spawn) * 1000
    values = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    if proc.returncode != 0 or "shown_epoch" not in values:
        raise SystemExit(f"launch failed (exit {proc.returncode}); stdout:\n{proc.stdout}\n"
                         f"stderr:\n{proc.stderr[-3000:]}")
    values["ms"] = (float(values["shown_epoch"]) - spawn_epoch) * 1000
    values["wall_ms"] = wall_ms
    values["app_ms"] = float(values["startup_ms"])
    return values


def summarize(prefix: str, runs: list[dict]) -> None:
    for key in ("ms", "wall_ms", "app_ms"):
        series = [r[key] for r in runs]
        name = key[:-3] if key != "ms" else ""
        stem = f"{prefix}_{name}_" if name else f"{prefix}_"
        print(f"{stem}ms_median={statistics.median(series):.0f}")
        print(f"{stem}ms_max={max(series):.0f}")
    print(f"{prefix}_heavy_imports_at_window="
          f"{';'.join(sorted({r['heavy_imports'] for r in runs}))}")
    print(f"{prefix}_runs={len(runs)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--no-probe-runs", type=int, default=3,
                        help="warm launches with the torch device probe stubbed (0: skip)")
    parser.add_argument("--no-trace", action="store_true",
                        help="skip the launch that reports where heavy modules are imported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wb-pycache-") as root:
        root_path = Path(root)
        cold = []
        for i in range(args.cold_runs):
            empty = root_path / f"cold{i}"  # fresh and empty: nothing is read, nothing written
            empty.mkdir()
            cold.append(launch(empty, cold=True))
            if any(empty.iterdir()):
                raise SystemExit(f"bytecode was written under {empty}: not a cold launch")
        warm_cache = root_path / "warm"
        launch(warm_cache, cold=False)  # priming: writes the bytecode cache, not measured
        if not any(warm_cache.rglob("*.pyc")):
            raise SystemExit("the priming launch wrote no bytecode; warm would equal cold")
        warm = [launch(warm_cache, cold=False) for _ in range(args.warm_runs)]
        no_probe = [launch(warm_cache, cold=False, prelude=NO_TORCH_PROBE)
                    for _ in range(args.no_probe_runs)]
        traced = None if args.no_trace else launch(
            warm_cache, cold=False, prelude=TRACE.format(root=str(REPO)))

    if cold:
        summarize("cold", cold)
    summarize("warm", warm)
    if no_probe:
        summarize("warm_no_torch", no_probe)
    if traced is not None:
        for name in ("torch", "onnx", "onnxruntime"):
            print(f"first_import_{name}={traced.get(f'first_import_{name}', 'not imported')}")
    print(f"python={sys.version.split()[0]} cpus={os.cpu_count()} "
          f"qt_platform=offscreen")
    return 0


if __name__ == "__main__":
    sys.exit(main())
