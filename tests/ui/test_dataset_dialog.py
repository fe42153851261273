"""The CSV dataset dialog: header-filled target choices, live preview, options it returns,
and the main window using it for csv datasets."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from ui.dialogs.dataset_dialog import CsvDatasetDialog


def penguins(path, sep=";"):
    species = ["Adelie", "Chinstrap", "Gentoo"]
    lines = [sep.join(["'bill'", "mass", "island", "species"])]
    for i in range(90):
        bill = "NA" if i % 10 == 0 else f"{38 + (i % 3) * 5 + (i % 7) * 0.2:.1f}"
        target = "NA" if i in (4, 9) else species[i % 3]
        lines.append(sep.join([bill, str(3500 + (i % 3) * 700 + i), "BDT"[i % 3], target]))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def dialog(qtbot):
    made = []

    def make(options=None):
        dlg = CsvDatasetDialog(None, options)
        qtbot.addWidget(dlg)
        made.append(dlg)
        return dlg

    yield make


def ok_enabled(dlg) -> bool:
    return dlg.buttons.button(QtWidgets.QDialogButtonBox.Ok).isEnabled()


def test_preview_says_target_rows_drops_and_imputations(dialog, tmp_path):
    dlg = dialog({"path": str(penguins(tmp_path / "p.csv"))})
    assert [dlg.target_combo.itemText(i) for i in range(dlg.target_combo.count())] == [
        "bill", "mass", "island", "species"]
    assert dlg.target_combo.currentText() == "species"  # the last column by default
    text = dlg.preview_text()
    assert text.startswith("target: species (3 classes: Adelie, Chinstrap, Gentoo), 88 rows, "
                           "2 dropped, 9 cells imputed")
    assert "task: classification" in text and ok_enabled(dlg)
    assert "imputed: bill 9" in text
    assert dlg.options() == {"path": str(tmp_path / "p.csv"), "target": "species"}


def test_changing_controls_updates_preview_and_options(dialog, qtbot, tmp_path):
    dlg = dialog({"path": str(penguins(tmp_path / "p.csv"))})
    dlg.target_combo.setCurrentText("mass")
    qtbot.waitUntil(lambda: "target: mass (regression" in dlg.preview_text())
    assert "task: regression (inferred: " in dlg.preview_text()
    dlg.task_combo.setCurrentIndex(dlg.task_combo.findData("classification"))
    qtbot.waitUntil(lambda: not ok_enabled(dlg))
    assert "of column 'mass' has only 1 row" in dlg.preview_text()
    dlg.target_combo.setCurrentText("island")
    dlg.indicator_check.setChecked(True)
    qtbot.waitUntil(lambda: ok_enabled(dlg))
    assert dlg.preview_text().startswith("target: island (3 classes: B, D, T), 90 rows, "
                                         "11 cells imputed")
    assert dlg.options() == {"path": str(tmp_path / "p.csv"), "target": "island",
                             "task": "classification", "missing_indicator": True}
    assert dlg.report["task_reason"] == "given" and dlg.report["features"] == 7


def test_wrong_delimiter_is_shown_and_ok_disabled(dialog, qtbot, tmp_path):
    dlg = dialog({"path": str(penguins(tmp_path / "p.csv")), "target": "species"})
    dlg.delimiter_combo.setCurrentIndex(dlg.delimiter_combo.findData(","))
    qtbot.waitUntil(lambda: not ok_enabled(dlg))
    assert "the header contains ';' (semicolon): try --delimiter ';'" in dlg.preview_text()
    dlg.delimiter_combo.setCurrentIndex(dlg.delimiter_combo.findData(";"))
    qtbot.waitUntil(lambda: ok_enabled(dlg))
    assert dlg.options()["delimiter"] == ";"


def test_headerless_file_with_skip_rows_and_column_names(dialog, qtbot, tmp_path):
    body = penguins(tmp_path / "p.csv", sep="\t").read_text(encoding="utf-8-sig")
    path = tmp_path / "raw.txt"
    path.write_text("# station log\n" + "\n".join(body.splitlines()[1:]) + "\n")
    dlg = dialog({"path": str(path), "delimiter": "\t", "skip_rows": 1,
                  "columns": ["bill", "mass", "isl", "kind"]})
    assert dlg.delimiter_combo.currentData() == "tab" and dlg.skip_spin.value() == 1
    assert dlg.target_combo.currentText() == "kind" and ok_enabled(dlg)
    assert "88 rows" in dlg.preview_text()
    dlg.columns_edit.setText("a,b,c,d")
    qtbot.waitUntil(lambda: dlg.target_combo.currentText() == "d")
    assert dlg.options()["columns"] == "a,b,c,d" and dlg.options()["skip_rows"] == 1


def test_main_window_uses_the_dialog_for_csv(make_window, qtbot, tmp_path, monkeypatch):
    from ui.dialogs import dataset_dialog

    path = penguins(tmp_path / "p.csv")
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    seen = []

    def accept(self):
        seen.append(self.preview_text())
        self.indicator_check.setChecked(True)
        return QtWidgets.QDialog.Accepted

    monkeypatch.setattr(dataset_dialog.CsvDatasetDialog, "exec", accept)
    window = make_window()
    assert window.choose_dataset("csv")
    dataset = window.document.project.dataset
    assert dataset["name"] == "csv" and dataset["options"]["missing_indicator"] is True
    assert dataset["options"]["target"] == "species" and seen[0].startswith("target: species")


def exclude_rows(dlg) -> dict[str, bool]:
    """{column: checked} of the visible rows of "Keep out of the inputs"."""
    items = [dlg.exclude_list.item(i) for i in range(dlg.exclude_list.count())]
    return {item.text(): item.checkState() == QtCore.Qt.Checked for item in items
            if not item.isHidden()}


def test_keeping_a_column_out_shrinks_the_inputs(dialog, qtbot, tmp_path):
    dlg = dialog({"path": str(penguins(tmp_path / "p.csv"))})
    assert exclude_rows(dlg) == {"bill": False, "mass": False, "island": False}
    assert dlg.report["features"] == 5 and "kept out" not in dlg.preview_text()
    assert "sensitive attribute" in dlg.exclude_list.toolTip()
    check(dlg, "island")
    qtbot.waitUntil(lambda: dlg.report.get("features") == 2)
    assert "inputs: 2" in dlg.preview_text()
    assert "kept out of the inputs (for per-group metrics): island" in dlg.preview_text()
    assert dlg.options() == {"path": str(tmp_path / "p.csv"), "target": "species",
                             "exclude": ["island"]}
    assert dlg.report["excluded_columns"] == ["island"]


def test_exclude_is_read_back_and_the_target_cannot_be_kept_out(dialog, qtbot, tmp_path):
    dlg = dialog({"path": str(penguins(tmp_path / "p.csv")), "exclude": ["island", "bill"]})
    assert exclude_rows(dlg) == {"bill": True, "mass": False, "island": True}
    assert dlg.options()["exclude"] == ["bill", "island"] and dlg.report["features"] == 1
    dlg.target_combo.setCurrentText("island")  # the target: hidden from the list, unchecked
    qtbot.waitUntil(lambda: dlg.report.get("target") == "island")
    assert exclude_rows(dlg) == {"bill": True, "mass": False, "species": False}
    assert dlg.options()["exclude"] == ["bill"] and ok_enabled(dlg)
    dlg.target_combo.setCurrentText("species")
    qtbot.waitUntil(lambda: dlg.report.get("target") == "species")
    assert exclude_rows(dlg) == {"bill": True, "mass": False, "island": False}
    check(dlg, "mass")
    check(dlg, "island")
    qtbot.waitUntil(lambda: not ok_enabled(dlg))  # no input left: the loader's message
    assert "keeps out every feature column" in dlg.preview_text()


def test_exclude_as_text_option_is_read(dialog, tmp_path):
    dlg = dialog({"path": str(penguins(tmp_path / "p.csv")), "exclude": "mass"})
    assert dlg.options()["exclude"] == ["mass"] and dlg.report["excluded_columns"] == ["mass"]



def check(dlg, column: str) -> None:
    dlg.exclude_list.findItems(column, QtCore.Qt.MatchExactly)[0].setCheckState(
        QtCore.Qt.Checked)
