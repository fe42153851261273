"""The start page: shown instead of the canvas on launch without a file.

New project, Open, the recent files, the bundled examples and lessons (each with a thumbnail
of its network and a one-line description), and how the editor works (layers are dragged from
the palette and wired port to port). Any of them leads to the canvas; View > Start Page comes
back here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.settings import recent_files
from workbench.paths import PROJECT_SUFFIX, example_paths

THUMB_SIZE = QtCore.QSize(220, 96)
EDITOR_HINT = (
    "<b>How the editor works.</b> Drag a layer from the <b>Layers</b> palette on the left "
    "onto the canvas (or double-click it). Wire layers port to port: drag from a layer's "
    "output port (the dot on its right edge) to the next layer's input port (the dot on its "
    "left edge). Every wire shows the tensor shape it carries, and the <b>Problems</b> panel "
    "names anything that does not fit. Choose a dataset in the toolbar, then press "
    "<b>Train</b> (F5).")


@dataclass(frozen=True)
class ExampleEntry:
    """A bundled project as the start page lists it."""

    path: Path
    name: str
    description: str
    graph: dict[str, Any]
    is_lesson: bool


def read_examples(paths: list[Path] | None = None) -> list[ExampleEntry]:
    """Every bundled example with its description; unreadable files are skipped."""
    entries = []
    for path in example_paths() if paths is None else paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            graph = data["graph"]
            nodes = graph["nodes"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        name = path.name[: -len(PROJECT_SUFFIX)]
        description = str(data.get("description") or "").strip() or (
            f"{len(nodes)} layers on the {(data.get('dataset') or {}).get('name', '?')} "
            f"dataset.")
        entries.append(ExampleEntry(path, name, description, graph,
                                    name.startswith("lesson_")))
    return entries


def graph_thumbnail(graph: dict[str, Any], size: QtCore.QSize = THUMB_SIZE,
                    dark: bool = False) -> QtGui.QPixmap:
    """A small picture of a network: its layers as boxes coloured by kind, wires as lines."""
    from ui.editor.node_item import CATEGORY_COLOURS, HEIGHT, WIDTH
    from workbench.graph.catalogue import get_layer

    ratio = QtWidgets.QApplication.instance().devicePixelRatio() if \
        QtWidgets.QApplication.instance() else 1.0
    pixmap = QtGui.QPixmap(size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QtGui.QColor("#2b3035" if dark else "#f4f6f8"))
    nodes = {n["id"]: n for n in graph.get("nodes", []) if isinstance(n, dict) and "id" in n}
    if not nodes:
        return pixmap
    xs = [float(n.get("position", [0, 0])[0]) for n in nodes.values()]
    ys = [float(n.get("position", [0, 0])[1]) for n in nodes.values()]
    left, top = min(xs), min(ys)
    span_w, span_h = max(xs) - left + WIDTH, max(ys) - top + HEIGHT
    margin = 6.0
    scale = min((size.width() - 2 * margin) / span_w, (size.height() - 2 * margin) / span_h)
    off_x = (size.width() - span_w * scale) / 2
    off_y = (size.height() - span_h * scale) / 2

    def box(node: dict[str, Any]) -> QtCore.QRectF:
        x, y = node.get("position", [0, 0])
        return QtCore.QRectF(off_x + (float(x) - left) * scale, off_y + (float(y) - top) * scale,
                             WIDTH * scale, HEIGHT * scale)

    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.Antialiasing)
    painter.setPen(QtGui.QPen(QtGui.QColor("#90a4ae" if dark else "#607d8b"), 1.2))
    for edge in graph.get("edges", []):
        src, dst = nodes.get(edge.get("src")), nodes.get(edge.get("dst"))
        if src is None or dst is None:
            continue
        a, b = box(src), box(dst)
        painter.drawLine(QtCore.QPointF(a.right(), a.center().y()),
                         QtCore.QPointF(b.left(), b.center().y()))
    for node in nodes.values():
        try:
            category = get_layer(str(node.get("type"))).category
        except KeyError:
            category = ""
        colour = QtGui.QColor(CATEGORY_COLOURS.get(category, "#888888"))
        painter.setPen(QtGui.QPen(colour.darker(130), 1))
        painter.setBrush(colour)
        painter.drawRoundedRect(box(node), 3, 3)
    painter.end()
    return pixmap


class ExampleCard(QtWidgets.QToolButton):
    """One example: thumbnail above, name and description below; click to open it."""

    def __init__(self, entry: ExampleEntry, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setObjectName(f"example_{entry.name}")
        self.setToolButtonStyle(QtCore.Qt.ToolButtonTextUnderIcon)
        self.setIcon(QtGui.QIcon(graph_thumbnail(entry.graph, dark=is_dark(self))))
        self.setIconSize(THUMB_SIZE)
        self.setText(f"{entry.name}\n{wrap(entry.description, 34)}")
        self.setToolTip(f"Open {entry.name}: {entry.description}")
        self.setAutoRaise(True)
        self.setFixedWidth(THUMB_SIZE.width() + 24)
        self.setSizePolicy(QtWidgets.QSizePolicy.Fixed, QtWidgets.QSizePolicy.Preferred)
        self.setCursor(QtCore.Qt.PointingHandCursor)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.PaletteChange:  # the theme changed: redraw
            self.setIcon(QtGui.QIcon(graph_thumbnail(self.entry.graph, dark=is_dark(self))))
        super().changeEvent(event)


def wrap(text: str, width: int) -> str:
    """Break a line into lines of at most ``width`` characters at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def is_dark(widget: QtWidgets.QWidget) -> bool:
    return widget.palette().color(QtGui.QPalette.Window).lightness() < 128


