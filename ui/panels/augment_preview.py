"""A live 4x4 grid of augmented training samples (``workbench.data.augment.preview_augment``).

Everything heavy runs on a background thread (``ui.workers.BackgroundCall``): loading the
project's dataset the first time the grid is shown (an image folder decodes into its cache
there, never on the GUI thread; ``LOAD_DELAY_MS`` after it is shown, so start-up is not
slowed) and drawing the samples. Requests are debounced (``PREVIEW_DELAY_MS``) and only the newest one is drawn: a request that arrives while one is
being computed waits and replaces any other that waits. The loaded dataset is kept for the
next request and announced (``datasetLoaded``) so the form can disable options that do not
fit it. Data that are not images (a CSV, token ids) get a line instead of the grid.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

PREVIEW_DELAY_MS = 200
LOAD_DELAY_MS = 1500  # the first load waits for the window to settle (it imports torch)
COUNT = 16
COLUMNS = 4
THUMB = 56  # pixels per thumbnail


def _key(dataset: dict[str, Any] | None) -> str:
    return json.dumps(dataset or {}, sort_keys=True, default=str)


def compute_preview(dataset_spec: dict[str, Any], text: str, epoch: int,
                    loaded: Any = None, progress: Any = None,
                    cancel: Any = None) -> dict[str, Any]:
    """(Background thread.) Load the dataset unless ``loaded`` is given (a long decode reports
    to ``progress`` and stops when ``cancel()``), then draw the augmented samples:
    {"dataset", "images" (count, H, W, 3) uint8 or None, "note"}."""
    from workbench.data import DataError, load_dataset

    dataset = loaded
    if dataset is None:
        try:
            dataset = load_dataset(dataset_spec, progress=progress, cancel=cancel)
        except (DataError, ValueError) as exc:
            return {"dataset": None, "images": None,
                    "note": f"No preview: the dataset could not be loaded ({exc})."}
    if len(getattr(dataset, "input_shape", ())) != 3:
        return {"dataset": dataset, "images": None,
                "note": "The preview grid shows image datasets; these data are not images."}
    from workbench.data.augment import preview_augment

    try:
        images = preview_augment(dataset, text, count=COUNT, epoch=epoch)
    except ValueError as exc:
        return {"dataset": dataset, "images": None, "note": f"No preview: {exc}"}
    return {"dataset": dataset, "images": np.ascontiguousarray(images, dtype=np.uint8),
            "note": ""}


def to_pixmap(image: np.ndarray, size: int = THUMB) -> QtGui.QPixmap:
    """An (H, W, 3) uint8 picture as a square pixmap (small pictures keep sharp pixels)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape[:2]
    qimage = QtGui.QImage(image.data, width, height, 3 * width,
                          QtGui.QImage.Format_RGB888).copy()
    mode = QtCore.Qt.FastTransformation if max(height, width) < size \
        else QtCore.Qt.SmoothTransformation
    return QtGui.QPixmap.fromImage(qimage.scaled(size, size, QtCore.Qt.KeepAspectRatio, mode))


