"""The inspector: invalid text is answered next to its field, 'auto' parameters say what they
resolve to, and editing a field never deletes that field (the crash under a real display)."""

from __future__ import annotations

import shiboken6
from PySide6 import QtCore
from PySide6.QtTest import QTest

from tests.ui.editor_driver import add_from_palette, wire


def chain(window):
    fc = add_from_palette(window, "Linear", 200, 0)
    relu = add_from_palette(window, "ReLU", 400, 0)
    head = add_from_palette(window, "Linear", 600, 0)
    for src, dst in (("input", fc), (fc, relu), (relu, head), (head, "output")):
        wire(window, src, dst)
    window.document.analyze_now()
    return fc, head


def type_into(editor, text):
    editor.setFocus()
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, QtCore.Qt.Key_Return)


def test_editing_a_field_keeps_that_field_alive(window):
    fc, _head = chain(window)
    window.scene.select_nodes([fc])
    box = window.inspector.editors["in_features"]
    type_into(box, "32")  # mismatching: 64 arrive
    assert window.document.spec.node(fc).params["in_features"] == 32
    assert shiboken6.isValid(box) and window.inspector.editors["in_features"] is box
    window.document.analyze_now()
    assert any("expects 32 input features" in p for p in window.problems.messages())
    window.registry.trigger("edit.undo")
    assert box.text() == "0"  # the same field shows the undone value


def test_invalid_text_gets_a_message_next_to_the_field(window):
    fc, _head = chain(window)
    window.scene.select_nodes([fc])
    inspector = window.inspector
    for text, expected in (("-5", "found -5"), ("abc", "found 'abc'"), ("0", "found 0")):
        type_into(inspector.editors["out_features"], text)
        message = inspector.field_message("out_features")
        assert "'out_features' must be an integer >= 1" in message and expected in message
        assert window.document.spec.node(fc).params.get("out_features", 64) == 64
    type_into(inspector.editors["out_features"], "16")
    assert inspector.field_message("out_features") == ""
    assert window.document.spec.node(fc).params["out_features"] == 16


def test_zero_in_features_reads_auto_from_the_input(window):
    fc, _head = chain(window)
    window.scene.select_nodes([fc])
    assert window.inspector.field_message("in_features") == "auto (from input: 64)"
    type_into(window.inspector.editors["in_features"], "64")
    assert window.inspector.field_message("in_features") == ""


def test_switching_layers_deletes_the_old_form_later(window, qapp):
    fc, head = chain(window)
    window.scene.select_nodes([fc])
    old = window.inspector.editors["out_features"]
    window.scene.select_nodes([head])
    assert shiboken6.isValid(old)  # not deleted inside the event that switched
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)
    assert not shiboken6.isValid(old)
    assert window.inspector.editors["out_features"] is not old
