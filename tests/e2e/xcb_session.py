"""A whole session with the real app on a real X server, driven by real input events.

Run by tests/e2e/test_xcb_session.py as ``python tests/e2e/xcb_session.py OUT_DIR`` with
``DISPLAY`` set to an Xvfb display and ``QT_QPA_PLATFORM=xcb``. It starts the app the way the
``workbench`` command does (``ui.app.run_app``) and, from inside its event loop, moves the
mouse, clicks, drags and types through ``xdotool``: the X server turns those into the same
events a person's mouse and keyboard make (the offscreen platform never reproduced the crash
this guards against). Python here only finds where things are on screen and checks results.

The session: build Input -> Linear -> ReLU -> Linear -> Output from the palette by drag and
drop, wire it port to port, edit every kind of parameter (int, float, bool, choice, shape),
including invalid and mismatching values, undo/redo with every key, copy/paste/duplicate/
delete, train, pause, resume, stop, train again, export, save, open another project, quit.
Steps are written to OUT_DIR/steps.json as they pass; a failed check exits with code 3.
"""

from __future__ import annotations

import faulthandler
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6 import QtCore, QtWidgets  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
STEPS: list[str] = []


def pump(ms: int) -> None:
    """Handle Qt events for ``ms`` milliseconds, sleeping in between. Unlike QTest.qWait, which
    holds the GIL while it waits (a training thread then runs ~100x slower: measured), this lets
    the app's worker threads run as they do under the real event loop."""
    app = QtWidgets.QApplication.instance()
    deadline = time.monotonic() + ms / 1000
    while True:
        app.processEvents()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.005, left))


