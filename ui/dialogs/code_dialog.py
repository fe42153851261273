"""Shows the generated PyTorch source of the network, read-only, with a Copy button."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets


class CodeDialog(QtWidgets.QDialog):
    def __init__(self, source: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Network as PyTorch code")
        self.resize(760, 620)
        self.text = QtWidgets.QPlainTextEdit(source)
        self.text.setReadOnly(True)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont)
        self.text.setFont(font)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        copy = buttons.addButton("Copy", QtWidgets.QDialogButtonBox.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QtWidgets.QApplication.clipboard().setText(self.text.toPlainText())
