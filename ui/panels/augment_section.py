"""The Training form's Augmentation section: one check box (and value) per augmentation, a
live preview grid of augmented training samples, and the canonical ``augment`` string.

The string is the core's (``workbench.data.augment.canonical_augment``), so the project file,
config.json and the CLI's ``--augment`` all read the same. Options that do not fit the current
dataset (hflip on a CSV, noise on images, mixup on token ids) are disabled with the core's own
reason (``augment_problem``) as their tooltip, once the dataset has been loaded for the
preview (on a background thread, see ``ui/panels/augment_preview.py``). A project's setting
that the section cannot show (a typo in the file) is kept as it is and named in red; the run
refuses it with the core's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.augment_preview import AugmentPreview


@dataclass(frozen=True)
class AugmentOption:
    """One augmentation: its name in the string, its label, and its value (None: no value)."""

    name: str
    label: str
    tooltip: str
    value: tuple[float, float, float, int, float, str] | None = None  # low, high, step,
    # decimals, default, suffix


OPTIONS: list[AugmentOption] = [
    AugmentOption("hflip", "flip left-right",
                  "Mirror half of the images left to right. Right for photos and most "
                  "objects; wrong for digits and text (a mirrored 2 is not a 2)."),
    AugmentOption("vflip", "flip upside down",
                  "Turn half of the images upside down. Only for images without an up "
                  "(satellite, microscope, texture pictures)."),
    AugmentOption("crop", "random crop, keep at least",
                  "Random resized crop: cut a random part holding at least this share of the "
                  "image's area and scale it back to full size. 0.6 to 0.9 is usual; smaller "
                  "is a stronger regularizer.", (0.05, 1.0, 0.05, 2, 0.6, "")),
    AugmentOption("rotate", "rotate up to",
                  "Rotate by a random angle between -D and +D degrees. 10 to 20 for photos "
                  "and digits.", (1.0, 180.0, 5.0, 0, 15.0, " °")),
    AugmentOption("color", "colour jitter, strength",
                  "Random brightness, contrast and saturation changes of up to this strength "
                  "(0.1 to 0.4), computed on the pixels, not on the normalized values.",
                  (0.05, 1.0, 0.05, 2, 0.3, "")),
    AugmentOption("erase", "erase a patch, probability",
                  "Random erasing: blank a random rectangle in this share of the images "
                  "(0.25 is usual), so the network cannot rely on one small part.",
                  (0.05, 1.0, 0.05, 2, 0.25, "")),
    AugmentOption("noise", "Gaussian noise, std",
                  "Tabular data: add Gaussian noise of this standard deviation to the "
                  "standardized numeric columns only (0.05 to 0.2); category columns are left "
                  "alone.", (0.01, 2.0, 0.01, 2, 0.1, "")),
    AugmentOption("mixup", "mixup, alpha",
                  "Blend pairs of samples and their labels with a Beta(alpha, alpha) weight "
                  "(0.2 to 0.4). Training accuracy then counts the larger label of each "
                  "blend. Images and tabular data.", (0.05, 10.0, 0.05, 2, 0.2, "")),
    AugmentOption("cutmix", "cutmix, alpha",
                  "Paste a random rectangle of another image and mix the labels by its area "
                  "(alpha 1.0 is usual). Images only.", (0.05, 10.0, 0.05, 2, 1.0, "")),
]
BY_NAME = {option.name: option for option in OPTIONS}
TOOLTIP = ("Random changes to the TRAINING batches only (validation, test, evaluation, "
           "explanations and export never see them), drawn anew each epoch and seeded by "
           "(seed, epoch), so a resumed run is bit-exact. The first cure for overfitting on "
           "images.")


def parse(value: Any) -> list[tuple[str, float | None]]:
    """The core's items of a project's ``augment`` (a string or a list); ValueError if bad."""
    from workbench.data.augment import parse_augment

    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return list(parse_augment(str(value or "")))


def canonical(items: list[tuple[str, float | None]]) -> str:
    from workbench.data.augment import canonical_augment

    return str(canonical_augment(items)) if items else ""


def normalized(value: Any) -> str | Any:
    """``value`` as the section shows and writes it back: canonical; "" when off; a value
    the core cannot parse is returned unchanged (the run refuses it)."""
    try:
        items = parse(value)
    except ValueError:
        return value
    if any(name not in BY_NAME for name, _ in items):
        return value  # an item this form has no row for (shown as the project's value)
    return canonical(items)


class AugmentSection(QtWidgets.QWidget):
    """Check boxes and values for every augmentation, and the preview grid below them."""

    changed = QtCore.Signal(str)  # the canonical string, on a person's edit only

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("augment")
        self.setToolTip(TOOLTIP)
        self.checks: dict[str, QtWidgets.QCheckBox] = {}
        self.values: dict[str, QtWidgets.QDoubleSpinBox] = {}
        self.problems: dict[str, str] = {}  # option -> why it does not fit the data
        self._raw: Any = None  # a project value the section cannot show (kept unchanged)
        self._exact: dict[str, float] = {}  # loaded values finer than a spin box shows
        self._loading = False
        grid = QtWidgets.QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        for row, option in enumerate(OPTIONS):
            check = QtWidgets.QCheckBox(option.label)
            check.setObjectName(f"augment_{option.name}")
            check.setToolTip(f"{option.name}: {option.tooltip}")
            check.toggled.connect(self._on_edit)
            grid.addWidget(check, row, 0)
            self.checks[option.name] = check
            if option.value is not None:
                low, high, step, decimals, default, suffix = option.value
                spin = QtWidgets.QDoubleSpinBox()
                spin.setObjectName(f"augment_{option.name}_value")
                spin.setRange(low, high)
                spin.setSingleStep(step)
                spin.setDecimals(decimals)
                spin.setSuffix(suffix)
                spin.setValue(default)
                spin.setToolTip(check.toolTip())
                spin.valueChanged.connect(
                    lambda _v, name=option.name: self._on_value_edit(name))
                grid.addWidget(spin, row, 1)
                self.values[option.name] = spin
        grid.setColumnStretch(0, 1)
        self.problem_label = QtWidgets.QLabel()
        self.problem_label.setObjectName("augment_problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("QLabel { color: #b00020; }")
        self.problem_label.hide()
        self.preview = AugmentPreview()
        self.preview.datasetLoaded.connect(self.set_dataset)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.preview)
        self._update()

    # the string --------------------------------------------------------------------------
    def items(self) -> list[tuple[str, float | None]]:
        """The checked augmentations with their values, in the section's order."""
        items: list[tuple[str, float | None]] = []
        for option in OPTIONS:
            if self.checks[option.name].isChecked():
                spin = self.values.get(option.name)
                value = None if spin is None else self._exact.get(
                    option.name, round(float(spin.value()), spin.decimals()))
                items.append((option.name, value))
        return items

    def text(self) -> str | Any:
        """The ``augment`` setting: canonical, "" when nothing is checked (or the project's
        own value, unchanged, while it cannot be shown here)."""
        if self._raw is not None:
            return self._raw
        return canonical(self.items())

    def set_text(self, value: Any) -> None:
        """Show a project's ``augment`` (string or list). Does not emit ``changed``."""
        try:
            items = parse(value)
            unknown = [name for name, _ in items if name not in BY_NAME]
            if unknown:
                raise ValueError(f"{', '.join(unknown)} cannot be shown in this form")
        except ValueError as exc:
            items, self._raw = [], value
            self._show_problem(f"The project's augment setting {value!r} is not valid: "
                               f"{exc}. Check boxes below replace it.")
        else:
            self._raw = None
        self._loading = True
        self._exact = {}
        try:
            wanted = {name: v for name, v in items if name in BY_NAME}
            for option in OPTIONS:
                self.checks[option.name].setChecked(option.name in wanted)
                spin = self.values.get(option.name)
                value = wanted.get(option.name)
                if spin is not None and value is not None:
                    spin.setValue(float(value))
                    if round(spin.value(), spin.decimals()) != value:
                        self._exact[option.name] = float(value)  # kept as the project has it
        finally:
            self._loading = False
        self._update()

    # the data ----------------------------------------------------------------------------
    def set_dataset_spec(self, dataset: dict[str, Any] | None) -> None:
        """The project's dataset: the preview loads it (in the background) when shown."""
        self.preview.set_dataset_spec(dataset, self.text_for_preview())

    def set_dataset(self, dataset: Any) -> None:
        """A loaded Dataset (or None): disable what does not fit it, with the core's reason."""
        from workbench.data.augment import augment_problem

        self.problems = {}
        if dataset is not None:
            for option in OPTIONS:
                probe = option.name if option.value is None \
                    else f"{option.name}={option.value[4]:g}"
                problem = augment_problem(probe, dataset)
                if problem:
                    self.problems[option.name] = str(problem)
        self._update()

    def text_for_preview(self) -> str:
        """What the preview draws: only the options that fit the data."""
        return canonical([item for item in self.items() if item[0] not in self.problems])

    # edits -------------------------------------------------------------------------------
    def _on_value_edit(self, name: str) -> None:
        if not self._loading:
            self._exact.pop(name, None)
        self._on_edit()

    def _on_edit(self, *_: Any) -> None:
        if self._loading:
            return
        self._raw = None  # a person's choice replaces a value the form could not show
        self._update()
        self.changed.emit(self.text())

    def _update(self) -> None:
        for option in OPTIONS:
            check = self.checks[option.name]
            problem = self.problems.get(option.name)
            check.setEnabled(problem is None)
            check.setToolTip(f"Does not fit this dataset: {problem}" if problem
                             else f"{option.name}: {option.tooltip}")
            spin = self.values.get(option.name)
            if spin is not None:
                spin.setEnabled(problem is None and check.isChecked())
                spin.setToolTip(check.toolTip())
        if self._raw is None:
            misfits = [f"{name}: {self.problems[name]}" for name, _ in self.items()
                       if name in self.problems]
            if misfits:
                self._show_problem("Does not fit this dataset (the run will refuse it): "
                                   + "; ".join(misfits))
            else:
                self.problem_label.hide()
        self.preview.set_augment(self.text_for_preview())

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.show()
