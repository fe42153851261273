"""The inspector: edit the selected layer's parameters with an editor fit for each type.

Every change goes through ``param_edited`` (the window applies it as an undoable edit). Text
that is not a valid value (``abc``, ``-5``, ``0`` where at least 1 is needed) is not applied;
the message sits next to the field. A parameter where 0 means "take it from the input" says
what it resolves to ("auto (from input: 64)").

Editing a field makes the window refresh the inspector from inside that field's key event, so
the form for the same layer is updated in place; a form is only rebuilt for another layer, and
the old widgets are deleted later (``deleteLater``), never while one of them is handling an
event (deleting it there crashed the app under a real window system).

A layer with parameters also gets a "Freeze (do not train)" checkbox; toggling it emits
``freeze_toggled`` (the window stores it in the training settings' ``init.freeze``, undoable).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.editor.param_fields import (
    TextField,
    make_editor,
    parse_param_text,
    parse_shape,
    show_value_silently,
)
from workbench.graph.catalogue import get_layer
from workbench.graph.layer_type import ParamSpec

__all__ = ["Inspector", "parse_shape", "auto_hint"]

ERROR_STYLE = "color: #c62828;"
HINT_STYLE = "color: #555;"
FREEZE_TIP = ("Keep this layer's weights as they are: the optimizer does not change them. "
              "Use it to fine-tune a network started from a run's weights (Train > Fine-tune "
              "from Run…): freeze the early layers, train the rest. A frozen layer shows a lock "
              "on the canvas; a frozen BatchNorm also keeps its statistics.")


def auto_hint(spec: ParamSpec, value: Any, input_shapes: list[tuple[int, ...]]) -> str:
    """"auto (from input: 64)" for a parameter whose 0 means 'take it from the input'."""
    if value != 0 or "0 = take" not in spec.doc:
        return ""
    if not input_shapes or not input_shapes[0]:
        return "auto (from the input, once one is connected)"
    shape = input_shapes[0]
    size = shape[0] if spec.name.endswith("channels") else shape[-1]
    return f"auto (from input: {size})"


class Inspector(QtWidgets.QWidget):
    param_edited = QtCore.Signal(str, str, object)  # node id, param name, value
    freeze_toggled = QtCore.Signal(str, bool)  # node id, frozen

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.node_id: str | None = None
        self.type_name = ""
        self.title = QtWidgets.QLabel("Select a layer to edit its parameters.")
        self.title.setWordWrap(True)
        self.doc = QtWidgets.QLabel()
        self.doc.setWordWrap(True)
        self.doc.setStyleSheet("color: #555;")
        self.form_host = QtWidgets.QWidget()
        self.form = QtWidgets.QFormLayout(self.form_host)
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.problems = QtWidgets.QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(ERROR_STYLE)
        self.freeze_box = QtWidgets.QCheckBox("Freeze (do not train)")
        self.freeze_box.setObjectName("freeze")
        self.freeze_box.setToolTip(FREEZE_TIP)
        self.freeze_box.toggled.connect(self._freeze_toggled)
        self.freeze_box.hide()
        self.freeze_note = QtWidgets.QLabel()
        self.freeze_note.setWordWrap(True)
        self.freeze_note.setStyleSheet(HINT_STYLE)
        self.freeze_note.hide()
        layout = QtWidgets.QVBoxLayout(self)
        for w in (self.title, self.doc, self.form_host, self.freeze_box, self.freeze_note,
                  self.message, self.problems):
            layout.addWidget(w)
        layout.addStretch(1)
        self.editors: dict[str, QtWidgets.QWidget] = {}
        self.notes: dict[str, QtWidgets.QLabel] = {}
        self._specs: dict[str, ParamSpec] = {}
        self._errors: dict[str, str] = {}

    # showing a node -------------------------------------------------------------------------
    def show_node(self, node_id: str | None, type_name: str = "",
                  params: dict[str, Any] | None = None, problems: list[str] | None = None,
                  shape: str = "", input_shapes: list[tuple[int, ...]] | None = None,
                  frozen: bool | None = None, freeze_note: str = "") -> None:
        """Show a node's parameters (or an empty form when ``node_id`` is None): updated in
        place when the same node is shown again, rebuilt for another one. ``frozen`` is None
        for a layer without parameters (no Freeze checkbox)."""
        same = node_id is not None and node_id == self.node_id and type_name == self.type_name
        if not same:
            self._clear_form()
            self.message.clear()
        self.node_id, self.type_name = node_id, type_name
        self.problems.setText("\n".join(problems or []))
        self._show_freeze(None if node_id is None else frozen, freeze_note)
        if node_id is None:
            self.title.setText("Select a layer to edit its parameters.")
            self.doc.clear()
            return
        layer = get_layer(type_name)
        self.title.setText(f"<b>{node_id}</b> — {type_name}" +
                           (f"<br>output {shape}" if shape else ""))
        self.doc.setText(layer.doc)
        values = layer.resolve_params(params or {})
        if same:
            for spec in layer.params:
                editor = self.editors.get(spec.name)
                if editor is not None:
                    show_value_silently(editor, values.get(spec.name, spec.default))
        else:
            for spec in layer.params:
                self._add_row(spec, values.get(spec.name, spec.default))
            if not layer.params:
                self.form.addRow(QtWidgets.QLabel("This layer has no parameters."))
        for spec in layer.params:
            self._refresh_note(spec.name, values.get(spec.name, spec.default),
                               input_shapes or [])

    def _show_freeze(self, frozen: bool | None, note: str) -> None:
        self.freeze_box.setVisible(frozen is not None)
        self.freeze_box.blockSignals(True)
        self.freeze_box.setChecked(bool(frozen))
        self.freeze_box.blockSignals(False)
        self.freeze_note.setText(note)
        self.freeze_note.setVisible(frozen is not None and bool(note))

    def _freeze_toggled(self, checked: bool) -> None:
        if self.node_id is not None:
            self.freeze_toggled.emit(self.node_id, bool(checked))

    def _clear_form(self) -> None:
        """Take every row out and delete its widgets later (one of them may be the widget
        whose event led here)."""
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
                    widget.setParent(None)  # out of the form at once ...
                    widget.deleteLater()    # ... deleted once control is back in the loop
        self.editors, self.notes, self._specs, self._errors = {}, {}, {}, {}

    def _add_row(self, spec: ParamSpec, value: Any) -> None:
        editor = make_editor(spec, value)
        editor.setToolTip(spec.doc)
        editor.setObjectName(f"param_{spec.name}")
        note = QtWidgets.QLabel()
        note.setWordWrap(True)
        note.setObjectName(f"note_{spec.name}")
        note.hide()
        field = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(editor)
        column.addWidget(note)
        label = QtWidgets.QLabel(spec.name)
        label.setToolTip(spec.doc)
        self.form.addRow(label, field)
        self.editors[spec.name], self.notes[spec.name] = editor, note
        self._specs[spec.name] = spec
        name = spec.name
        if isinstance(editor, TextField):
            editor.committed.connect(lambda text, n=name: self._commit_text(n, text))
        elif isinstance(editor, QtWidgets.QCheckBox):
            editor.toggled.connect(lambda v, n=name: self._emit(n, bool(v)))
        elif isinstance(editor, QtWidgets.QComboBox):
            editor.currentTextChanged.connect(lambda v, n=name: self._emit(n, v))

    def _refresh_note(self, name: str, value: Any, input_shapes: list[tuple[int, ...]]) -> None:
        note = self.notes.get(name)
        if note is None:
            return
        editor = self.editors[name]
        if isinstance(editor, TextField) and not editor.isModified():
            self._errors.pop(name, None)  # the field shows the project's value again
        error = self._errors.get(name)
        text = error or auto_hint(self._specs[name], value, input_shapes)
        note.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)
        note.setText(text)
        note.setVisible(bool(text))

    # messages -------------------------------------------------------------------------------
    def show_error(self, message: str, name: str | None = None) -> None:
        """A message next to the field ``name`` (under the form when there is no such field)."""
        note = self.notes.get(name or "")
        if note is None:
            self.message.setText(message)
            return
        self._errors[name] = message
        note.setStyleSheet(ERROR_STYLE)
        note.setText(message)
        note.show()

    def field_message(self, name: str) -> str:
        note = self.notes.get(name)
        return note.text() if note is not None and not note.isHidden() else ""

    def messages(self) -> list[str]:
        """Every error shown: next to fields and under the form."""
        found = [self._errors[n] for n in self.editors if n in self._errors]
        return found + ([self.message.text()] if self.message.text() else [])

    # edits ----------------------------------------------------------------------------------
    def _commit_text(self, name: str, text: str) -> None:
        spec = self._specs.get(name)
        if spec is None or self.node_id is None:
            return
        value, error = parse_param_text(spec, text)
        if error is not None:
            self.show_error(error, name)
            return
        self._emit(name, value)
        editor = self.editors.get(name)
        if isinstance(editor, TextField):
            editor.setModified(False)  # applied: later updates (undo) may show new values

    def _emit(self, name: str, value: Any) -> None:
        if self.node_id is None:
            return
        self.message.clear()
        if self._errors.pop(name, None) is not None and name in self.notes:
            self.notes[name].hide()
        self.param_edited.emit(self.node_id, name, value)
