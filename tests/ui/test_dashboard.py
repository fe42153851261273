"""Dashboard: a run's curves reach the plot items, overlays, evidence, log scale, exports."""

from __future__ import annotations

import csv

import pytest

from ui import workers
from ui.panels.dashboard import Dashboard
from ui.workers import TrainingJob
from workbench.experiment import RunRequest
from workbench.graph.templates import mlp


@pytest.fixture
def dashboard(qtbot):
    board = Dashboard()
    qtbot.addWidget(board)
    board.resize(1200, 600)
    return board


def epoch_record(epoch, train_loss, val_loss, acc=0.5):
    return {"kind": "epoch", "epoch": epoch, "x": epoch + 1, "train_loss": train_loss,
            "val_loss": val_loss, "train_accuracy": acc, "val_accuracy": acc - 0.1,
            "lr": 0.01, "samples_per_second": 1000.0,
            "grad_norm": {"fc1": 0.5, "fc2": 0.1}, "dead_fraction": {"act1": 0.2}}


def feed(board: Dashboard, epochs: int = 3, batches: int = 4) -> None:
    board.start_run({"device": "cpu", "num_train": 100, "num_val": 20,
                     "batches_per_epoch": batches, "config": {"epochs": epochs}})
    for e in range(epochs):
        board.add_batches([{"x": e + (b + 1) / batches, "loss": 1.0 / (e + 1), "accuracy": 0.5,
                            "lr": 0.01, "samples_per_second": 900.0} for b in range(batches)])
        board.add_epoch(epoch_record(e, 1.0 / (e + 1), 1.2 / (e + 1)))


def test_live_run_curves_reach_plot_items(qtbot, dashboard, tmp_path):
    request = RunRequest.freeze(mlp(input_size=2, hidden=(16,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 300}},
                                {"epochs": 2, "batch_size": 32}, tmp_path, "dash")
    job = TrainingJob(request)
    job.started.connect(dashboard.start_run)
    job.batches.connect(dashboard.add_batches)
    job.epoch.connect(dashboard.add_epoch)
    job.histograms.connect(dashboard.set_histograms)
    job.finished.connect(dashboard.finish_run)
    with qtbot.waitSignal(job.ended, timeout=60_000):
        job.start()
    assert workers.shutdown_all(10_000)
    qtbot.waitUntil(lambda: not dashboard._timer.isActive(), timeout=5000)  # paced catch-up
    loss = dashboard.plots["loss"]
    x, y = loss.curves["train_batch"].getData()
    assert x is not None and len(x) > 0
    assert len(loss.curves["val_epoch"].getData()[0]) == 2
    assert list(dashboard.plots["lr"].curves["lr"].getData()[0]) == [0.0, 1.0]
    assert len(dashboard.plots["speed"].curves["speed"].getData()[0]) == 2
    assert "layer:fc1" in dashboard.plots["grad_norm"].curves
    assert len(dashboard.plots["grad_norm"].curves["layer:fc1"].getData()[0]) == 2
    assert dashboard.redraw_interval_ms >= 33
    assert dashboard.histogram.layer_combo.count() >= 2
    assert dashboard.histogram.curve.getData()[1].sum() > 0
    assert dashboard.confusion.matrix.rowCount() == 2
    assert "Finished (completed)" in dashboard.status.text()


def test_live_regression_run_end_to_end(qtbot, dashboard, tmp_path):
    from workbench.graph.spec import Edge, GraphSpec, Node

    graph = GraphSpec([Node("input", "Input", {"shape": [1]}),
                       Node("fc1", "Linear", {"out_features": 8}), Node("relu1", "ReLU"),
                       Node("fc2", "Linear", {"out_features": 1}),
                       Node("output", "Output", {"num_classes": 1})],
                      [Edge("input", "fc1"), Edge("fc1", "relu1"), Edge("relu1", "fc2"),
                       Edge("fc2", "output")], "reg")
    request = RunRequest.freeze(graph, {"name": "noisy_sine", "options": {}},
                                {"epochs": 2, "batch_size": 32}, tmp_path, "reg")
    job = TrainingJob(request)
    job.started.connect(dashboard.start_run)
    job.batches.connect(dashboard.add_batches)
    job.epoch.connect(dashboard.add_epoch)
    job.finished.connect(dashboard.finish_run)
    with qtbot.waitSignal(job.ended, timeout=60_000):
        job.start()
    assert workers.shutdown_all(10_000)
    qtbot.waitUntil(lambda: not dashboard._timer.isActive(), timeout=5000)
    assert {"mae", "r2"} <= set(dashboard.visible_plots())
    assert "accuracy" not in dashboard.visible_plots()
    assert len(dashboard.plots["mae"].curves["val_epoch"].getData()[0]) == 2
    assert "Finished (completed)" in dashboard.status.text()
    assert "val MAE" in dashboard.status.text()
    assert dashboard.confusion.matrix.rowCount() == 0
    assert "MAE" in dashboard.confusion.caption.text()


