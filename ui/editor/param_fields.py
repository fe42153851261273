"""Editor widgets for one layer parameter each, used by the inspector.

Numbers are typed into a line edit (not a spin box) so that whatever the person types is
either applied or answered with a message next to the field: a spin box silently refuses
``-5`` or ``abc`` and leaves the person guessing. ``parse_param_text`` turns the typed text
into a value or a message naming the parameter, what was expected and what was found.
"""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.graph.layer_type import ParamSpec

_SHAPE_TEXT = re.compile(r"\s*\d+(\s*[,x]\s*\d+|\s+\d+)*\s*,?\s*")


def parse_shape(text: str) -> list[int] | str:
    """"1, 8, 8" (or "1x8x8") -> [1, 8, 8]; a message when the text is not a list of integers."""
    if not text.strip():
        return "a shape needs at least one number, like '1, 8, 8'"
    if not _SHAPE_TEXT.fullmatch(text):
        return f"expected integers separated by commas, like '1, 8, 8'; found '{text}'"
    return [int(p) for p in re.split(r"[\s,x]+", text.strip()) if p]


def parse_param_text(spec: ParamSpec, text: str) -> tuple[Any, str | None]:
    """(value, None) when ``text`` is a valid value for ``spec``, else (None, message)."""
    stripped = text.strip()
    value: Any = stripped
    if spec.kind in ("int", "float"):
        what = "an integer" if spec.kind == "int" else "a number"
        try:
            number = float(stripped)
        except ValueError:
            number = math.nan
        if not stripped or not math.isfinite(number) or (
                spec.kind == "int" and not number.is_integer()):
            return None, f"'{spec.name}' must be {what}{spec._range_text()}, " \
                         f"found '{text}'"
        value = int(number) if spec.kind == "int" else number
    elif spec.kind == "shape":
        parsed = parse_shape(text)
        if isinstance(parsed, str):
            return None, f"'{spec.name}': {parsed}"
        value = parsed
    error = spec.check(value)
    return (None, error) if error else (spec.coerce(value), None)


def format_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class TextField(QtWidgets.QLineEdit):
    """A line edit for a number, shape or text parameter; ``committed(text)`` on Return or on
    leaving the field, only when the text differs from the value shown. Up/Down step numbers."""

    committed = QtCore.Signal(str)

    def __init__(self, spec: ParamSpec, value: Any,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._shown = ""
        self.show_value(value)
        if spec.kind == "shape":
            self.setPlaceholderText("e.g. 1, 8, 8")
        self.editingFinished.connect(self._finish)

    def show_value(self, value: Any) -> None:
        """Display ``value`` without committing anything."""
        self._shown = format_value(value)
        self.setText(self._shown)
        self.setModified(False)

    def value(self) -> Any:
        parsed, _error = parse_param_text(self.spec, self.text())
        return parsed

    def setValue(self, value: Any) -> None:  # noqa: N802 - spin-box-like API for callers
        """Type ``value`` and commit it, as a person would."""
        self.setText(format_value(value))
        self._finish()

    def _finish(self) -> None:
        if self.text() != self._shown:
            self._shown = self.text()
            self.committed.emit(self.text())

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if self.spec.kind in ("int", "float") and event.key() in (QtCore.Qt.Key_Up,
                                                                  QtCore.Qt.Key_Down):
            current, error = parse_param_text(self.spec, self.text())
            if error is None:
                step = 1 if self.spec.kind == "int" else (
                    0.01 if (self.spec.maximum or 1) <= 1 else 0.1)
                step = step if event.key() == QtCore.Qt.Key_Up else -step
                candidate = current + step
                if self.spec.check(candidate) is None:
                    self.setText(format_value(self.spec.coerce(candidate)))
                    self._finish()
            event.accept()
            return
        super().keyPressEvent(event)


def make_editor(spec: ParamSpec, value: Any) -> QtWidgets.QWidget:
    """The editor widget for one parameter, showing ``value`` (signals not yet connected)."""
    if spec.kind == "bool":
        check = QtWidgets.QCheckBox()
        check.setChecked(bool(value))
        return check
    if spec.kind == "choice":
        combo = QtWidgets.QComboBox()
        combo.addItems(list(spec.choices))
        combo.setCurrentText(str(value))
        return combo
    return TextField(spec, value)


def show_value_silently(editor: QtWidgets.QWidget, value: Any) -> None:
    """Put ``value`` in ``editor`` without emitting an edit (the inspector's in-place update).
    A field the person is typing into (focused and modified) is left alone."""
    if isinstance(editor, TextField):
        if editor.hasFocus() and editor.isModified():
            return
        if editor.text() != format_value(value):
            editor.show_value(value)
        return
    blocked = editor.blockSignals(True)
    try:
        if isinstance(editor, QtWidgets.QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QtWidgets.QComboBox):
            editor.setCurrentText(str(value))
    finally:
        editor.blockSignals(blocked)
