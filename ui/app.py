"""Start the desktop app: ``workbench`` (or ``workbench gui [FILE]``)."""

from __future__ import annotations

import os
import sys
import time
import traceback

START = time.perf_counter()


def heavy_imports(names: tuple[str, ...] = ("torch", "onnx", "onnxruntime")) -> list[str]:
    """The heavy modules already in ``sys.modules``; ``name:partial`` while one is still being
    imported (by a background thread, e.g. the training form's device probe)."""
    found = []
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            spec = getattr(module, "__spec__", None)
            found.append(f"{name}:partial" if getattr(spec, "_initializing", False) else name)
    return found


def _install_exception_hook(window) -> None:
    """Exceptions from slots and timers reach the person as a message; the app stays up."""
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, value, tb)
            return
        traceback.print_exception(kind, value, tb)
        from ui.fault_log import log_path, write_entry

        write_entry("uncaught exception", "".join(traceback.format_exception(kind, value, tb)))

        try:
            window.show_error("Something went wrong", f"{kind.__name__}: {value}\n\nThe "
                              f"details were written to {log_path()}.")
        except Exception:  # noqa: BLE001 - never fail inside the hook
            pass

    sys.excepthook = hook


def run_app(argv: list[str] | None = None) -> int:
    """Create the application and main window, run the event loop, exit cleanly (code 0)."""
    from PySide6 import QtCore, QtWidgets

    argv = list(argv if argv is not None else sys.argv)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv)
    app.setApplicationName("Workbench")
    app.setOrganizationName("Workbench")
    from workbench.plugins import load_plugins_reporting

    failed = load_plugins_reporting()   # before the palette reads the catalogue
    from ui import fault_log

    last_session = fault_log.install()  # faults from here on are logged, start-up included
    from ui.autosave import offer_recovery
    from ui.main_window import MainWindow

    window = MainWindow()
    _install_exception_hook(window)  # logs, then shows the message
    if last_session:
        window.statusBar().showMessage(last_session, 30000)
        print(f"workbench: {last_session}", file=sys.stderr, flush=True)
    if failed:
        window.statusBar().showMessage(
            "; ".join(r.message for r in failed) + " (details on stderr)", 15000)
    files = [a for a in argv[1:] if not a.startswith("-")]
    if files:
        window.open_project(files[0])
    else:
        window.first_steps.start.show_page()  # no project yet: new, open, recent, examples
    window.show()
    QtCore.QTimer.singleShot(0, lambda: offer_recovery(window))  # after the window is up
    if os.environ.get("WORKBENCH_STARTUP_PROBE"):
        def report() -> None:
            print(f"startup_ms={(time.perf_counter() - START) * 1000:.1f}", flush=True)
            print(f"shown_epoch={time.time():.6f}", flush=True)
            print(f"heavy_imports={','.join(heavy_imports()) or 'none'}", flush=True)
            window.close()
        QtCore.QTimer.singleShot(0, report)
    quit_after = os.environ.get("WORKBENCH_QUIT_AFTER_MS")  # for end-to-end tests
    if quit_after:
        QtCore.QTimer.singleShot(int(quit_after), window.close)
    code = app.exec()
    window.training.shutdown()
    window.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)
    app.processEvents()
    window = None  # noqa: F841 - drop the last reference before Qt tears down
    fault_log.end_session()
    return int(code)


if __name__ == "__main__":
    sys.exit(run_app([sys.argv[0], *sys.argv[1:]]))