class Driver:
    """Real input through xdotool, checks through the window's objects."""

    def __init__(self, window: Any) -> None:
        self.window = window

    # input ---------------------------------------------------------------------------------
    def xdo(self, *args: str) -> None:
        process = subprocess.Popen(["xdotool", *args])
        while process.poll() is None:
            pump(5)
        pump(60)  # let the events the X server sent be handled

    def point(self, widget: QtWidgets.QWidget, at: QtCore.QPoint | None = None) -> list[str]:
        where = widget.mapToGlobal(at if at is not None else widget.rect().center())
        return [str(where.x()), str(where.y())]

    def click(self, widget: QtWidgets.QWidget, at: QtCore.QPoint | None = None,
              repeat: int = 1) -> None:
        self.xdo("mousemove", *self.point(widget, at))
        self.xdo("click", "--repeat", str(repeat), "--delay", "40", "1")

    def drag(self, widget_from: QtWidgets.QWidget, at_from: QtCore.QPoint,
             widget_to: QtWidgets.QWidget, at_to: QtCore.QPoint) -> None:
        """Press, move in steps, release: one xdotool process, because a drag and drop runs
        its own event loop inside Qt until the button is released."""
        start, end = self.point(widget_from, at_from), self.point(widget_to, at_to)
        x0, y0, x1, y1 = int(start[0]), int(start[1]), int(end[0]), int(end[1])
        gesture = ["mousemove", *start, "sleep", "0.1", "mousedown", "1"]
        for i in range(1, 9):  # several moves: past the drag distance, then to the target
            gesture += ["sleep", "0.05", "mousemove", str(x0 + (x1 - x0) * i // 8),
                        str(y0 + (y1 - y0) * i // 8)]
        self.xdo(*gesture, "sleep", "0.15", "mouseup", "1")

    def key(self, *keys: str) -> None:
        self.xdo("key", "--delay", "30", *keys)

    def type_into(self, field: QtWidgets.QWidget, text: str, confirm: bool = True) -> None:
        """Triple-click the field (select all), type ``text``, press Return."""
        self.click(field, repeat=3)
        self.key("ctrl+a")
        self.xdo("type", "--delay", "20", "--", text)
        if confirm:
            self.key("Return")

    # the canvas ----------------------------------------------------------------------------
    def scene_point(self, x: float, y: float) -> QtCore.QPoint:
        return self.window.view.mapFromScene(QtCore.QPointF(x, y))

    def click_node(self, node_id: str) -> None:
        item = self.window.scene.nodes[node_id]
        rect = item.sceneBoundingRect()
        self.click(self.window.view.viewport(),
                   self.scene_point(rect.center().x(), rect.top() + 12))

    def click_empty_canvas(self) -> None:
        rect = self.window.scene.items_bounding_rect()
        self.click(self.window.view.viewport(), self.scene_point(rect.left() - 40,
                                                                 rect.bottom() + 40))

    # checks --------------------------------------------------------------------------------
    def wait_until(self, condition: Callable[[], Any], what: str,
                   timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                panel = self.window.training.training
                raise AssertionError(
                    f"timed out after {timeout_s:.0f} s waiting for {what}; training panel: "
                    f"state {panel.state!r}, status {panel.status.text()!r}; status bar: "
                    f"{self.window.statusBar().currentMessage()!r}")
            pump(50)

    def screenshot(self, name: str) -> None:
        subprocess.run(["import", "-window", "root", str(OUT / f"{name}.png")], check=False)


def step(name: str) -> None:
    STEPS.append(name)
    (OUT / "steps.json").write_text(json.dumps(STEPS, indent=1))
    print(f"step: {name}", flush=True)


def check(condition: Any, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def params(window: Any, node_id: str) -> dict[str, Any]:
    return dict(window.document.spec.node(node_id).params)


def session(window: Any) -> None:  # noqa: PLR0915 - one story, told in order
    from tests.ui.test_commands import all_bindings
    from ui.commands import shortcut_clashes
    from workbench.paths import find_example

    d = Driver(window)
    saved_to = OUT / "session.wbproj.json"
    window.ask_save_path = lambda: str(saved_to)  # file dialogs are not what this tests
    window.ask_open_path = lambda: str(find_example("cnn_digits"))
    window.activateWindow()
    QTest.qWaitForWindowActive(window, 10_000)
    check(shortcut_clashes(all_bindings(window)) == [],
          f"keys bound twice: {shortcut_clashes(all_bindings(window))}")
    step("no key is bound twice under xcb")

    # build from the palette -------------------------------------------------------------------
    start_buttons = [b for b in window.centralWidget().findChildren(QtWidgets.QPushButton)
                     if b.text().replace("&", "") == "New Project" and b.isVisible()]
    if start_buttons:  # the start page is up: begin a new project from it
        d.click(start_buttons[0])
        d.wait_until(lambda: window.view.isVisible(), "the canvas", 10)
        step("New Project on the start page")
    tree, view, scene = window.palette.tree, window.view, window.scene
    window.docks["palette"].raise_()
    built: list[str] = []
    for name, x, y in (("Linear", 88, 190), ("ReLU", 388, 190), ("Linear", 688, 190),
                       ("Dropout", 388, 33)):  # Input is at (0, 0), Output at (600, 0)
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        check(visible.contains(QtCore.QPointF(x, y)), f"({x}, {y}) is off screen: {visible}")
        item = tree.findItems(name, QtCore.Qt.MatchExactly | QtCore.Qt.MatchRecursive)[0]
        tree.scrollToItem(item)
        before = {n.id for n in window.document.spec.nodes}
        d.drag(tree.viewport(), tree.visualItemRect(item).center(), view.viewport(),
               d.scene_point(x, y))
        d.wait_until(lambda b=before: len(window.document.spec.nodes) > len(b),
                     f"{name} dropped on the canvas", 10)
        (new,) = {n.id for n in window.document.spec.nodes} - before
        built.append(new)
    fc, relu, head, drop = built
    step(f"dragged {built} from the palette")
    for src, dst in (("input", fc), (fc, relu), (relu, head), (head, "output")):
        out_port = scene.nodes[src].outputs["out"].scenePos()
        in_port = scene.nodes[dst].inputs["in"].scenePos()
        d.drag(view.viewport(), d.scene_point(out_port.x(), out_port.y()), view.viewport(),
               d.scene_point(in_port.x(), in_port.y()))
    edges = {(e.src, e.dst) for e in window.document.spec.edges}
    check(edges == {("input", fc), (fc, relu), (relu, head), (head, "output")},
          f"wires: {edges}")
    step("wired Input -> Linear -> ReLU -> Linear -> Output by dragging port to port")

    # edit every parameter kind ----------------------------------------------------------------
    inspector = window.inspector
    window.docks["inspector"].raise_()
    d.click_node(fc)
    check(inspector.node_id == fc, f"clicking {fc} shows {inspector.node_id}")
    for value in ("32", "0", "32", "0", "32"):  # the mismatch that crashed on Return
        d.type_into(inspector.editors["in_features"], value)
        check(params(window, fc).get("in_features") == int(value), f"in_features {value}")
    window.document.analyze_now()
    check(any("expects 32 input features, receives 64" in m
              for m in window.problems.messages()), "mismatch in Problems")
    problems = window.document.analysis.problems
    errors = sum(p.severity == "error" for p in problems)
    counted = f"{errors} error{'s' if errors != 1 else ''}"
    check(len(window.problems.messages()) == len(problems) and
          window.statusBar().currentMessage().endswith(
              counted + (f", {len(problems) - errors} warning" if errors < len(problems)
                         else "")),
          f"status {window.statusBar().currentMessage()!r} vs {window.problems.messages()}")
    step("typed a mismatching in_features (32 where 64 arrive) and Return, 5 times")
    for bad in ("-5", "abc", "0"):
        d.type_into(inspector.editors["out_features"], bad)
        message = inspector.field_message("out_features")
        check("'out_features' must be an integer >= 1" in message, f"{bad!r}: {message!r}")
        check(params(window, fc).get("out_features", 64) == 64, f"{bad!r} was applied")
    d.screenshot("inspector_invalid_value")
    d.type_into(inspector.editors["in_features"], "0")
    check(inspector.field_message("in_features") == "auto (from input: 64)",
          inspector.field_message("in_features"))
    d.type_into(inspector.editors["out_features"], "48")
    check(params(window, fc)["out_features"] == 48, "out_features 48")
    box = inspector.editors["bias"]
    indicator = QtCore.QPoint(9, box.height() // 2)  # the box itself, not the empty row
    d.click(box, indicator)
    check(params(window, fc).get("bias") is False, "bias unchecked")
    d.click(box, indicator)
    d.click_node(head)
    d.type_into(inspector.editors["out_features"], "10")
    check(params(window, head)["out_features"] == 10, "head out_features 10")
    d.click_node("input")
    d.type_into(inspector.editors["shape"], "8, x")
    check("expected integers" in inspector.field_message("shape"), "shape message")
    d.type_into(inspector.editors["shape"], "64")
    check(inspector.field_message("shape") == "", "shape message cleared")
    d.click(inspector.editors["dtype"])
    d.key("Down", "Return")
    check(params(window, "input")["dtype"] != "float32", "dtype changed from the popup")
    d.click_empty_canvas()
    d.key("ctrl+z")
    check(params(window, "input")["dtype"] == "float32", "dtype change undone")
    d.click_node(drop)
    d.type_into(inspector.editors["p"], "1.5")
    check("'p' must be a number in [0, 1)" in inspector.field_message("p") or
          "'p' must be" in inspector.field_message("p"), inspector.field_message("p"))
    d.type_into(inspector.editors["p"], "0.3")
    check(params(window, drop)["p"] == 0.3, "p 0.3")
    step("edited int, float, bool, choice and shape parameters, invalid ones answered")

    # undo / redo, copy / paste / duplicate / delete ------------------------------------------
    d.click_empty_canvas()
    d.key("ctrl+z")
    check(params(window, drop).get("p", 0.5) != 0.3, "Ctrl+Z undid p")
    d.key("ctrl+shift+z")
    check(params(window, drop)["p"] == 0.3, "Ctrl+Shift+Z redid p")
    d.key("ctrl+z")
    d.key("ctrl+y")
    check(params(window, drop)["p"] == 0.3, "Ctrl+Y redid p")
    step("undo with Ctrl+Z, redo with Ctrl+Shift+Z and Ctrl+Y")
    d.click_node(relu)
    d.key("ctrl+c")
    d.key("ctrl+v")
    (pasted,) = window.scene.selected_node_ids()
    source, copy = (window.document.spec.node(relu).position,
                    window.document.spec.node(pasted).position)
    check(pasted != relu and copy != source, f"pasted {pasted} at {copy} (source {source})")
    d.key("ctrl+d")
    (duplicated,) = window.scene.selected_node_ids()
    check(duplicated not in (relu, pasted), "Ctrl+D duplicated")
    d.key("Delete")
    d.click_node(pasted)
    d.key("Delete")
    d.click_node(drop)
    d.key("Delete")
    ids = {n.id for n in window.document.spec.nodes}
    check(ids == {"input", "output", fc, relu, head}, f"after deleting: {ids}")
    window.document.analyze_now()
    check(window.document.analysis.ok, [p.message for p in window.document.analysis.errors])
    step("copy, paste (offset), duplicate (Ctrl+D) and delete from the keyboard")

    # train, pause, resume, stop, train again -------------------------------------------------
    panel = window.training.training
    actions = window.registry.actions
    window.training.docks["training"].raise_()
    pump(100)
    d.type_into(panel.form.editors["epochs"], "400")
    check(panel.form.values()["epochs"] == 400, "epochs 400")
    d.click_empty_canvas()
    d.key("F5")
    check(panel.state == "running", f"F5: state {panel.state}")
    check(not actions["training.start"].isEnabled() and actions["training.stop"].isEnabled()
          and actions["training.pause"].isEnabled(), "Train off, Pause/Stop on at once")
    d.wait_until(lambda: "Epoch" in panel.status.text(), "a first epoch", 120)
    d.key("F6")
    check(panel.state == "paused", f"F6: state {panel.state}")
    d.key("F6")
    check(panel.state == "running", f"F6 again: state {panel.state}")
    d.key("shift+F5")
    d.wait_until(lambda: panel.state == "idle", "the stopped run to end", 60)
    check(panel.last_summary and panel.last_summary["stopped_reason"] == "stopped",
          f"summary {panel.last_summary and panel.last_summary.get('stopped_reason')}")
    check(actions["training.start"].isEnabled() and not actions["training.stop"].isEnabled(),
          "Train on again after the stop")
    step("trained (F5), paused and resumed (F6), stopped (Shift+F5)")
    d.type_into(panel.form.editors["epochs"], "2")
    d.click_empty_canvas()
    d.key("F5")
    d.wait_until(lambda: panel.state == "idle", "the second run to finish", 120)
    check(panel.last_summary and panel.last_summary["epochs_run"] == 2,
          f"second run {panel.last_summary}")
    step("trained again to the end")

    # export, save, open another project, quit -------------------------------------------------
    check(actions["training.export"].isEnabled(),
          f"Export enabled at once after the run ({len(window.training.runs.runs)} runs, "
          f"folder {window.training.runs.project_dir})")
    d.click_empty_canvas()
    d.key("ctrl+e")
    d.wait_until(lambda: window.training.export_dialog is not None and
                 window.training.export_dialog.isVisible(), "the export dialog", 20)
    dialog = window.training.export_dialog
    reports: list[dict] = []
    dialog.exported.connect(reports.append)
    d.click(dialog.export_button)
    d.wait_until(lambda: reports or not dialog.is_running() and dialog.report, "the export",
                 240)
    check(reports, "export wrote a bundle")
    dialog.close()
    step(f"exported the run to {reports[0].get('out_dir', '?')}")

    # explain the run, then prune it from its dialog -------------------------------------------
    runs = window.training.runs
    newest = max(runs.runs, key=lambda r: r.created).path
    runs.select_runs([newest])
    actions["view.explain"].trigger()
    explain = window.explain
    d.wait_until(lambda: explain.isVisible() and explain.run_dir == newest,
                 "the Explain dock on the newest run", 20)
    explain.tabs.setCurrentWidget(explain.importance)
    d.click(explain.importance.run_button)
    d.wait_until(lambda: explain.importance.result is not None, "permutation importance", 240)
    check(len(explain.importance.result["importance"]) > 0, "importance has features")
    explain.tabs.setCurrentWidget(explain.calibration)
    d.wait_until(lambda: explain.calibration.result is not None, "the reliability diagram", 120)
    d.click(explain.calibration.fit_button)
    d.wait_until(lambda: (explain.calibration.result or {}).get("temperature") is not None,
                 "the fitted temperature", 120)
    pump(500)  # let the plot repaint before the picture
    d.screenshot("explain")
    step(f"explained the run: importance of {len(explain.importance.result['importance'])} "
         f"inputs, temperature {explain.calibration.result['temperature']:.3f}")
    dialog = window.compression.actions.prune_run(str(newest))
    d.wait_until(lambda: dialog.isVisible() and dialog.start_button.isEnabled(),
                 "the prune dialog", 30)
    dialog.finetune.setValue(1)
    variants: list[dict] = []
    dialog.variantCreated.connect(variants.append)
    d.click(dialog.start_button)
    d.wait_until(lambda: variants or not dialog.is_running() and dialog.message.text()
                 and "fail" in dialog.message.text().lower(), "the pruned run", 240)
    check(variants, f"prune made a variant ({dialog.message.text()})")
    d.wait_until(lambda: any(r.path.name == Path(variants[0]["run_dir"]).name
                             for r in runs.runs), "the pruned run in the Runs tree", 30)
    dialog.close()
    step(f"pruned it from the dialog: {Path(variants[0]['run_dir']).name}")
    d.click_empty_canvas()
    d.key("ctrl+s")
    check(saved_to.exists() and not window.document.dirty, "saved with Ctrl+S")
    d.key("ctrl+o")
    check(window.document.name != "session" and
          any(n.type == "Conv2d" for n in window.document.spec.nodes), "opened cnn_digits")
    step("saved (Ctrl+S) and opened another project (Ctrl+O)")
    d.key("ctrl+q")
    step("quit with Ctrl+Q")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    faulthandler.dump_traceback_later(float(os.environ.get("XCB_SESSION_TIMEOUT_S", "400")),
                                      exit=True)  # a stuck step says where it is stuck
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])

    def start() -> None:
        from ui.main_window import MainWindow

        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        try:
            session(windows[0])
        except BaseException:  # noqa: BLE001 - any failure ends the session with its story
            traceback.print_exc()
            subprocess.run(["import", "-window", "root", str(OUT / "failure.png")], check=False)
            (OUT / "failure.txt").write_text(traceback.format_exc())
            sys.stderr.flush()
            os._exit(3)

    QtCore.QTimer.singleShot(500, start)
    from ui.app import run_app

    return run_app([sys.argv[0]])


if __name__ == "__main__":
    sys.exit(main())
