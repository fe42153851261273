"""Drive the main window's editor the way a person does: palette drops, wires from port to
port, the dataset selector and the inspector's editor widgets. Shared by the UI tests."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from ui.editor.canvas_view import LAYER_MIME


def add_from_palette(window, name, x=0.0, y=0.0):
    """The drop path: the palette's drag data dropped on the canvas at scene (x, y)."""
    tree = window.palette.tree
    item = tree.findItems(name, QtCore.Qt.MatchExactly | QtCore.Qt.MatchRecursive)[0]
    data = tree.mimeData([item])
    assert data.hasFormat(LAYER_MIME)
    before = {n.id for n in window.document.spec.nodes}
    window.view.layer_dropped.emit(bytes(data.data(LAYER_MIME)).decode(), QtCore.QPointF(x, y))
    (new,) = {n.id for n in window.document.spec.nodes} - before
    return new


def wire(window, src, dst, port="in", src_port="out"):
    """Drag a wire from ``src``'s output port and release it over ``dst``'s input ``port``."""
    scene = window.scene
    scene.begin_wire(scene.nodes[src].outputs[src_port])
    scene.end_wire(scene.nodes[dst].inputs[port].scenePos())


def choose_dataset(window, name):
    """Pick ``name`` in the toolbar's dataset selector (as a click on the item does)."""
    combo = window.dataset_combo
    index = combo.findText(name)
    assert index >= 0, f"dataset {name!r} is not offered (offered: " \
        f"{[combo.itemText(i) for i in range(combo.count())]})"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def choose_classes_and_share(window, classes=None, train_fraction=1.0):
    """The toolbar button beside the dataset selector (Data > Classes and Training Share…):
    check exactly ``classes`` (names or indices, in that order; None: all), type the training
    share in percent, press OK. Fails if the dialog refuses."""
    window.dataset_subset.button.click()
    dialog = window.dataset_subset.dialog
    assert dialog is not None and dialog.isVisible(), "the dialog did not open"
    if classes is None:
        dialog.check_all(True)
    else:
        dialog.set_checked([c if isinstance(c, str) and c in dialog.names
                            else dialog.names[int(c)] for c in classes])
    spin = dialog.share_spin
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin, f"{float(train_fraction) * 100:g}")
    QTest.keyClick(spin, QtCore.Qt.Key_Tab)
    dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok).click()
    assert dialog.result() == QtWidgets.QDialog.Accepted, dialog.preview_text()


def type_param(window, node_id: str, name: str, value: Any) -> None:
    """Select the node, then change ``name`` in the inspector with its editor widget.

    Spin boxes and line edits are typed into and confirmed with Return; check boxes are
    clicked; combo boxes pick the item. Fails if the inspector shows a message afterwards.
    """
    window.scene.select_nodes([node_id])
    inspector = window.inspector
    assert inspector.node_id == node_id, f"selecting {node_id!r} shows {inspector.node_id!r}"
    assert name in inspector.editors, \
        f"the inspector has no editor for {name!r} (has {sorted(inspector.editors)})"
    editor = inspector.editors[name]
    if isinstance(editor, (QtWidgets.QSpinBox, QtWidgets.QDoubleSpinBox)):
        text = str(int(value)) if isinstance(editor, QtWidgets.QSpinBox) else repr(float(value))
        editor.lineEdit().selectAll()
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, QtCore.Qt.Key_Return)
    elif isinstance(editor, QtWidgets.QCheckBox):
        if editor.isChecked() != bool(value):
            editor.click()
    elif isinstance(editor, QtWidgets.QComboBox):
        index = editor.findText(str(value))
        assert index >= 0, f"{name!r} offers no {value!r}"
        editor.setCurrentIndex(index)
    elif isinstance(editor, QtWidgets.QLineEdit):
        text = ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) \
            else str(value)
        editor.selectAll()
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, QtCore.Qt.Key_Return)
    else:
        raise AssertionError(f"no way to edit {name!r} with a {type(editor).__name__}")
    message = "; ".join(inspector.messages())
    assert not message, f"setting {node_id}.{name} = {value!r}: {message}"
