"""The inspector: edit the selected layer's parameters with an editor fit for each type.

Every change goes through ``param_edited`` (the window applies it as an undoable edit); a value
the catalogue rejects is not applied and the message is shown under the form.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.graph.catalogue import get_layer
from workbench.graph.layer_type import ParamSpec

BIG = 2_000_000_000
_SHAPE_TEXT = re.compile(r"\s*\d+(\s*[,x]\s*\d+|\s+\d+)*\s*,?\s*")


def parse_shape(text: str) -> list[int] | str:
    """"1, 8, 8" (or "1x8x8") -> [1, 8, 8]; a message when the text is not a list of integers."""
    if not text.strip():
        return "a shape needs at least one number, like '1, 8, 8'"
    if not _SHAPE_TEXT.fullmatch(text):
        return f"expected integers separated by commas, like '1, 8, 8'; found '{text}'"
    return [int(p) for p in re.split(r"[\s,x]+", text.strip()) if p]


class Inspector(QtWidgets.QWidget):
    param_edited = QtCore.Signal(str, str, object)  # node id, param name, value

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.node_id: str | None = None
        self.title = QtWidgets.QLabel("Select a layer to edit its parameters.")
        self.title.setWordWrap(True)
        self.doc = QtWidgets.QLabel()
        self.doc.setWordWrap(True)
        self.doc.setStyleSheet("color: #555;")
        self.form_host = QtWidgets.QWidget()
        self.form = QtWidgets.QFormLayout(self.form_host)
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        self.problems = QtWidgets.QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #c62828;")
        layout = QtWidgets.QVBoxLayout(self)
        for w in (self.title, self.doc, self.form_host, self.message, self.problems):
            layout.addWidget(w)
        layout.addStretch(1)
        self.editors: dict[str, QtWidgets.QWidget] = {}

    def show_node(self, node_id: str | None, type_name: str = "",
                  params: dict[str, Any] | None = None, problems: list[str] | None = None,
                  shape: str = "") -> None:
        """Rebuild the form for a node (or clear it when ``node_id`` is None)."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        self.node_id = node_id
        self.message.clear()
        self.problems.setText("\n".join(problems or []))
        if node_id is None:
            self.title.setText("Select a layer to edit its parameters.")
            self.doc.clear()
            return
        layer = get_layer(type_name)
        self.title.setText(f"<b>{node_id}</b> — {type_name}" +
                           (f"<br>output {shape}" if shape else ""))
        self.doc.setText(layer.doc)
        values = layer.resolve_params(params or {})
        for spec in layer.params:
            editor = self._editor(spec, values.get(spec.name, spec.default))
            editor.setToolTip(spec.doc)
            label = QtWidgets.QLabel(spec.name)
            label.setToolTip(spec.doc)
            self.form.addRow(label, editor)
            self.editors[spec.name] = editor
        if not layer.params:
            self.form.addRow(QtWidgets.QLabel("This layer has no parameters."))

    def show_error(self, message: str) -> None:
        self.message.setText(message)

    def _emit(self, name: str, value: Any) -> None:
        if self.node_id is not None:
            self.message.clear()
            self.param_edited.emit(self.node_id, name, value)

    def _editor(self, spec: ParamSpec, value: Any) -> QtWidgets.QWidget:
        name = spec.name
        if spec.kind == "int":
            box = QtWidgets.QSpinBox()
            box.setRange(int(spec.minimum) if spec.minimum is not None else -BIG,
                         int(spec.maximum) if spec.maximum is not None else BIG)
            box.setValue(int(value) if isinstance(value, (int, float)) else 0)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda v, n=name: self._emit(n, int(v)))
            return box
        if spec.kind == "float":
            box = QtWidgets.QDoubleSpinBox()
            box.setDecimals(6)
            box.setRange(spec.minimum if spec.minimum is not None else -1e9,
                         spec.maximum if spec.maximum is not None else 1e9)
            box.setSingleStep(0.01 if (spec.maximum or 1) <= 1 else 0.1)
            box.setValue(float(value) if isinstance(value, (int, float)) else 0.0)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda v, n=name: self._emit(n, float(v)))
            return box
        if spec.kind == "bool":
            check = QtWidgets.QCheckBox()
            check.setChecked(bool(value))
            check.toggled.connect(lambda v, n=name: self._emit(n, bool(v)))
            return check
        if spec.kind == "choice":
            combo = QtWidgets.QComboBox()
            combo.addItems(list(spec.choices))
            combo.setCurrentText(str(value))
            combo.currentTextChanged.connect(lambda v, n=name: self._emit(n, v))
            return combo
        edit = QtWidgets.QLineEdit(", ".join(str(v) for v in value) if isinstance(value, list)
                                   else str(value))
        if spec.kind == "shape":
            edit.setPlaceholderText("e.g. 1, 8, 8")

            def commit(n: str = name, e: QtWidgets.QLineEdit = edit) -> None:
                parsed = parse_shape(e.text())
                if isinstance(parsed, str):
                    self.show_error(f"'{n}': {parsed}")
                else:
                    self._emit(n, parsed)

            edit.editingFinished.connect(commit)
        else:
            edit.editingFinished.connect(lambda n=name, e=edit: self._emit(n, e.text()))
        return edit
