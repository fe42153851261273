"""A form with every ``TrainConfig`` option, grouped, with what/when tooltips.

Fields, types, defaults, choices and ranges come from ``TrainConfig`` itself (its dataclass
fields), so a new trainer option shows up here automatically (in the last group, with the
trainer's own help text). Options that do not apply (momentum for Adam, gamma for a constant
schedule, mixed precision without CUDA) are disabled. The device list offers only what torch
reports; torch is imported on a background thread the first time the form is shown.

Choices that plugins extend (loss, optimizer, schedule, objective) are read from their
registries again whenever the form is shown or loaded, so a loss a plugin registered after
start-up can be chosen and saved. Nested sections (``init``: first weights and frozen layers,
edited by the inspector and the fine-tune dialog; ``objective.options``) have no rows: they are
carried through unchanged from ``set_values`` to ``values``. The objective's kind has a row
(read-only while only one objective exists).

``augment`` is the Augmentation section (``ui/panels/augment_section.py``): a check box and value
per augmentation and a live preview grid of the project's training images
(``set_dataset_spec``), writing the core's canonical string.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.augment_section import AugmentSection
from ui.panels.augment_section import normalized as normalized_augment
from workbench.train.config import ObjectiveConfig, TrainConfig

GROUPS: list[tuple[str, list[str]]] = [
    ("Basics", ["epochs", "batch_size", "optimizer", "lr"]),
    ("Optimizer settings", ["momentum", "nesterov", "beta1", "beta2", "weight_decay"]),
    ("Learning-rate schedule", ["schedule", "warmup_epochs", "step_size", "gamma", "power",
                                "plateau_patience"]),
    ("Loss and regularization", ["objective", "loss", "label_smoothing", "l1", "l2",
                                 "grad_clip"]),
    ("Early stopping", ["early_stopping", "monitor", "restore_best"]),
    ("Augmentation", ["augment"]),
    ("Data, device, reproducibility", ["balanced_sampling", "seed", "device",
                                       "mixed_precision", "monitors", "checkpoint_every"]),
]

TOOLTIPS: dict[str, str] = {
    "epochs": "Passes over the training data. Raise it while validation loss still falls; "
              "with early stopping on, a generous value costs nothing.",
    "batch_size": "Samples per gradient step. Larger batches run faster per sample but "
                  "generalize a little worse and often want a higher learning rate; lower it "
                  "if the device runs out of memory.",
    "optimizer": "How weights move along the gradient. Adam/AdamW are safe defaults; SGD with "
                 "momentum can generalize better with a tuned schedule.",
    "lr": "Learning rate: the step size. The most important setting. Loss that jumps or "
          "becomes NaN: lower it (÷3 to ÷10). Loss that falls very slowly: raise it.",
    "momentum": "SGD/RMSprop: keeps a running direction to smooth noisy steps. 0.9 is usual "
                "for SGD.",
    "nesterov": "SGD only, needs momentum > 0: looks ahead along the momentum; often slightly "
                "faster convergence.",
    "beta1": "Adam/AdamW: decay of the running mean of gradients. Rarely changed (0.9).",
    "beta2": "Adam/AdamW: decay of the running mean of squared gradients. Lower (0.98) if "
             "training is unstable late on.",
    "weight_decay": "Shrinks weights every step (decoupled in AdamW). Try 1e-4 to 1e-2 against "
                    "overfitting.",
    "schedule": "How the learning rate changes over epochs. Cosine or step usually beats "
                "constant on longer runs; plateau lowers it when validation loss stalls.",
    "warmup_epochs": "Start from lr/10 and ramp up linearly over these epochs. Helps large "
                     "learning rates and large batches start stably.",
    "step_size": "Step schedule: epochs between learning-rate drops.",
    "gamma": "Factor the learning rate is multiplied by at each drop (step, exponential, "
             "plateau). 0.1 to 0.5 is usual.",
    "power": "Polynomial schedule: 1 = linear decay to zero, higher = faster early decay.",
    "plateau_patience": "Plateau schedule: epochs without validation improvement before a drop.",
    "loss": "auto picks cross-entropy for classes and MSE for a regression target. "
            "Classification: cross-entropy (the usual choice); BCE treats each class as a "
            "yes/no output; MSE regresses one-hot targets (rarely better). Regression: MSE; MAE "
            "is less pulled by outliers; Huber is squared for small errors, absolute for big.",
    "objective": "What training minimizes. supervised: the loss between the network's output "
                 "and the labels. Plugins can add objectives (e.g. distillation); the row is "
                 "read-only while only one exists.",
    "label_smoothing": "Cross-entropy only: softens the targets (0.05 to 0.1) so the network is "
                       "less over-confident; can help generalization.",
    "l1": "Penalty on absolute weights: pushes many weights to exactly zero (sparse model). "
          "Start tiny (1e-5).",
    "l2": "Penalty on squared weights added to the loss, against overfitting. Start at 1e-4.",
    "grad_clip": "Caps the total gradient norm (0 = off). Use 1 to 5 when loss spikes or "
                 "gradients explode (RNNs especially).",
    "early_stopping": "Stop after this many epochs without improvement of the monitored metric "
                      "(0 = off). 5 to 10 is typical.",
    "monitor": "Metric that decides the best epoch (early stopping, best weights). "
               "val_accuracy is for classification, val_mae and val_rmse for regression; "
               "val_loss fits both.",
    "restore_best": "End the run with the best epoch's weights instead of the last epoch's.",
    "balanced_sampling": "Draw batches with equal class frequency. Use when some classes are "
                         "much rarer than others.",
    "seed": "Random seed. Same seed and settings on the CPU give the same run; change it to "
            "see how much results vary.",
    "device": "Where to train. auto = CUDA GPU, then Apple MPS, then CPU. Only devices this "
              "computer has are offered.",
    "mixed_precision": "float16 arithmetic on CUDA GPUs: faster and lighter, tiny accuracy "
                       "risk. Only available with a CUDA device.",
    "monitors": "Measure per-layer gradient norms and dead units every epoch (cheap). Needed "
                "by the gradient and dead-unit plots and checks.",
    "checkpoint_every": "Save a checkpoint every N epochs (the run can resume from it). "
                        "Histograms are drawn at checkpoints.",
}

ENABLED_WHEN: dict[str, Any] = {
    "momentum": lambda v: v["optimizer"] in ("sgd", "rmsprop"),
    "nesterov": lambda v: v["optimizer"] == "sgd" and v["momentum"] > 0,
    "beta1": lambda v: v["optimizer"] in ("adam", "adamw"),
    "beta2": lambda v: v["optimizer"] in ("adam", "adamw"),
    "step_size": lambda v: v["schedule"] == "step",
    "gamma": lambda v: v["schedule"] in ("step", "exponential", "plateau"),
    "power": lambda v: v["schedule"] == "polynomial",
    "plateau_patience": lambda v: v["schedule"] == "plateau",
    "label_smoothing": lambda v: v["loss"] in ("auto", "cross_entropy"),
}
PROBE_DELAY_MS = 1500  # device probe (imports torch) after the window is up
OFF_WHEN_DISABLED = ("nesterov", "mixed_precision")  # invalid when on but not applicable


class TrainingForm(QtWidgets.QWidget):
    """Editable TrainConfig; ``values()`` is a dict ``TrainConfig.from_dict`` accepts."""

    changed = QtCore.Signal(dict)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
        self.defaults = TrainConfig().to_dict()
        # nested sections: no rows of their own, carried from set_values() to values()
        self.sections = [n for n, f in self.fields.items() if f.metadata.get("section")]
        self._carried: dict[str, Any] = {n: copy.deepcopy(self.defaults[n])
                                         for n in self.sections}
        self.editors: dict[str, QtWidgets.QWidget] = {}
        self.devices: list[str] | None = None  # None until torch has been asked
        self._probe: Any = None
        self._probe_scheduled = False
        self._loading = False
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        placed: set[str] = set()
        groups = GROUPS[:-1] + [(GROUPS[-1][0], GROUPS[-1][1] + [
            n for n in self.fields if n not in {x for _, names in GROUPS for x in names}
            and n not in self.sections])]
        for title, names in groups:
            box = QtWidgets.QGroupBox(title)
            form = QtWidgets.QFormLayout(box)
            form.setFieldGrowthPolicy(QtWidgets.QFormLayout.AllNonFixedFieldsGrow)
            for name in names:
                if name in self.fields and name not in placed:
                    editor = self._make_editor(name)
                    placed.add(name)
                    if isinstance(editor, AugmentSection):  # its own rows, full width
                        form.addRow(editor)
                        continue
                    label = QtWidgets.QLabel(name.replace("_", " "))
                    label.setToolTip(editor.toolTip())
                    form.addRow(label, editor)
            layout.addWidget(box)
        layout.addStretch(1)
        self._set_device_choices(["auto", "cpu"])
        self._update_enabled()

    # editors ---------------------------------------------------------------------------------
    def _make_editor(self, name: str) -> QtWidgets.QWidget:
        f = self.fields[name]
        meta, default = f.metadata, self.defaults[name]
        if name == "objective":  # the section's kind is the row; its options are carried
            meta, default = _objective_kind_meta(), default["kind"]
        editor: QtWidgets.QWidget
        if name == "augment":
            editor = AugmentSection()
            editor.changed.connect(self._on_edit)
            self.editors[name] = editor
            return editor
        if meta.get("choices") is not None or meta.get("choices_from") is not None:
            editor = QtWidgets.QComboBox()
            editor.addItems(current_choices(meta) or [str(default)])
            editor.setCurrentText(str(default))
            editor.currentTextChanged.connect(self._on_edit)
        elif isinstance(default, bool):
            editor = QtWidgets.QCheckBox()
            editor.setChecked(default)
            editor.toggled.connect(self._on_edit)
        elif isinstance(default, str):  # free text (a new string option)
            editor = QtWidgets.QLineEdit(default)
            editor.textChanged.connect(self._on_edit)
        elif isinstance(default, int):
            editor = QtWidgets.QSpinBox()
            editor.setRange(int(meta.get("low", 0)), int(min(meta.get("high", 2**31 - 1),
                                                              2**31 - 1)))
            editor.setValue(default)
            editor.valueChanged.connect(self._on_edit)
        else:
            editor = QtWidgets.QDoubleSpinBox()
            editor.setDecimals(7)
            editor.setRange(float(meta.get("low", 0.0)), float(meta.get("high", 1e9)))
            editor.setStepType(QtWidgets.QAbstractSpinBox.AdaptiveDecimalStepType)
            editor.setValue(float(default))
            editor.valueChanged.connect(self._on_edit)
        help_text = TOOLTIPS.get(name) or str(meta.get("help", ""))
        editor.setToolTip(f"{help_text}\nDefault: {default}.")
        editor.setObjectName(name)
        self.editors[name] = editor
        return editor

    def _read(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, AugmentSection):
            return editor.text()
        if isinstance(editor, QtWidgets.QLineEdit):
            return editor.text()
        if isinstance(editor, QtWidgets.QComboBox):
            return editor.currentText()
        if isinstance(editor, QtWidgets.QCheckBox):
            return editor.isChecked()
        value = editor.value()
        return int(value) if isinstance(editor, QtWidgets.QSpinBox) else float(value)

    def _write(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if name == "device" and self.devices is not None and value not in self.devices:
            value = "auto"  # a device this computer lacks (a project from another machine)
        if isinstance(editor, AugmentSection):
            editor.set_text(value)
        elif isinstance(editor, QtWidgets.QLineEdit):
            editor.setText(str(value))
        elif isinstance(editor, QtWidgets.QComboBox):
            if editor.findText(str(value)) < 0:
                editor.addItem(str(value))
            editor.setCurrentText(str(value))
        elif isinstance(editor, QtWidgets.QCheckBox):
            editor.setChecked(bool(value))
        else:
            editor.setValue(value)

    # values ----------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The settings as a training dict (inapplicable switches forced off; the nested
        sections as last loaded, the objective's kind as chosen)."""
        values = {name: self._read(name) for name in self.editors}
        for name in OFF_WHEN_DISABLED:
            if name in values and not self.editors[name].isEnabled():
                values[name] = False
        for name in self.sections:
            values[name] = copy.deepcopy(self._carried[name])
        if "objective" in self.editors and isinstance(values.get("objective"), dict):
            values["objective"]["kind"] = self._read("objective")
        return values

    def normalized(self, training: dict[str, Any] | None) -> dict[str, Any]:
        """``training`` as ``values()`` would return it once loaded (defaults filled in)."""
        result = {}
        for name, default in self.defaults.items():
            if name not in self.editors and name not in self.sections:
                continue
            value = (training or {}).get(name, default)
            if name in self.sections:
                value = {**default, **value} if isinstance(value, dict) else default
            elif name == "device" and self.devices is not None and value not in self.devices:
                value = "auto"  # as _write shows it
            elif name in OFF_WHEN_DISABLED and not self.editors[name].isEnabled():
                value = False  # as values() reads it
            elif name == "augment":
                value = normalized_augment(value)  # canonical, as the section writes it
            result[name] = copy.deepcopy(value)
        return result

    def refresh_choices(self) -> None:
        """List the registries' current names (a plugin may have registered more)."""
        for name, editor in self.editors.items():
            meta = _objective_kind_meta() if name == "objective" else self.fields[name].metadata
            if name == "device" or not isinstance(editor, QtWidgets.QComboBox):
                continue
            if meta.get("choices_from") is None:
                continue
            names = current_choices(meta)
            current = editor.currentText()
            known = [editor.itemText(i) for i in range(editor.count())]
            if names and known != names:
                editor.blockSignals(True)
                editor.clear()
                editor.addItems(names + ([current] if current and current not in names
                                         else []))
                editor.setCurrentText(current)
                editor.blockSignals(False)

    def set_values(self, training: dict[str, Any]) -> None:
        """Load a training dict (missing keys take TrainConfig defaults; unknown keys are
        ignored). Does not emit ``changed``."""
        self.refresh_choices()
        self._loading = True
        try:
            for name, value in {**self.defaults, **(training or {})}.items():
                if name in self.sections:
                    value = {**self.defaults[name], **value} if isinstance(value, dict) \
                        else copy.deepcopy(self.defaults[name])
                    self._carried[name] = copy.deepcopy(value)
                    if name in self.editors:
                        self._write(name, value.get("kind", ""))
                elif name in self.editors:
                    self._write(name, value)
        finally:
            self._loading = False
        self._update_enabled()

    def _on_edit(self, *_: Any) -> None:
        self._update_enabled()
        if not self._loading:
            self.changed.emit(self.values())

    def _update_enabled(self) -> None:
        values = {name: self._read(name) for name in self.editors}
        for name, rule in ENABLED_WHEN.items():
            if name in self.editors:
                self.editors[name].setEnabled(bool(rule(values)))
        objective = self.editors.get("objective")
        if isinstance(objective, QtWidgets.QComboBox):  # read-only while there is one choice
            objective.setEnabled(objective.count() > 1)
        if "mixed_precision" in self.editors:
            cuda = self.devices is not None and "cuda" in self.devices
            device = values.get("device", "auto")
            self.editors["mixed_precision"].setEnabled(
                cuda and (device == "cuda" or (device == "auto" and self.devices[0] == "cuda")))

    # data --------------------------------------------------------------------------------
    def set_dataset_spec(self, dataset: dict[str, Any] | None) -> None:
        """The project's dataset, for the augmentation preview and the options that fit it."""
        section = self.editors.get("augment")
        if isinstance(section, AugmentSection):
            section.set_dataset_spec(dataset)

    # devices ---------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh_choices()
        if self.devices is None and self._probe is None and not self._probe_scheduled:
            # Importing torch takes seconds; let the window paint and settle first.
            self._probe_scheduled = True
            QtCore.QTimer.singleShot(PROBE_DELAY_MS, self, self._probe_if_needed)

    def _probe_if_needed(self) -> None:
        self._probe_scheduled = False
        if not self.window().isVisible():
            return  # closed before the probe was due: the next show schedules it again
        if self.devices is None and self._probe is None:
            self.probe_devices()

    def probe_devices(self) -> None:
        """Ask torch (on a background thread) which devices exist; fills the device list."""
        from ui.workers import BackgroundCall
        from workbench.train.device import available_devices

        self._probe = BackgroundCall(available_devices)
        self._probe.worker.result.connect(self.set_available_devices)
        self._probe.start()

    def set_available_devices(self, devices: list[str]) -> None:
        self.devices = list(devices)
        self._set_device_choices(["auto", *self.devices])
        self._update_enabled()

    def _set_device_choices(self, choices: list[str]) -> None:
        combo = self.editors.get("device")
        if not isinstance(combo, QtWidgets.QComboBox):
            return
        current = combo.currentText() or "auto"
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(choices)
        combo.setCurrentText(current if current in choices else "auto")
        combo.blockSignals(False)


def current_choices(meta: Any) -> list[str]:
    """A field's choices now: ``choices_from()`` (a live registry) or the fixed ``choices``;
    [] when a registry cannot be read (the caller keeps what it has)."""
    source = meta.get("choices_from")
    try:
        return [str(n) for n in (source() if callable(source) else meta.get("choices") or ())]
    except Exception:  # a registry module that is missing or broken
        return []


def _objective_kind_meta() -> Any:
    return next(f.metadata for f in dataclasses.fields(ObjectiveConfig) if f.name == "kind")
