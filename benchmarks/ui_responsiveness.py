"""GUI responsiveness while training at full speed, and GUI vs headless whole-run wall time.

A main window with the training docks is open (the real ``ui.main_window.MainWindow`` when it
can be built without arguments, else a QMainWindow with the docks) and a digits MLP trains from
the Training panel. A 10 ms QTimer probe measures how late the event loop runs it (lateness =
actual gap - 10 ms). The same run is also timed headless (``execute_run`` without Qt callbacks)
in the same process. Both sides use the same torch thread count, set before either runs
(``--threads``; by default what the GUI worker would use: at most cores - 1), and they run
interleaved (headless, GUI, headless, GUI, ...) ``--rounds`` times; figures are medians. Prints::

    p99_ms=<99th percentile lateness> max_ms=<worst lateness> ratio=<headless wall / GUI wall>

The headline ratio is whole-run wall time (Train pressed -> run finished, checkpoints, histograms
and the final evaluation included), so it is what a person waits. Targets: p99 <= 50 ms,
max <= 250 ms, ratio >= 0.9. The trainer's own samples/s ratio (time inside the batch loop) is
printed too. Run with QT_QPA_PLATFORM=offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore, QtWidgets  # noqa: E402

from workbench.experiment import RunRequest, execute_run  # noqa: E402
from workbench.graph.templates import mlp  # noqa: E402

PROBE_MS = 10


def make_window() -> tuple[QtWidgets.QMainWindow, str]:
    try:
        from ui.main_window import MainWindow  # the real window, when it exists

        return MainWindow(), "ui.main_window.MainWindow"
    except Exception:
        window = QtWidgets.QMainWindow()
        window.setCentralWidget(QtWidgets.QLabel("editor placeholder"))
        return window, "QMainWindow + training docks"


def headless(graph, dataset, training, project: Path) -> tuple[float, float]:
    start = time.perf_counter()
    summary = execute_run(RunRequest.freeze(graph, dataset, training, project, "headless"))
    return float(summary["samples_per_second"]), time.perf_counter() - start


def gui(app, graph, dataset, training, project: Path) -> tuple[float, float, list[float], str]:
    from ui.training_integration import install_training

    window, kind = make_window()
    provider = lambda: (graph, dataset, training, project, "gui")  # noqa: E731
    docks = getattr(window, "training", None)  # the real window installs the docks itself
    if docks is not None and hasattr(docks, "training"):
        docks.training.set_provider(provider)
    else:
        docks = install_training(window, provider)
    window.resize(1600, 1000)
    window.show()
    docks.docks["dashboard"].raise_()
    settle = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(500, settle.quit)  # the window's first paint is not the run's
    settle.exec()
    lateness: list[float] = []
    last = [0.0]

    def probe() -> None:
        now = time.perf_counter()
        if last[0]:
            lateness.append(max(0.0, (now - last[0]) * 1000.0 - PROBE_MS))
        last[0] = now

    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.PreciseTimer)
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    result: dict = {}
    docks.training.runFinished.connect(lambda s: result.update(s))
    docks.training.runFailed.connect(lambda m: result.update(error=m))
    loop = QtCore.QEventLoop()
    docks.training.runFinished.connect(loop.quit)
    docks.training.runFailed.connect(loop.quit)
    timer.start()
    start = time.perf_counter()
    docks.training.start()
    loop.exec()
    wall = time.perf_counter() - start
    timer.stop()
    docks.shutdown()
    window.close()
    if "error" in result:
        raise SystemExit(f"GUI run failed: {result['error']}")
    return float(result["samples_per_second"]), wall, lateness, kind


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100.0 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)  # about 5 s of training here
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads for both sides (0 = what the GUI worker uses: "
                             "torch's default, at most cores - 1)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    import torch

    threads = args.threads or min(torch.get_num_threads(), max(1, (os.cpu_count() or 1) - 1))
    torch.set_num_threads(threads)  # the GUI worker keeps a count already at or below its cap
    graph = mlp(input_size=64, hidden=(128, 64), num_classes=10)
    dataset = {"name": "digits"}
    training = {"epochs": args.epochs, "batch_size": args.batch_size}
    headless_runs: list[tuple[float, float]] = []
    gui_runs: list[tuple[float, float]] = []
    lateness: list[float] = []
    kind = ""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        execute_run(RunRequest.freeze(graph, dataset, {**training, "epochs": 1}, project,
                                      "warmup"))
        for _ in range(args.rounds):
            headless_runs.append(headless(graph, dataset, training, project))
            sps, wall, late, kind = gui(app, graph, dataset, training, project)
            gui_runs.append((sps, wall))
            lateness += late
            if torch.get_num_threads() != threads:
                raise SystemExit(f"thread count changed to {torch.get_num_threads()}")
    h_sps = statistics.median(r[0] for r in headless_runs)
    h_wall = statistics.median(r[1] for r in headless_runs)
    g_sps = statistics.median(r[0] for r in gui_runs)
    g_wall = statistics.median(r[1] for r in gui_runs)
    print(f"window: {kind}; digits MLP 64-128-64-10, {args.epochs} epochs, batch "
          f"{args.batch_size}; {len(lateness)} probes; torch threads {threads} on both sides; "
          f"medians of {args.rounds} interleaved rounds")
    print(f"headless: {h_sps:,.0f} samples/s, {h_wall:.2f} s wall "
          f"(runs: {', '.join(f'{w:.2f}' for _, w in headless_runs)})")
    print(f"gui:      {g_sps:,.0f} samples/s, {g_wall:.2f} s wall "
          f"(runs: {', '.join(f'{w:.2f}' for _, w in gui_runs)}; incl. histograms at "
          f"checkpoints, at most 1/s, and the final validation evaluation)")
    print(f"median_ms={statistics.median(lateness):.2f} sps_ratio={g_sps / h_sps:.3f}")
    print(f"p99_ms={percentile(lateness, 99):.2f} max_ms={max(lateness):.2f} "
          f"ratio={h_wall / g_wall:.3f}")


if __name__ == "__main__":
    main()
