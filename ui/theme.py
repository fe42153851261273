"""Light and dark themes: follow the operating system's colour scheme unless View > Theme
says otherwise (the choice is kept in the settings under ``view/theme``).

The widgets follow the application palette; the plots (pyqtgraph draws its own background,
axes and titles) and the canvas background are recoloured here, for the plots that exist and,
through pyqtgraph's config options, for those made later.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

SETTING = "view/theme"
CHOICES = ("system", "light", "dark")
PLOT_COLOURS = {"light": {"background": "#ffffff", "foreground": "#303030"},
                "dark": {"background": "#1e2125", "foreground": "#d0d4d9"}}
CANVAS_COLOURS = {"light": "#f4f6f8", "dark": "#2b3035"}
EDGE_LABEL_COLOURS = {"light": "#37474f", "dark": "#cfd8dc"}
_current = {"scheme": "light"}


def current_scheme() -> str:
    """The scheme applied last: 'light' or 'dark'."""
    return _current["scheme"]


def edge_label_colour() -> str:
    """The colour of the shape labels on the canvas's wires, readable on its background."""
    return EDGE_LABEL_COLOURS[_current["scheme"]]


def saved_choice(settings: QtCore.QSettings) -> str:
    value = str(settings.value(SETTING, "system") or "system")
    return value if value in CHOICES else "system"


def system_scheme() -> str:
    """'dark' or 'light' as the operating system reports it (light when it does not say)."""
    hints = QtGui.QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else None
    if scheme == QtCore.Qt.ColorScheme.Dark:
        return "dark"
    if scheme == QtCore.Qt.ColorScheme.Light:
        return "light"
    palette = QtGui.QGuiApplication.palette()
    return "dark" if palette.color(QtGui.QPalette.Window).lightness() < 128 else "light"


def dark_palette() -> QtGui.QPalette:
    """A readable dark palette (Fusion-style)."""
    p = QtGui.QPalette()
    window, base, text = QtGui.QColor("#2d3136"), QtGui.QColor("#1e2125"), QtGui.QColor("#e3e6ea")
    disabled = QtGui.QColor("#80868d")
    for role, colour in ((QtGui.QPalette.Window, window), (QtGui.QPalette.WindowText, text),
                         (QtGui.QPalette.Base, base), (QtGui.QPalette.AlternateBase, window),
                         (QtGui.QPalette.ToolTipBase, QtGui.QColor("#3a3f45")),
                         (QtGui.QPalette.ToolTipText, text), (QtGui.QPalette.Text, text),
                         (QtGui.QPalette.Button, QtGui.QColor("#383d43")),
                         (QtGui.QPalette.ButtonText, text),
                         (QtGui.QPalette.BrightText, QtGui.QColor("#ff6b6b")),
                         (QtGui.QPalette.Link, QtGui.QColor("#6cb4ff")),
                         (QtGui.QPalette.Highlight, QtGui.QColor("#3d7dd8")),
                         (QtGui.QPalette.HighlightedText, QtGui.QColor("#ffffff")),
                         (QtGui.QPalette.PlaceholderText, disabled),
                         (QtGui.QPalette.Light, QtGui.QColor("#4a5057")),
                         (QtGui.QPalette.Midlight, QtGui.QColor("#41464c")),
                         (QtGui.QPalette.Mid, QtGui.QColor("#33373c")),
                         (QtGui.QPalette.Dark, QtGui.QColor("#1a1c1f")),
                         (QtGui.QPalette.Shadow, QtGui.QColor("#000000"))):
        p.setColor(role, colour)
    for role in (QtGui.QPalette.WindowText, QtGui.QPalette.Text, QtGui.QPalette.ButtonText):
        p.setColor(QtGui.QPalette.Disabled, role, disabled)
    return p