class StartPage(QtWidgets.QScrollArea):
    """What a person sees before a project is open."""

    new_requested = QtCore.Signal()
    open_requested = QtCore.Signal()
    recent_requested = QtCore.Signal(str)
    example_requested = QtCore.Signal(Path)

    def __init__(self, settings: QtCore.QSettings,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        self.settings = settings
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)  # cards reflow
        body = QtWidgets.QWidget()
        self.setWidget(body)
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(14)
        title = QtWidgets.QLabel("<h1 style='margin:0'>Workbench</h1>"
                                 "Build a neural network from layers, train it, see what goes "
                                 "wrong and why, and export it.")
        title.setWordWrap(True)
        layout.addWidget(title)

        row = QtWidgets.QHBoxLayout()
        self.new_button = QtWidgets.QPushButton("New Project")
        self.new_button.setToolTip("An empty canvas with an Input and an Output (Ctrl+N)")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button = QtWidgets.QPushButton("Open…")
        self.open_button.setToolTip("Open a project file (*.wbproj.json) (Ctrl+O)")
        self.open_button.clicked.connect(self.open_requested)
        for button in (self.new_button, self.open_button):
            button.setMinimumHeight(32)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)

        columns = QtWidgets.QHBoxLayout()
        recent_box = QtWidgets.QGroupBox("Recent projects")
        recent_layout = QtWidgets.QVBoxLayout(recent_box)
        self.recent_list = QtWidgets.QListWidget()
        self.recent_list.setToolTip("Double-click (or Enter) to open")
        self.recent_list.setMaximumHeight(150)
        self.recent_list.itemActivated.connect(self._open_recent)
        self.no_recent = QtWidgets.QLabel("No recent projects yet: start from an example "
                                          "below, or a new project.")
        self.no_recent.setWordWrap(True)
        recent_layout.addWidget(self.recent_list)
        recent_layout.addWidget(self.no_recent)
        columns.addWidget(recent_box, 1)
        self.hint = QtWidgets.QLabel(EDITOR_HINT)
        self.hint.setObjectName("editor_hint")
        self.hint.setWordWrap(True)
        self.hint.setFrameShape(QtWidgets.QFrame.StyledPanel)
        self.hint.setMargin(10)
        self.hint.setAlignment(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        columns.addWidget(self.hint, 1)
        layout.addLayout(columns)

        entries = read_examples()
        self.cards: dict[str, ExampleCard] = {}
        self.sections: list[tuple[QtWidgets.QGridLayout, list[ExampleCard]]] = []
        self.columns = 0
        for heading, lessons in (
                ("Examples", False),
                ("Lessons: the classic dangers, each with its cure (the note beside the "
                 "canvas explains what to do)", True)):
            label = QtWidgets.QLabel(f"<h3 style='margin:0'>{heading}</h3>")
            label.setWordWrap(True)
            layout.addWidget(label)
            grid = QtWidgets.QGridLayout()
            grid.setHorizontalSpacing(6)
            grid.setAlignment(QtCore.Qt.AlignLeft | QtCore.Qt.AlignTop)
            cards = []
            for entry in (e for e in entries if e.is_lesson == lessons):
                card = ExampleCard(entry)
                card.clicked.connect(lambda _c=False, p=entry.path: self.example_requested.emit(p))
                self.cards[entry.name] = card
                cards.append(card)
            self.sections.append((grid, cards))
            layout.addLayout(grid)
        layout.addStretch(1)
        self.reflow(4)
        self.refresh()

    def reflow(self, columns: int) -> None:
        """Lay the cards out in ``columns`` columns (as many as the width allows)."""
        columns = max(1, columns)
        if columns == self.columns:
            return
        self.columns = columns
        for grid, cards in self.sections:
            for card in cards:
                grid.removeWidget(card)
            for i, card in enumerate(cards):
                grid.addWidget(card, i // columns, i % columns)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        card = THUMB_SIZE.width() + 24 + 6
        self.reflow((self.viewport().width() - 64) // card)

    def refresh(self) -> None:
        """Re-read the recent files (they change whenever a project is opened or saved)."""
        self.recent_list.clear()
        for file in recent_files(self.settings):
            item = QtWidgets.QListWidgetItem(Path(file).name[: -len(PROJECT_SUFFIX)]
                                             if file.endswith(PROJECT_SUFFIX) else file)
            item.setToolTip(file)
            item.setData(QtCore.Qt.UserRole, file)
            if not Path(file).exists():
                item.setText(item.text() + "  (missing)")
                item.setForeground(QtGui.QColor("#9e9e9e"))
            self.recent_list.addItem(item)
        has_recent = self.recent_list.count() > 0
        self.recent_list.setVisible(has_recent)
        self.no_recent.setVisible(not has_recent)

    def _open_recent(self, item: QtWidgets.QListWidgetItem) -> None:
        self.recent_requested.emit(str(item.data(QtCore.Qt.UserRole)))

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt API
        self.refresh()
        super().showEvent(event)


class StartPageHost(QtCore.QObject):
    """Puts the start page and the canvas in one stack in the window's centre.

    Whatever opens a project (the page's buttons, the File menu, a palette double-click)
    leads to the canvas: the window calls :meth:`show_canvas` from ``set_document``.
    """

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._hidden_docks: list[QtWidgets.QDockWidget] = []
        window.installEventFilter(self)
        self.page = StartPage(window.settings)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.setObjectName("central_stack")
        self.canvas = window.takeCentralWidget()
        self.stack.addWidget(self.canvas)
        self.stack.addWidget(self.page)
        window.setCentralWidget(self.stack)
        self.page.new_requested.connect(lambda: self._then_canvas(self._new))
        self.page.open_requested.connect(lambda: self._then_canvas(window.open_project))
        self.page.recent_requested.connect(
            lambda path: self._then_canvas(lambda: window.open_project(path)))
        self.page.example_requested.connect(
            lambda path: self._then_canvas(lambda: window.open_example(path)))
        window.palette.layer_activated.connect(lambda _name: self.show_canvas())

    @property
    def showing(self) -> bool:
        return self.stack.currentWidget() is self.page

    def show_page(self) -> None:
        """The page fills the window: the panels around the canvas step aside until a
        project is up (they would only describe the empty one)."""
        self.page.refresh()
        if not self.showing:
            self._hidden_docks = [d for d in self.window.findChildren(QtWidgets.QDockWidget)
                                  if d.isVisible() and not d.isFloating()]
            for dock in self._hidden_docks:
                dock.hide()
        self.stack.setCurrentWidget(self.page)

    def show_canvas(self) -> None:
        was_showing = self.showing
        self.stack.setCurrentWidget(self.canvas)
        if was_showing:
            for dock in self._hidden_docks:
                dock.show()
            self._hidden_docks = []

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """Before the window saves its layout on closing, put the panels back."""
        if watched is self.window and event.type() == QtCore.QEvent.Close:
            for dock in self._hidden_docks:
                dock.show()
        return False

    def _then_canvas(self, action: Any) -> None:
        """Run an open/new action; show the canvas if it put a project up (not if cancelled)."""
        before = self.window.document
        action()
        if self.window.document is not before:
            self.show_canvas()

    def _new(self) -> None:
        from ui.file_actions import blank_project

        if self.window.maybe_save():
            self.window.set_document(blank_project(), None)
