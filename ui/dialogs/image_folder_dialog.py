"""The image-folder dataset dialog: the folder (one sub-folder per class), the size images are
resized to, grayscale, and what to do with files that are not readable images (``bad_images``:
fail or skip), with the core's load report (images, size, classes, the cache, skipped files
counted and listed) as its preview.

Checking the folder is the core's own load (``workbench.data.load_dataset``) on a background
thread with a progress bar and Cancel: the first load of a big folder decodes every image into
the uint8 cache, which the runs then reuse, so nothing is decoded twice and nothing on the GUI
thread. OK is enabled once the folder has loaded with these options.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

CHECK_DELAY_MS = 400
BAD_IMAGES = [("fail", "stop and name the file (default)"),
              ("skip", "leave it out, counted and listed in the report")]


def _size_pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (list, tuple)) and len(value) == 2 \
            and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    return None


def load_folder(options: dict[str, Any], report: Any, cancelled: Any) -> dict[str, Any]:
    """(Background thread.) Load the folder as a run would; a small summary of it."""
    from workbench.data import load_dataset

    dataset = load_dataset({"name": "image_folder", "options": options}, progress=report,
                           cancel=cancelled)
    return {"report": dict(dataset.load_report), "shape": tuple(dataset.input_shape),
            "classes": list(dataset.class_names),
            "counts": {which: len(dataset.split(which)[1]) for which in ("train", "val",
                                                                         "test")}}


def describe(summary: dict[str, Any]) -> str:
    """The load report as lines for people (the CLI's lines, plus the splits)."""
    from workbench.data.load_report import report_lines

    report = summary["report"]
    lines = [line for line in report_lines(report) if not line.startswith("task:")]
    counts = summary.get("counts") or {}
    if counts:
        lines.append(f"splits: {counts.get('train', 0):,} training, {counts.get('val', 0):,} "
                     f"validation, {counts.get('test', 0):,} test images")
    shape = summary.get("shape")
    if shape:
        lines.append(f"network input: {' x '.join(str(d) for d in shape)} (channels x height "
                     f"x width)")
    return "\n".join(lines)


class ImageFolderDialog(QtWidgets.QDialog):
    """Choose and describe an image folder; :meth:`options` gives the dataset options."""

    def __init__(self, parent: QtWidgets.QWidget | None = None,
                 options: dict[str, Any] | None = None, start_folder: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("image_folder_dialog")
        self.setWindowTitle("Image folder dataset")
        self.setMinimumWidth(600)
        self.start_folder = start_folder
        self.summary: dict[str, Any] = {}
        self.error = ""
        self._job: Any = None
        self._restart = False  # the running check is cancelled to check newer options
        self._checked_options: dict[str, Any] | None = None  # what the summary is of
        self._extra: dict[str, Any] = {}  # options this dialog has no control for (kept)

        self.path_edit = QtWidgets.QLineEdit()
        self.path_edit.setPlaceholderText("a folder with one sub-folder of images per class")
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        path_row = QtWidgets.QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.resize_check = QtWidgets.QCheckBox("resize to")
        self.resize_check.setToolTip(
            "Every image is resized to height x width when it is decoded (once: the cache "
            "keeps them at this size). Off: the size of the first image.")
        self.height_spin = QtWidgets.QSpinBox()
        self.width_spin = QtWidgets.QSpinBox()
        for spin, what in ((self.height_spin, "height"), (self.width_spin, "width")):
            spin.setRange(1, 4096)
            spin.setValue(32)
            spin.setSuffix(" px")
            spin.setToolTip(f"Image {what} in pixels after resizing")
        size_row = QtWidgets.QHBoxLayout()
        size_row.addWidget(self.resize_check)
        size_row.addWidget(self.height_spin)
        size_row.addWidget(QtWidgets.QLabel("x"))
        size_row.addWidget(self.width_spin)
        size_row.addStretch(1)
        self.grayscale_check = QtWidgets.QCheckBox("one grey channel (colour images are "
                                                   "converted)")
        self.grayscale_check.setToolTip("Off: three colour channels (grey, RGBA and palette "
                                        "images are converted to RGB)")
        self.bad_combo = QtWidgets.QComboBox()
        for key, text in BAD_IMAGES:
            self.bad_combo.addItem(text, key)
        self.bad_combo.setToolTip(
            "A file in a class folder that is not a readable image (a damaged JPEG, a text "
            "file named .png). Hidden files, .DS_Store, Thumbs.db and files that are not "
            "images by name are always ignored.")

        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("image_folder_progress")
        self.progress.hide()
        self.cancel_button = QtWidgets.QPushButton("Cancel decode")
        self.cancel_button.setToolTip("Stop decoding; nothing half-decoded is kept")
        self.cancel_button.clicked.connect(self.cancel_check)
        self.cancel_button.hide()
        progress_row = QtWidgets.QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.preview = QtWidgets.QLabel("Choose an image folder.")
        self.preview.setObjectName("image_folder_report")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.preview.setMinimumHeight(64)

        form = QtWidgets.QFormLayout()
        form.addRow("Folder", path_row)
        form.addRow("Size", size_row)
        form.addRow("Channels", self.grayscale_check)
        form.addRow("Unreadable files", self.bad_combo)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok
                                                  | QtWidgets.QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(progress_row)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)

        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.set_options(options or {})
        self.path_edit.textChanged.connect(self.schedule_check)
        for spin in (self.height_spin, self.width_spin):
            spin.valueChanged.connect(self.schedule_check)
        for check in (self.resize_check, self.grayscale_check):
            check.toggled.connect(self.schedule_check)
        self.resize_check.toggled.connect(self._update_size_enabled)
        self.bad_combo.currentIndexChanged.connect(self.schedule_check)
        self._update_size_enabled()
        self._set_ok(False)
        if self.path_edit.text().strip():
            self.schedule_check()

    # state <-> options -------------------------------------------------------------------
    def set_options(self, options: dict[str, Any]) -> None:
        """Show a project's image_folder options in the controls."""
        known = {"path", "size", "grayscale", "bad_images"}
        self._extra = {k: v for k, v in options.items() if k not in known}
        self.path_edit.setText(str(options.get("path", "")))
        size = _size_pair(options.get("size"))
        self.resize_check.setChecked(size is not None)
        if size is not None:
            self.height_spin.setValue(size[0])
            self.width_spin.setValue(size[1])
        self.grayscale_check.setChecked(bool(options.get("grayscale", False)))
        self.bad_combo.setCurrentIndex(max(0, self.bad_combo.findData(
            options.get("bad_images", "fail"))))

    def options(self) -> dict[str, Any]:
        """The dataset options for the project file (defaults left out)."""
        options: dict[str, Any] = {**self._extra, "path": self.path_edit.text().strip()}
        if self.resize_check.isChecked():
            options["size"] = [self.height_spin.value(), self.width_spin.value()]
        if self.grayscale_check.isChecked():
            options["grayscale"] = True
        if self.bad_combo.currentData() != "fail":
            options["bad_images"] = self.bad_combo.currentData()
        return options

    def _update_size_enabled(self, *_: Any) -> None:
        for spin in (self.height_spin, self.width_spin):
            spin.setEnabled(self.resize_check.isChecked())

    # checking ----------------------------------------------------------------------------
    def schedule_check(self, *_: Any) -> None:
        self._set_ok(False)
        self._timer.start()

    def check(self) -> None:
        """Load the folder with these options in the background (a running check that is
        out of date is cancelled first)."""
        from ui.workers import BackgroundCall

        self._timer.stop()
        if not self.path_edit.text().strip():
            self._show("Choose an image folder.", ok=False)
            return
        if self._job is not None:
            self._restart = True  # its end starts the check of the current options
            self._job.request_cancel()
            return
        options = self.options()
        self._checked_options = None
        self.summary, self.error = {}, ""
        self._show("Reading the folder…", ok=False, neutral=True)
        self._job = BackgroundCall(
            lambda report, cancelled: (options, load_folder(options, report, cancelled)),
            with_progress=True)
        self._job.worker.progress.connect(self._on_progress)
        self._job.worker.result.connect(self._on_result)
        self._job.worker.error.connect(self._on_error)
        self._job.thread.finished.connect(self._on_done)
        self._job.start()

    def cancel_check(self) -> None:
        """Stop the running check (the person's Cancel: it is not started again)."""
        self._restart = False
        if self._job is not None:
            self._job.request_cancel()

    def busy(self) -> bool:
        return self._job is not None or self._timer.isActive()

    def _on_progress(self, progress: Any) -> None:
        from ui.panels.training_panel import data_progress_text

        values = {name: getattr(progress, name, None) for name in
                  ("done", "total", "per_second", "seconds_left", "stage")}
        self.progress.setRange(0, max(int(values["total"] or 0), 1))
        self.progress.setValue(int(values["done"] or 0))
        self.progress.show()
        self.cancel_button.show()
        self.preview.setText(data_progress_text(values))

    def _on_result(self, value: tuple[dict[str, Any], dict[str, Any]]) -> None:
        options, summary = value
        if options != self.options():
            return  # the options changed meanwhile; the next check is due
        self.summary, self._checked_options = summary, options
        self._show(describe(summary), ok=True)

    def _on_error(self, message: str) -> None:
        if self._restart:
            return  # cancelled for newer options
        self.error = message.split(": ", 1)[1] if message.startswith("DataError: ") \
            else message
        self._show(self.error, ok=False)

    def _on_done(self) -> None:
        self._job = None
        self.progress.hide()
        self.cancel_button.hide()
        if self._restart:
            self._restart = False
            self.check()

    def _set_ok(self, ok: bool) -> None:
        self.buttons.button(QtWidgets.QDialogButtonBox.Ok).setEnabled(ok)

    def _show(self, text: str, ok: bool, neutral: bool = False) -> None:
        self.preview.setText(text)
        self.preview.setStyleSheet("" if ok or neutral else "color: #b00020;")
        self._set_ok(ok)

    def preview_text(self) -> str:
        return self.preview.text()

    def browse(self) -> None:
        start = self.path_edit.text().strip() or self.start_folder
        path = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Image folder (one sub-folder per class)", start)
        if path:
            self.path_edit.setText(path)

    def done(self, result: int) -> None:  # noqa: D102 - also cancels a running decode
        self._timer.stop()
        self.cancel_check()
        super().done(result)


def ask_image_folder_options(parent: QtWidgets.QWidget | None,
                             current: dict[str, Any] | None = None,
                             start_folder: str = "") -> dict[str, Any] | None:
    """Run the dialog; the chosen options, or None when cancelled."""
    dialog = ImageFolderDialog(parent, current, start_folder)
    if not current or not current.get("path"):
        dialog.browse()  # the folder first, as before; cancelling it cancels the whole choice
        if not dialog.path_edit.text().strip():
            dialog.deleteLater()
            return None
    accepted = dialog.exec() == QtWidgets.QDialog.Accepted
    options = dialog.options() if accepted else None
    dialog.deleteLater()
    return options