class ThemeManager(QtCore.QObject):
    """Applies the chosen theme to the application and keeps following the OS on 'system'."""

    changed = QtCore.Signal(str)  # the effective scheme: 'light' or 'dark'

    def __init__(self, settings: QtCore.QSettings, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.choice = saved_choice(settings)
        self.effective = "light"
        self._touched = False  # the palette is the platform's until a theme is applied
        QtGui.QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def set_choice(self, choice: str) -> None:
        """'system', 'light' or 'dark'; saved, then applied at once."""
        if choice not in CHOICES:
            raise ValueError(f"theme must be one of {', '.join(CHOICES)}, found {choice!r}")
        self.choice = choice
        self.settings.setValue(SETTING, choice)
        self.apply()

    def _system_changed(self, _scheme: Any) -> None:
        if self.choice == "system":
            self.apply()

    def apply(self) -> str:
        scheme = system_scheme() if self.choice == "system" else self.choice
        app = QtWidgets.QApplication.instance()
        if scheme == "dark":
            if app.palette().color(QtGui.QPalette.Window).lightness() >= 128:
                app.setStyle("Fusion")  # platform styles may ignore a dark palette
                app.setPalette(dark_palette())
                self._touched = True
        elif self._touched or app.palette().color(QtGui.QPalette.Window).lightness() < 128:
            app.setPalette(app.style().standardPalette())
            self._touched = True
        self.effective = scheme
        _current["scheme"] = scheme
        recolour_plots(scheme)
        self.changed.emit(scheme)
        return scheme


def recolour_plots(scheme: str) -> int:
    """Give every pyqtgraph plot (present and future) the scheme's colours; returns how many
    plot widgets were recoloured."""
    import pyqtgraph as pg

    colours = PLOT_COLOURS[scheme]
    pg.setConfigOptions(background=colours["background"], foreground=colours["foreground"])
    count = 0
    for widget in QtWidgets.QApplication.allWidgets():
        if isinstance(widget, pg.GraphicsView):
            widget.setBackground(colours["background"])
            for item in widget.scene().items():
                if isinstance(item, pg.PlotItem):
                    recolour_plot_item(item, colours["foreground"])
            count += 1
    return count


def recolour_plot_item(item: Any, foreground: str) -> None:
    """Axes, tick labels and title of one plot in the foreground colour."""
    import pyqtgraph as pg

    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(foreground))
        axis.setTextPen(pg.mkPen(foreground))
        if axis.label is not None and axis.labelText:
            axis.setLabel(axis.labelText, units=axis.labelUnits, color=foreground)
    title = item.titleLabel
    if title is not None and title.text:
        title.setText(title.text, color=foreground)


def apply_to_canvas(scene: QtWidgets.QGraphicsScene, scheme: str) -> None:
    """The canvas background and the wires' shape labels in the scheme's colours."""
    scene.setBackgroundBrush(QtGui.QColor(CANVAS_COLOURS[scheme]))
    for item in scene.items():
        label = getattr(item, "label", None)
        if isinstance(label, QtWidgets.QGraphicsSimpleTextItem):
            label.setBrush(QtGui.QColor(EDGE_LABEL_COLOURS[scheme]))


def theme_menu(manager: ThemeManager, parent: QtWidgets.QWidget) -> QtWidgets.QMenu:
    """View > Theme: System / Light / Dark, one checked."""
    menu = QtWidgets.QMenu("&Theme", parent)
    menu.setObjectName("theme_menu")
    menu.setToolTipsVisible(True)
    group = QtGui.QActionGroup(menu)
    labels = {"system": "Follow the &System", "light": "&Light", "dark": "&Dark"}
    for choice in CHOICES:
        action = menu.addAction(labels[choice])
        action.setObjectName(f"theme_{choice}")
        action.setCheckable(True)
        action.setChecked(manager.choice == choice)
        action.setToolTip({"system": "Light or dark as the operating system is set",
                           "light": "Always light", "dark": "Always dark"}[choice])
        group.addAction(action)
        action.triggered.connect(lambda _c=False, c=choice: manager.set_choice(c))
    return menu
