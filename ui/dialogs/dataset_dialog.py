"""The CSV dataset dialog: file, delimiter, lines to skip, column names, target, columns kept out
of the inputs, task and missing-value indicator, with a live preview of what loading will
decide.

The preview is the core's own load report (``workbench.data.load_report.report_summary``), so
the dialog shows exactly what ``workbench train`` prints and the run's config.json records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

DELIMITERS = [("auto", "auto (detect)"), (",", "comma  ,"), (";", "semicolon  ;"),
              ("tab", "tab"), ("space", "space"), ("|", "pipe  |")]
TASKS = [("auto", "auto (infer from the target)"), ("classification", "classification"),
         ("regression", "regression")]
PREVIEW_DELAY_MS = 250
EXCLUDE_TIP = ("Columns the network does not see as inputs. They stay in the run's data, so "
               "the Explain view can still group its results by them.\nKeep out ids and row "
               "numbers (they only let a model memorize), and a sensitive attribute (sex, "
               "age group, region) whose fairness you want to check without the model using "
               "it.")


def _names(value: Any) -> list[str]:
    """Option ``exclude`` as a list of names (it may be a list or one "a,b" text)."""
    if isinstance(value, str):
        return [n.strip() for n in value.split(",") if n.strip()]
    return [str(n) for n in value] if isinstance(value, list) else []


def _delimiter_key(value: Any) -> str:
    aliases = {"\t": "tab", "\\t": "tab", " ": "space", "": "auto", None: "auto"}
    return aliases.get(value, str(value))


class CsvDatasetDialog(QtWidgets.QDialog):
    """Choose and describe a CSV file; :meth:`options` gives the dataset options."""

    def __init__(self, parent: QtWidgets.QWidget | None = None,
                 options: dict[str, Any] | None = None, start_folder: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("CSV dataset")
        self.setMinimumWidth(560)
        self.start_folder = start_folder
        self.header: list[str] = []
        self.report: dict[str, Any] = {}
        self.error = ""

        self.path_edit = QtWidgets.QLineEdit()
        self.path_edit.setPlaceholderText("a .csv, .tsv or .txt file")
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        path_row = QtWidgets.QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.delimiter_combo = QtWidgets.QComboBox()
        for key, text in DELIMITERS:
            self.delimiter_combo.addItem(text, key)
        self.skip_spin = QtWidgets.QSpinBox()
        self.skip_spin.setRange(0, 10_000)
        self.skip_spin.setToolTip("Lines before the header to skip (comments, titles)")
        self.columns_edit = QtWidgets.QLineEdit()
        self.columns_edit.setPlaceholderText("empty: the first row is the header")
        self.columns_edit.setToolTip("For a file without a header row: its column names, "
                                     "separated by commas (a,b,c)")
        self.target_combo = QtWidgets.QComboBox()
        self.target_combo.setToolTip("The column the network learns to predict")
        self.exclude_list = QtWidgets.QListWidget()
        self.exclude_list.setToolTip(EXCLUDE_TIP)
        self.exclude_list.setMaximumHeight(110)
        self.task_combo = QtWidgets.QComboBox()
        for key, text in TASKS:
            self.task_combo.addItem(text, key)
        self.indicator_check = QtWidgets.QCheckBox(
            "add a 0/1 \"<column>_missing\" input for numeric columns with missing cells")
        self.preview = QtWidgets.QLabel("Choose a CSV file.")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.preview.setMinimumHeight(48)

        form = QtWidgets.QFormLayout()
        form.addRow("File", path_row)
        form.addRow("Delimiter", self.delimiter_combo)
        form.addRow("Skip lines", self.skip_spin)
        form.addRow("Column names", self.columns_edit)
        form.addRow("Target column", self.target_combo)
        exclude_label = QtWidgets.QLabel("Keep out of\nthe inputs")
        exclude_label.setToolTip(EXCLUDE_TIP)
        form.addRow(exclude_label, self.exclude_list)
        form.addRow("Task", self.task_combo)
        form.addRow("Missing values", self.indicator_check)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok
                                                  | QtWidgets.QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)

        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._wanted_target = ""
        self._wanted_exclude: list[str] = []
        self.set_options(options or {})
        for signal in (self.path_edit.textChanged, self.columns_edit.textChanged):
            signal.connect(self.schedule_preview)
        self.skip_spin.valueChanged.connect(self.schedule_preview)
        for combo in (self.delimiter_combo, self.target_combo, self.task_combo):
            combo.currentIndexChanged.connect(self.schedule_preview)
        self.indicator_check.toggled.connect(self.schedule_preview)
        self.target_combo.currentIndexChanged.connect(self._hide_target_from_exclude)
        self.exclude_list.itemChanged.connect(self.schedule_preview)
        self.refresh_preview()

    # state <-> options -----------------------------------------------------------------
    def set_options(self, options: dict[str, Any]) -> None:
        """Show existing dataset options (a project's csv dataset) in the controls."""
        self.path_edit.setText(str(options.get("path", "")))
        index = self.delimiter_combo.findData(_delimiter_key(options.get("delimiter", "auto")))
        self.delimiter_combo.setCurrentIndex(max(0, index))
        self.skip_spin.setValue(int(options.get("skip_rows", 0) or 0))
        columns = options.get("columns") or ""
        self.columns_edit.setText(",".join(columns) if isinstance(columns, list) else columns)
        self._wanted_target = str(options.get("target") or "")
        self._wanted_exclude = _names(options.get("exclude"))
        self._check_excluded(self._wanted_exclude)
        self.task_combo.setCurrentIndex(max(0, self.task_combo.findData(
            options.get("task", "auto"))))
        self.indicator_check.setChecked(bool(options.get("missing_indicator", False)))

    def reading_options(self) -> dict[str, Any]:
        """How to read the file (no target, task): enough to list its columns."""
        options: dict[str, Any] = {"path": self.path_edit.text().strip()}
        delimiter = self.delimiter_combo.currentData()
        if delimiter != "auto":
            options["delimiter"] = delimiter
        if self.skip_spin.value():
            options["skip_rows"] = self.skip_spin.value()
        if self.columns_edit.text().strip():
            options["columns"] = self.columns_edit.text().strip()
        return options

    def options(self) -> dict[str, Any]:
        """The dataset options for the project file (defaults left out)."""
        options = self.reading_options()
        target = self.target_combo.currentText()
        if target:
            options["target"] = target
        excluded = self.excluded()
        if excluded:
            options["exclude"] = excluded
        if self.task_combo.currentData() != "auto":
            options["task"] = self.task_combo.currentData()
        if self.indicator_check.isChecked():
            options["missing_indicator"] = True
        return options

    def excluded(self) -> list[str]:
        """The checked columns of "Keep out of the inputs" (never the target), in file order."""
        target = self.target_combo.currentText()
        items = (self.exclude_list.item(i) for i in range(self.exclude_list.count()))
        return [item.text() for item in items
                if item.checkState() == QtCore.Qt.Checked and item.text() != target]

    def _check_excluded(self, names: list[str]) -> None:
        blocker = QtCore.QSignalBlocker(self.exclude_list)
        for i in range(self.exclude_list.count()):
            item = self.exclude_list.item(i)
            item.setCheckState(QtCore.Qt.Checked if item.text() in names
                               else QtCore.Qt.Unchecked)
        del blocker
        self._hide_target_from_exclude()

    def _fill_exclude(self, header: list[str]) -> None:
        """One checkable row per column; the checked names that still exist stay checked."""
        wanted = self.excluded() if self.exclude_list.count() else self._wanted_exclude
        blocker = QtCore.QSignalBlocker(self.exclude_list)
        self.exclude_list.clear()
        for name in header:
            item = QtWidgets.QListWidgetItem(name)
            item.setFlags(item.flags() | QtCore.Qt.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.Checked if name in wanted else QtCore.Qt.Unchecked)
            self.exclude_list.addItem(item)
        del blocker
        self._hide_target_from_exclude()

    def _hide_target_from_exclude(self, *_args: Any) -> None:
        """The target is never an input: its row is hidden and unchecked."""
        target = self.target_combo.currentText()
        blocker = QtCore.QSignalBlocker(self.exclude_list)
        for i in range(self.exclude_list.count()):
            item = self.exclude_list.item(i)
            item.setHidden(item.text() == target)
            if item.text() == target:
                item.setCheckState(QtCore.Qt.Unchecked)
        del blocker

    # preview -----------------------------------------------------------------------------
    def schedule_preview(self, *_args: Any) -> None:
        self._timer.start()

    def refresh_preview(self) -> None:
        """Read the header, fill the target choices, and load the data as training would."""
        from workbench.data import DataError, load_dataset
        from workbench.data.csv_reading import read_table
        from workbench.data.load_report import report_summary

        self._timer.stop()
        self.report, self.error = {}, ""
        if not self.path_edit.text().strip():
            self._show("Choose a CSV file.", ok=False)
            return
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.WaitCursor)
        try:
            table = read_table(Path(self.path_edit.text().strip()), self.reading_options())
            self._fill_targets(table.header)
            dataset = load_dataset({"name": "csv", "options": self.options()})
        except DataError as exc:
            self.error = str(exc)
            self._show(self.error, ok=False)
            return
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.report = dataset.load_report
        task = (f"task: {self.report.get('task')} ({self.report.get('task_reason')}); "
                f"inputs: {self.report.get('features')}")
        imputed = ", ".join(f"{name} {count}"
                            for name, count in (self.report.get("imputed") or {}).items())
        notes = "".join(f"\nnote: {note}" for note in self.report.get("notes", [])
                        if not note.startswith("kept out of the model's inputs"))
        kept = self.report.get("excluded_columns") or []
        if kept:
            notes = (f"\nkept out of the inputs (for per-group metrics): {', '.join(kept)}"
                     f"{notes}")
        self._show(f"{report_summary(self.report)}\n{task}"
                   f"{chr(10) + 'imputed: ' + imputed if imputed else ''}{notes}", ok=True)

    def _fill_targets(self, header: list[str]) -> None:
        if header == self.header:
            return
        wanted = self.target_combo.currentText() or self._wanted_target
        self.header = list(header)
        blocker = QtCore.QSignalBlocker(self.target_combo)
        self.target_combo.clear()
        self.target_combo.addItems(header)
        self.target_combo.setCurrentIndex(header.index(wanted) if wanted in header
                                          else len(header) - 1)
        del blocker
        self._fill_exclude(self.header)

    def _show(self, text: str, ok: bool) -> None:
        self.preview.setText(text)
        self.preview.setStyleSheet("" if ok else "color: #b00020;")
        self.buttons.button(QtWidgets.QDialogButtonBox.Ok).setEnabled(ok)

    def preview_text(self) -> str:
        return self.preview.text()

    def browse(self) -> None:
        start = self.path_edit.text().strip() or self.start_folder
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Choose the CSV file", start,
            "Delimited text (*.csv *.tsv *.txt *.data);;All files (*)")
        if path:
            self.path_edit.setText(path)
            self.refresh_preview()


def ask_csv_options(parent: QtWidgets.QWidget | None, current: dict[str, Any] | None = None,
                    start_folder: str = "") -> dict[str, Any] | None:
    """Run the dialog; the chosen options, or None when cancelled."""
    dialog = CsvDatasetDialog(parent, current, start_folder)
    if not current or not current.get("path"):
        dialog.browse()  # the file first, as before; cancelling it cancels the whole choice
        if not dialog.path_edit.text().strip():
            dialog.deleteLater()
            return None
    accepted = dialog.exec() == QtWidgets.QDialog.Accepted
    options = dialog.options() if accepted else None
    dialog.deleteLater()
    return options