def test_redraw_is_timer_driven_and_only_when_dirty(qtbot, dashboard):
    feed(dashboard)
    assert dashboard.plots["loss"].dirty  # nothing drawn yet: appends only buffer
    qtbot.waitUntil(lambda: not dashboard.plots["loss"].dirty, timeout=2000)
    qtbot.waitUntil(lambda: not dashboard._timer.isActive(), timeout=2000)
    count = dashboard.redraws
    qtbot.wait(150)
    assert dashboard.redraws == count  # idle: no redraws


def test_new_run_clears_live_curves_but_keeps_overlays(dashboard):
    dashboard.set_overlays([("old", [epoch_record(0, 2.0, 2.5), epoch_record(1, 1.5, 2.0)])])
    feed(dashboard)
    dashboard.start_run({"config": {"epochs": 1}})
    dashboard.redraw_all()
    assert len(dashboard.plots["loss"].series["train_epoch"]) == 0
    assert len(dashboard.plots["loss"].series["overlay:old:val"]) == 2


def test_overlay_two_runs(dashboard):
    runs = [("run-a", [epoch_record(e, 1.0 - 0.1 * e, 1.1 - 0.1 * e) for e in range(3)]),
            ("run-b", [epoch_record(e, 2.0 - 0.1 * e, 2.1 - 0.1 * e) for e in range(5)])]
    dashboard.set_overlays(runs)
    dashboard.redraw_all()
    loss = dashboard.plots["loss"]
    for label, n in (("run-a", 3), ("run-b", 5)):
        for split in ("train", "val"):
            x, y = loss.curves[f"overlay:{label}:{split}"].getData()
            assert len(x) == n
    assert list(loss.curves["overlay:run-b:val"].getData()[1][:2]) == pytest.approx([2.1, 2.0])
    assert "overlay:run-a:val" in dashboard.plots["accuracy"].curves
    dashboard.set_overlays([])
    assert not [k for k in loss.curves if k.startswith("overlay:")]


def test_highlight_evidence_shades_epochs_and_emphasizes_layer(dashboard):
    feed(dashboard)
    dashboard.highlight({"epochs": [2, 3], "metrics": ["train_loss", "val_loss"]})
    assert dashboard.plots["loss"].regions == [(1.0, 3.0)]
    assert dashboard.plots["accuracy"].regions == []
    dashboard.highlight({"layer": "fc2", "metrics": ["grad_norm"]})
    grad = dashboard.plots["grad_norm"]
    assert grad.curves["layer:fc2"].opts["pen"].widthF() == 3.0
    assert grad.curves["layer:fc1"].opts["pen"].color().alpha() < 255
    dashboard.highlight(None)
    assert grad.curves["layer:fc1"].opts["pen"].color().alpha() == 255
    assert dashboard.plots["loss"].regions == []


def test_log_scale_and_auto_range(dashboard):
    feed(dashboard)
    dashboard.redraw_all()
    dashboard.log_box.setChecked(True)
    assert dashboard.plots["loss"].getPlotItem().ctrl.logYCheck.isChecked()
    assert not dashboard.plots["accuracy"].getPlotItem().ctrl.logYCheck.isChecked()
    dashboard.auto_range()
    dashboard.log_box.setChecked(False)
    assert not dashboard.plots["loss"].getPlotItem().ctrl.logYCheck.isChecked()


def test_hover_readout_reports_nearest_points(dashboard):
    feed(dashboard)
    text = dashboard.plots["loss"].readout_text(2.0)
    assert "validation (epoch): 0.6" in text
    assert text.startswith("x = 2")