class AugmentPreview(QtWidgets.QWidget):
    """The grid, its note and a "New draw" button (the next epoch's draw)."""

    datasetLoaded = QtCore.Signal(object)  # the loaded Dataset (None when it failed)
    drawn = QtCore.Signal()  # a preview (grid or note) was shown

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("augment_preview")
        self.spec: dict[str, Any] | None = None
        self.text = ""
        self.epoch = 0
        self.dataset: Any = None  # loaded for self._loaded_key
        self._loaded_key: str | None = None
        self._job: Any = None
        self._waiting = False  # a request came while the job ran
        self.images: np.ndarray | None = None
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._launch)
        self.title = QtWidgets.QLabel("Preview: augmented training samples")
        self.title.setToolTip("Training samples as the network sees them with these "
                              "settings (each image has its own random draw). Validation "
                              "and test data are never augmented.")
        self.new_draw = QtWidgets.QPushButton("New draw")
        self.new_draw.setToolTip("Show the draw of the next epoch")
        self.new_draw.clicked.connect(self.next_draw)
        header = QtWidgets.QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.new_draw)
        self.cells: list[QtWidgets.QLabel] = []
        grid = QtWidgets.QGridLayout()
        grid.setSpacing(2)
        for i in range(COUNT):
            cell = QtWidgets.QLabel()
            cell.setFixedSize(THUMB, THUMB)
            cell.setAlignment(QtCore.Qt.AlignCenter)
            cell.setStyleSheet("QLabel { background: #202020; }")
            grid.addWidget(cell, i // COLUMNS, i % COLUMNS)
            self.cells.append(cell)
        self.grid_box = QtWidgets.QWidget()
        self.grid_box.setLayout(grid)
        grid.setContentsMargins(0, 0, 0, 0)
        self.note = QtWidgets.QLabel("Choose a dataset to see augmented samples.")
        self.note.setObjectName("augment_preview_note")
        self.note.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.grid_box, 0, QtCore.Qt.AlignLeft)
        layout.addWidget(self.note)
        self.grid_box.hide()

    # requests ----------------------------------------------------------------------------
    def set_dataset_spec(self, dataset: dict[str, Any] | None, text: str) -> None:
        if _key(dataset) != _key(self.spec):
            self.spec, self.dataset, self._loaded_key = (dict(dataset) if dataset else None,
                                                         None, None)
            self.images = None
            if self._job is not None:  # loading the old dataset: stop, then load this one
                self._job.request_cancel()
                self._waiting = True
            self.datasetLoaded.emit(None)
        self.text = text
        self.schedule()

    def set_augment(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.schedule()

    def next_draw(self) -> None:
        self.epoch += 1
        self.schedule()

    def schedule(self) -> None:
        """Redraw soon (debounced); only while shown: a hidden grid loads nothing."""
        if self.spec and self.spec.get("name") and self.isVisible():
            loaded = self._loaded_key == _key(self.spec)
            self._timer.start(PREVIEW_DELAY_MS if loaded or self._timer.isActive()
                              else LOAD_DELAY_MS)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self.images is None:
            self.schedule()

    def busy(self) -> bool:
        return self._job is not None or self._timer.isActive()

    def _launch(self) -> None:
        from ui.workers import BackgroundCall

        if self._job is not None:
            self._waiting = True
            return
        if not self.spec:
            return
        spec, text, epoch = dict(self.spec), self.text, self.epoch
        key = _key(spec)
        loaded = self.dataset if self._loaded_key == key else None
        if loaded is None:
            self.note.setText("Loading the dataset for the preview…")
        self._job = BackgroundCall(
            lambda report, cancelled: (key, compute_preview(spec, text, epoch, loaded, report,
                                                            cancelled)),
            with_progress=True)
        self._job.worker.progress.connect(self._on_progress)
        self._job.worker.result.connect(self._on_result)
        self._job.worker.error.connect(self._on_error)
        self._job.thread.finished.connect(self._on_done)
        self._job.start()

    # results -----------------------------------------------------------------------------
    def _on_progress(self, progress: Any) -> None:
        from ui.panels.training_panel import data_progress_text

        values = {name: getattr(progress, name, None) for name in
                  ("done", "total", "per_second", "seconds_left", "stage")}
        self.note.setText(f"Loading the dataset for the preview: {data_progress_text(values)}")

    def _on_result(self, value: tuple[str, dict[str, Any]]) -> None:
        key, result = value
        if key != _key(self.spec):
            return  # the project's dataset changed meanwhile
        if self._loaded_key != key:
            self.dataset, self._loaded_key = result["dataset"], key
            self.datasetLoaded.emit(result["dataset"])
        self.show_images(result["images"], result["note"])

    def _on_error(self, message: str) -> None:
        self.show_images(None, f"No preview: {message}")

    def _on_done(self) -> None:
        self._job = None
        if self._waiting:
            self._waiting = False
            self._launch()

    def show_images(self, images: np.ndarray | None, note: str = "") -> None:
        self.images = images
        if images is None:
            self.grid_box.hide()
            self.new_draw.setEnabled(False)
        else:
            for cell, image in zip(self.cells, images):
                cell.setPixmap(to_pixmap(image))
            self.grid_box.show()
            self.new_draw.setEnabled(True)
        self.note.setText(note or (f"Epoch {self.epoch + 1}'s draw"
                                   f"{'' if self.text else ' (no augmentation: the originals)'}"
                                   f"."))
        self.drawn.emit()
