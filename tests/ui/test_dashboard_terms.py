"""Dashboard: an objective's loss terms (loss_<term> in the epoch records) get their own plot,
live and for compared runs; runs without terms do not show it."""

from __future__ import annotations

import pytest

from ui.panels.dashboard import Dashboard
from ui.panels.dashboard_terms import loss_terms


@pytest.fixture
def dashboard(qtbot):
    board = Dashboard()
    qtbot.addWidget(board)
    board.resize(1200, 600)
    return board


def record(epoch, **terms):
    return {"kind": "epoch", "epoch": epoch, "x": epoch + 1, "train_loss": 1.0 / (epoch + 1),
            "val_loss": 1.1, "train_accuracy": 0.5, "val_accuracy": 0.4, "lr": 0.01, **terms}


def test_loss_terms_reads_only_numeric_loss_keys():
    assert loss_terms({"loss_soft": 0.5, "loss_hard": 1, "loss_x": None, "loss_": 2.0,
                       "train_loss": 3.0, "loss_flag": True}) == {"soft": 0.5, "hard": 1.0}


def test_live_terms_plot_shows_each_term(dashboard):
    dashboard.start_run({"config": {"epochs": 2}})
    assert "terms" not in dashboard.visible_plots()
    for e in range(2):
        dashboard.add_epoch(record(e, loss_soft=0.5 / (e + 1), loss_hard=0.8 / (e + 1)))
    dashboard.redraw_all()
    assert "terms" in dashboard.visible_plots()
    plot = dashboard.plots["terms"]
    xs, ys = plot.series["term:soft"].data()
    assert xs.tolist() == [1.0, 2.0] and ys.tolist() == pytest.approx([0.5, 0.25])
    assert plot.series["term:hard"].data()[1].tolist() == pytest.approx([0.8, 0.4])
    assert {name for name, _c, _s in plot.legend_entries()} >= {"soft (train, epoch)",
                                                               "hard (train, epoch)"}
    dashboard.start_run({"config": {"epochs": 1}})  # a plain run: no terms plot
    dashboard.add_epoch(record(0))
    assert "terms" not in dashboard.visible_plots()


def test_compared_runs_draw_their_terms(dashboard):
    runs = [("student", [record(0, loss_soft=0.9, loss_hard=1.2),
                         record(1, loss_soft=0.6, loss_hard=0.7)]),
            ("plain", [record(0), record(1)])]
    dashboard.set_overlays(runs)
    assert "terms" in dashboard.visible_plots()
    series = dashboard.plots["terms"].series
    assert series["overlay:student:term:soft"].data()[1].tolist() == pytest.approx([0.9, 0.6])
    assert not any("plain" in key for key in series)
    dashboard.set_overlays([runs[1]])
    assert "terms" not in dashboard.visible_plots()