def test_export_csv_and_png(dashboard, tmp_path):
    feed(dashboard, epochs=2, batches=3)
    count = dashboard.export_csv(tmp_path / "curves.csv")
    rows = list(csv.DictReader(open(tmp_path / "curves.csv", encoding="utf-8")))
    assert len(rows) == count > 0
    assert {"loss", "accuracy", "lr", "grad_norm"} <= {r["plot"] for r in rows}
    val = [r for r in rows if r["plot"] == "loss" and r["curve"] == "val_epoch"]
    assert [float(r["x"]) for r in val] == [1.0, 2.0]
    dashboard.export_png(tmp_path / "loss.png", "loss")
    dashboard.export_png(tmp_path / "all.png")
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "all.png").stat().st_size > (tmp_path / "loss.png").stat().st_size
    with pytest.raises(KeyError, match="no plot"):
        dashboard.export_png(tmp_path / "x.png", "nope")


def test_confusion_view_shows_report(dashboard):
    report = {"labels": ["a", "b"], "confusion": [[5, 1], [2, 7]], "accuracy": 0.8,
              "macro_f1": 0.79, "per_class": [
                  {"label": "a", "precision": 0.71, "recall": 0.83, "f1": 0.77, "support": 6},
                  {"label": "b", "precision": 0.88, "recall": 0.78, "f1": 0.82, "support": 9}]}
    dashboard.finish_run({"stopped_reason": "completed", "epochs_run": 1, "evaluation": report})
    view = dashboard.confusion
    assert view.cell_count(1, 0) == 2 and view.cell_count(1, 1) == 7
    assert view.per_class.item(1, 3).text() == "0.820"
    with pytest.raises(ValueError, match="2x2"):
        view.set_report({**report, "confusion": [[1, 2, 3]]})


def test_auto_range_keeps_following_new_data(qtbot, dashboard):
    dashboard.show()
    feed(dashboard, epochs=3)
    dashboard.redraw_all()
    dashboard.auto_range()
    loss_vb = dashboard.plots["loss"].getPlotItem().vb
    for e in range(3, 12):
        dashboard.add_epoch(epoch_record(e, 0.1, 0.2))
    dashboard.redraw_all()
    qtbot.waitUntil(lambda: loss_vb.viewRange()[0][1] >= 11.5, timeout=3000)
    acc_vb = dashboard.plots["accuracy"].getPlotItem().vb
    assert acc_vb.viewRange()[1][0] <= 0.0 and acc_vb.viewRange()[1][1] >= 1.0  # fixed 0..1


def regression_record(epoch):
    return {"kind": "epoch", "epoch": epoch, "x": epoch + 1, "train_loss": 0.9 - 0.1 * epoch,
            "val_loss": 1.0 - 0.1 * epoch, "train_accuracy": None, "val_accuracy": None,
            "train_mae": 50.0 - epoch, "val_mae": 52.0 - epoch, "val_rmse": 60.0,
            "val_r2": 0.2 + 0.1 * epoch, "lr": 0.01, "samples_per_second": 500.0,
            "grad_norm": {"fc1": 0.3}, "dead_fraction": {"relu1": 0.1}}


def test_regression_run_shows_mae_and_r2_instead_of_accuracy(dashboard):
    dashboard.start_run({"device": "cpu", "num_train": 50, "num_val": 10, "task": "regression",
                         "target": "progression", "batches_per_epoch": 2,
                         "config": {"epochs": 2}})
    assert "accuracy" not in dashboard.visible_plots()
    assert {"mae", "r2"} <= set(dashboard.visible_plots())
    dashboard.add_batches([{"x": 0.5, "loss": 1.0, "accuracy": None, "lr": 0.01}])
    for e in range(2):
        dashboard.add_epoch(regression_record(e))  # accuracy None: no crash
    dashboard.redraw_all()
    assert "val MAE 51" in dashboard.status.text() and "accuracy" not in dashboard.status.text()
    x, y = dashboard.plots["mae"].curves["val_epoch"].getData()
    assert list(y) == [52.0, 51.0]
    assert list(dashboard.plots["r2"].curves["val_epoch"].getData()[1]) == pytest.approx(
        [0.2, 0.3])
    dashboard.finish_run({"stopped_reason": "completed", "epochs_run": 2, "task": "regression",
                          "val_accuracy": None, "val_mae": 51.0, "val_r2": 0.3,
                          "evaluation": {"task": "regression", "target": "progression",
                                         "weights": "best", "mae": 51.0, "rmse": 60.0,
                                         "r2": 0.3, "loss": 0.9}})
    assert "R² 0.300" in dashboard.status.text()
    view = dashboard.confusion
    assert view.matrix.rowCount() == 0 and not view.split.isVisibleTo(view)
    assert "progression" in view.caption.text() and "51" in view.caption.text()
    assert dashboard.tabs.tabText(1) == "Validation errors"


