"""The compress job (stages re-emitted in the GUI thread, cooperative cancel, errors as
messages), the Runs panel's Prune… / Quantize… entries, the Compression dock's buttons, and
the shared run choice."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from tests.ui.transfer_fixtures import make_parent_run
from ui.compress_jobs import CompressJob, describe
from ui.panels.compression_panel import CompressionPanel
from ui.panels.runs_panel import RunsPanel
from ui.run_choice import chosen_run_dir
from workbench.compress.errors import CompressError
from workbench.runs.run_store import RunStore


def test_job_stages_arrive_in_the_gui_thread_and_the_report_at_the_end(qtbot):
    seen = []

    def work(progress):
        progress("one")
        progress("two")
        return {"run_dir": "x", "worker": threading.current_thread() is not
                threading.main_thread()}

    job = CompressJob(work)
    job.progress.connect(lambda text: seen.append((text, threading.current_thread())))
    with qtbot.waitSignal(job.finished, timeout=10_000) as done:
        job.start()
    job.wait()
    assert done.args[0]["worker"] is True
    assert [text for text, _ in seen] == ["one", "two"]
    assert all(thread is threading.main_thread() for _, thread in seen)
    assert job.stage == "two"


def test_cancel_raises_at_the_next_stage_and_errors_become_messages(qtbot):
    reached, gate, after = threading.Event(), threading.Event(), []

    def work(progress):
        progress("first")
        reached.set()
        gate.wait(10)
        progress("second")  # raises: cancel was requested
        after.append("ran on")
        return {}

    job = CompressJob(work)
    with qtbot.waitSignal(job.cancelled, timeout=10_000) as stopped:
        job.start()
        assert reached.wait(10)
        job.cancel()
        gate.set()
    job.wait()
    assert stopped.args == ["second"] and not after and job.cancel_requested

    def fail(_progress):
        raise CompressError("a pruning ratio of 0.99 would remove every one of the 2 "
                            "channels of layer 'fc1';\n use a smaller ratio")

    job = CompressJob(fail)
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        job.start()
    job.wait()
    assert failed.args == ["a pruning ratio of 0.99 would remove every one of the 2 channels "
                           "of layer 'fc1'; use a smaller ratio"]
    assert describe(KeyError("x")) == "KeyError: 'x'"


def test_runs_context_menu_prune_and_quantize_only_for_float_runs(qtbot, tmp_path):
    with_weights = RunStore.open(make_parent_run(tmp_path))
    panel = RunsPanel()
    qtbot.addWidget(panel)
    panel.set_project_dir(tmp_path)
    entries = {a.text(): a for a in panel.context_menu(with_weights).actions()}
    assert entries["Prune…"].isEnabled() and entries["Quantize…"].isEnabled()
    with qtbot.waitSignal(panel.prune_requested) as asked:
        entries["Prune…"].trigger()
    assert asked.args == [str(with_weights.path)]
    with qtbot.waitSignal(panel.quantize_requested) as asked:
        entries["Quantize…"].trigger()
    assert asked.args == [str(with_weights.path)]
    int8 = RunStore.create(tmp_path, "pretrain-int8")
    int8.save_config({**with_weights.config, "model": {"format": "onnx-int8"}})
    no_weights = RunStore.open(make_parent_run(tmp_path / "other", weights=False))
    for run in (int8, no_weights):
        entries = {a.text(): a for a in panel.context_menu(run).actions()}
        assert not entries["Prune…"].isEnabled() and not entries["Quantize…"].isEnabled()


def test_compression_buttons_follow_the_selected_row(qtbot):
    panel = CompressionPanel()
    qtbot.addWidget(panel)
    row = {"name": "20260101-000000-a", "run_dir": "/p/runs/a", "relation": "–",
           "format": "float32", "task": "classification", "val_accuracy": 0.9,
           "test_accuracy": None, "params": 10, "macs": 10, "file_bytes": 1024,
           "latency_ms": {"1": 0.1, "64": 1.0}, "speedup": {"64": 1.0},
           "size_reduction": 1.0, "measured": "now"}
    int8 = {**row, "name": "20260101-000001-a-int8", "run_dir": "/p/runs/a-int8",
            "format": "int8", "relation": "quantized-from",
            "latency_ms": {"1": 0.05, "64": 0.5}}
    panel.select_after_measure("/p/runs/a-int8")
    panel._on_result({"rows": [row, int8], "threads": 1})
    assert panel.selected_run_dir() == "/p/runs/a-int8"  # the new variant's row
    assert not panel.prune_button.isEnabled() and not panel.quantize_button.isEnabled()
    panel.table.selectRow(0)
    assert panel.prune_button.isEnabled() and panel.quantize_button.isEnabled()
    with qtbot.waitSignal(panel.pruneRequested) as asked:
        panel.prune_button.click()
    assert asked.args == ["/p/runs/a"]
    with qtbot.waitSignal(panel.quantizeRequested) as asked:
        panel.quantize_button.click()
    assert asked.args == ["/p/runs/a"]


def test_chosen_run_dir_prefers_the_argument_then_the_selection_then_the_newest():
    newest, older = SimpleNamespace(path="/r/new"), SimpleNamespace(path="/r/old")
    panel = SimpleNamespace(runs=[newest, older], selected_runs=lambda: [])
    assert chosen_run_dir(panel, "/r/given") == "/r/given"
    assert chosen_run_dir(panel) == "/r/new"
    panel.selected_runs = lambda: [older]
    assert chosen_run_dir(panel) == "/r/old"
    assert chosen_run_dir(SimpleNamespace(runs=[], selected_runs=lambda: [])) == ""
