"""Classes and training share of a classification dataset: the ``classes`` and
``train_fraction`` dataset options (``workbench/data/subsets.py``), with a live preview of what
training will get. The figures are the core loader's (``ui/dialogs/dataset_subset_plan.py``).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.dialogs.dataset_subset_plan import (
    base_counts,
    class_indices,
    preview_text,
    subset_of,
    subset_options,
    with_subset,
)

PREVIEW_DELAY_MS = 150
INDEX_ROLE = QtCore.Qt.UserRole


class DatasetOptionsDialog(QtWidgets.QDialog):
    """Check the classes to keep (in list order) and the share of the training split;
    :meth:`options` gives the subset options, :meth:`dataset` the whole dataset section."""

    def __init__(self, dataset: dict[str, Any],
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataset_options_dialog")
        self.setWindowTitle("Classes and Training Share")
        self.setMinimumWidth(520)
        self.source = dataset
        self.current = subset_of(dataset)
        self.names = list(base_counts(dataset).class_names)
        self.ok = False

        intro = QtWidgets.QLabel(
            f"Dataset <b>{dataset.get('name', '')}</b>. Check the classes to keep; they are "
            f"relabelled 0, 1, … in the order listed (drag to reorder).")
        intro.setWordWrap(True)
        self.class_list = QtWidgets.QListWidget()
        self.class_list.setDragDropMode(QtWidgets.QAbstractItemView.InternalMove)
        self.class_list.setToolTip("Checked classes are kept, in this order; all checked "
                                   "keeps the whole dataset")
        all_button = QtWidgets.QPushButton("Check all")
        all_button.clicked.connect(lambda: self.check_all(True))
        none_button = QtWidgets.QPushButton("Check none")
        none_button.clicked.connect(lambda: self.check_all(False))
        checks = QtWidgets.QHBoxLayout()
        checks.addWidget(all_button)
        checks.addWidget(none_button)
        checks.addStretch(1)

        self.share_spin = QtWidgets.QDoubleSpinBox()
        self.share_spin.setRange(1.0, 100.0)
        self.share_spin.setDecimals(1)
        self.share_spin.setSuffix(" %")
        self.share_spin.setToolTip("A stratified, seeded share of the TRAINING split; "
                                   "validation and test keep all their samples")
        share_row = QtWidgets.QHBoxLayout()
        share_row.addWidget(QtWidgets.QLabel("Training share"))
        share_row.addWidget(self.share_spin)
        share_row.addWidget(QtWidgets.QLabel("of the training split (100 %: all of it)"), 1)

        self.preview = QtWidgets.QLabel()
        self.preview.setObjectName("subset_preview")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.preview.setMinimumHeight(40)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Ok
                                                  | QtWidgets.QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.class_list, 1)
        layout.addLayout(checks)
        layout.addLayout(share_row)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)

        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._fill(self.current)
        self.class_list.itemChanged.connect(self.schedule_preview)
        self.class_list.model().rowsMoved.connect(self.schedule_preview)
        self.share_spin.valueChanged.connect(self.schedule_preview)
        self.refresh_preview()

    # state <-> options -------------------------------------------------------------------
    def _fill(self, subset: dict[str, Any]) -> None:
        """The classes in their natural order, checked ones (from ``subset``) arranged in
        the order the option lists them, so reading the list back gives the same option."""
        chosen = class_indices(subset.get("classes"), self.names) if "classes" in subset \
            else list(range(len(self.names)))
        slots = iter(chosen)
        order = [next(slots) if i in chosen else i for i in range(len(self.names))]
        for index in order:
            item = QtWidgets.QListWidgetItem(self.names[index])
            item.setData(INDEX_ROLE, index)
            item.setFlags(item.flags() | QtCore.Qt.ItemIsUserCheckable
                          | QtCore.Qt.ItemIsDragEnabled)
            item.setFlags(item.flags() & ~QtCore.Qt.ItemIsDropEnabled)
            item.setCheckState(QtCore.Qt.Checked if index in chosen else QtCore.Qt.Unchecked)
            self.class_list.addItem(item)
        fraction = subset.get("train_fraction", 1.0)
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)):
            fraction = 1.0
        self.share_spin.setValue(max(1.0, min(100.0, fraction * 100)))

    def check_all(self, checked: bool) -> None:
        state = QtCore.Qt.Checked if checked else QtCore.Qt.Unchecked
        for row in range(self.class_list.count()):
            self.class_list.item(row).setCheckState(state)

    def set_checked(self, names: list[str]) -> None:
        """Check exactly the classes ``names`` and list them first, in that order."""
        for position, name in enumerate(names):
            (item,) = self.class_list.findItems(name, QtCore.Qt.MatchExactly)
            self.class_list.insertItem(position, self.class_list.takeItem(
                self.class_list.row(item)))
        for row in range(self.class_list.count()):
            item = self.class_list.item(row)
            item.setCheckState(QtCore.Qt.Checked if item.text() in names
                               else QtCore.Qt.Unchecked)

    def chosen_indices(self) -> list[int]:
        """The checked classes' indices, in list order."""
        items = [self.class_list.item(r) for r in range(self.class_list.count())]
        return [int(i.data(INDEX_ROLE)) for i in items if i.checkState() == QtCore.Qt.Checked]

    def options(self) -> dict[str, Any]:
        """``classes`` (unless all are kept in their own order) and ``train_fraction``
        (unless 100 %)."""
        return subset_options(self.chosen_indices(), self.names, self.share_spin.value(),
                              self.current)

    def dataset(self) -> dict[str, Any]:
        """The dataset section with these options (its other options kept)."""
        return with_subset(self.source, self.options())

    # preview -----------------------------------------------------------------------------
    def schedule_preview(self, *_args: Any) -> None:
        count = len(self.chosen_indices())
        if count < 2:  # says so at once; nothing to load
            self.refresh_preview()
        else:
            self._timer.start()

    def refresh_preview(self) -> None:
        self._timer.stop()
        count = len(self.chosen_indices())
        if not self.names:
            ok, text = preview_text(self.source, {})
            self._show(text, False)
        elif count == 0:
            self._show("No class is checked: check at least 2 classes to keep.", False)
        elif count == 1:
            self._show("Only 1 class is checked: a classifier needs at least 2 classes.",
                       False)
        else:
            QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.WaitCursor)
            try:
                ok, text = preview_text(self.source, self.options())
            finally:
                QtWidgets.QApplication.restoreOverrideCursor()
            self._show(text, ok)

    def _show(self, text: str, ok: bool) -> None:
        self.ok = ok
        self.preview.setText(text)
        self.preview.setStyleSheet("" if ok else "color: #b00020;")
        self.buttons.button(QtWidgets.QDialogButtonBox.Ok).setEnabled(ok)

    def preview_text(self) -> str:
        return self.preview.text()

    def accept(self) -> None:
        self.refresh_preview()  # a pending preview decides first
        if self.ok:
            super().accept()
