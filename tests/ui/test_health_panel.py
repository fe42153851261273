"""Health panel: findings from crafted histories and live diagnostics; evidence to the plots."""

from __future__ import annotations

from ui.panels.dashboard import Dashboard
from ui.panels.health_panel import HealthPanel, finding_from_diagnostic


def overfitting_history(epochs: int = 10) -> list[dict]:
    history = []
    for e in range(epochs):
        train = 1.0 / (e + 1)
        val = 0.8 - 0.1 * e if e < 4 else 0.5 + 0.15 * (e - 4)
        history.append({"kind": "epoch", "epoch": e, "train_loss": train, "val_loss": val,
                        "train_accuracy": 0.6 + 0.04 * e, "val_accuracy": 0.7, "lr": 0.001})
    return history


def test_crafted_history_shows_overfitting_with_explanation_and_fix(qtbot):
    panel = HealthPanel()
    qtbot.addWidget(panel)
    panel.set_history(overfitting_history(), {"num_classes": 2})
    codes = [f["code"] for f in panel.findings]
    assert "overfitting" in codes
    row = codes.index("overfitting")
    assert "Overfitting" in panel.list.item(row).text()
    with qtbot.waitSignal(panel.evidenceSelected) as selected:
        panel.list.setCurrentRow(row)
    assert selected.args[0]["epochs"] == [4, 10]
    html = panel.detail.toPlainText()
    assert "What to do:" in html and "early stopping" in html.lower()
    assert "epochs 4 to 10" in html


def test_selecting_finding_highlights_evidence_on_dashboard(qtbot):
    panel, board = HealthPanel(), Dashboard()
    qtbot.addWidget(panel)
    qtbot.addWidget(board)
    panel.evidenceSelected.connect(board.highlight)
    panel.set_history(overfitting_history(), {"num_classes": 2})
    panel.list.setCurrentRow([f["code"] for f in panel.findings].index("overfitting"))
    assert board.plots["loss"].regions == [(3.0, 10.0)]
    panel.clear()
    assert board.plots["loss"].regions == []
    assert panel.list.count() == 0


def test_live_diagnostics_are_listed_once_and_errors_first(qtbot):
    panel = HealthPanel()
    qtbot.addWidget(panel)
    panel.add_diagnostic({"code": "dead_units", "severity": "warning", "title": "Dead ReLUs",
                          "message": "30% of act1 never fires", "evidence": {"layer": "act1"},
                          "fix": "Use LeakyReLU"})
    panel.add_diagnostic({"code": "nan", "severity": "error", "title": "NaN", "message": "boom",
                          "epoch": 1, "evidence": {"epoch": 1, "batch": 3}})
    panel.add_diagnostic({"code": "dead_units", "severity": "warning", "title": "Dead ReLUs",
                          "message": "35% of act1 never fires", "evidence": {"layer": "act1"}})
    panel.add_diagnostic({"code": "histograms", "severity": "info", "title": "x",
                          "message": "view note"})
    assert [f["code"] for f in panel.findings] == ["nan", "dead_units"]
    assert panel.findings[1]["explanation"] == "35% of act1 never fires"
    assert panel.findings[1]["fix"] == "Use LeakyReLU"
    assert not panel.list.item(0).icon().isNull()


def test_finding_from_diagnostic_shape():
    finding = finding_from_diagnostic({"code": "c", "severity": "info", "title": "t",
                                       "message": "m", "epoch": None})
    assert finding == {"code": "c", "severity": "info", "title": "t", "explanation": "m",
                       "fix": "", "evidence": {}}


def test_leakage_finding_names_its_evidence(qtbot):
    panel = HealthPanel()
    qtbot.addWidget(panel)
    overlap = {"val": {"shared": 27, "total": 28, "conflicting": 0},
               "test": {"shared": 0, "total": 28, "conflicting": 0}}
    panel.set_history(overfitting_history(), {"num_classes": 2, "split_overlap": overlap})
    codes = [f["code"] for f in panel.findings]
    panel.list.setCurrentRow(codes.index("leakage_val"))
    text = panel.detail.toPlainText()
    assert "27 of 28 samples of the val split are copies of training samples" in text
    assert "see the plots" not in text


def test_a_long_title_wraps_in_a_narrow_dock_instead_of_being_cut_off(qtbot):
    panel = HealthPanel()
    qtbot.addWidget(panel)
    panel.resize(290, 400)
    title = ("Overfitting: the network is memorizing the training data (validation loss "
             "rising since epoch 18)")
    panel.set_findings([{"code": "overfitting", "severity": "warning", "title": title,
                         "explanation": "x", "evidence": {}, "fix": "y"}])
    panel.show()
    qtbot.waitExposed(panel)
    rect = panel.list.visualItemRect(panel.list.item(0))
    line = panel.list.fontMetrics().height()
    assert rect.height() >= 2 * line  # wrapped onto several lines
    assert rect.width() <= panel.list.viewport().width()
    assert panel.list.horizontalScrollBar().maximum() == 0