def test_a_finished_regression_run_opened_from_the_runs_list_gets_mae_plots(dashboard):
    assert "accuracy" in dashboard.visible_plots()
    dashboard.set_overlays([("reg", [regression_record(e) for e in range(3)])])
    assert {"mae", "r2"} <= set(dashboard.visible_plots())
    assert "accuracy" not in dashboard.visible_plots()
    dashboard.redraw_all()
    assert "overlay:reg:val" in dashboard.plots["mae"].curves
    assert not [k for k in dashboard.plots["accuracy"].curves if k.startswith("overlay:")]
    dashboard.set_overlays([])
    assert "accuracy" in dashboard.visible_plots()


def test_overlays_reach_every_plot_with_a_legend_outside_the_plot(dashboard):
    runs = [("run-a", [epoch_record(e, 1.0, 1.1) for e in range(3)]),
            ("run-b", [epoch_record(e, 2.0, 2.1) for e in range(2)])]
    dashboard.set_overlays(runs)
    dashboard.redraw_all()
    for key in ("loss", "accuracy", "lr", "speed"):
        assert [k for k in dashboard.plots[key].curves if k.startswith("overlay:run-b")], key
    assert "overlay:run-a:layer:fc2" in dashboard.plots["grad_norm"].curves
    assert "overlay:run-b:layer:act1" in dashboard.plots["dead"].curves
    legend = dashboard.cards["loss"].legend
    text = legend.text()
    # runs by colour (once each), train / validation by line style; no live-only entries
    assert text.count("run-a") == 1 and text.count("run-b") == 1
    assert "train" in text and "validation" in text and "batch" not in text
    assert legend.isVisibleTo(dashboard.cards["loss"])
    plot = dashboard.plots["loss"]
    assert not plot.getPlotItem().legend  # nothing drawn inside the plot area
    assert legend.wordWrap()


def test_plot_grid_fits_a_narrow_dock_without_horizontal_scrolling(qtbot):
    from PySide6 import QtWidgets

    board = Dashboard()
    scroller = QtWidgets.QScrollArea()
    scroller.setWidgetResizable(True)
    scroller.setWidget(board)
    qtbot.addWidget(scroller)
    for width, columns in ((870, 4), (700, 3), (420, 1)):
        scroller.resize(width, 400)
        scroller.show()
        qtbot.wait(10)
        assert scroller.horizontalScrollBar().maximum() == 0, width
        assert board.grid.columns == columns


def test_reset_clears_curves_overlays_and_validation_metrics(dashboard):
    feed(dashboard)
    dashboard.finish_run({"stopped_reason": "completed", "epochs_run": 3})
    dashboard.set_overlays([("old", [epoch_record(0, 2.0, 2.5)])])
    dashboard.reset()
    dashboard.redraw_all()
    assert len(dashboard.plots["loss"].series["val_epoch"]) == 0
    assert not [k for k in dashboard.plots["loss"].curves if k.startswith("overlay:")]
    assert dashboard.status.text().startswith("No run yet")
    assert dashboard.cards["loss"].legend.text() == ""


def test_reset_during_a_live_run_keeps_its_curves(dashboard):
    dashboard.start_run({"config": {"epochs": 3}})
    dashboard.add_epoch(epoch_record(0, 1.0, 1.2))
    dashboard.reset()
    assert len(dashboard.plots["loss"].series["val_epoch"]) == 1


def test_a_ten_class_confusion_matrix_fits_without_scrolling(qtbot):
    from ui.panels.confusion_view import ConfusionView

    view = ConfusionView()
    qtbot.addWidget(view)
    labels = [f"class{i}" for i in range(10)]
    view.set_report({"labels": labels, "accuracy": 0.9, "macro_f1": 0.9,
                     "confusion": [[30 if i == j else 1 for j in range(10)] for i in range(10)],
                     "per_class": []})
    view.resize(800, 420)
    view.show()
    qtbot.wait(10)
    assert view.matrix.horizontalScrollBar().maximum() == 0
    assert view.matrix.verticalScrollBar().maximum() == 0


def test_csv_export_has_no_empty_rows_for_the_other_tasks_plots(dashboard, tmp_path):
    feed(dashboard, epochs=2, batches=2)
    dashboard.export_csv(tmp_path / "curves.csv")
    rows = list(csv.DictReader(open(tmp_path / "curves.csv", encoding="utf-8")))
    assert not [r for r in rows if r["plot"] in ("mae", "r2")]
