"""The canvas view: wheel and pinch zoom, middle-button or space+drag pan, rubber-band select,
drops from the palette."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

LAYER_MIME = "application/x-workbench-layer"
MIN_SCALE, MAX_SCALE = 0.05, 4.0  # 0.05: a 100-layer chain still fits as an overview
READABLE_SCALE = 0.6


class CanvasView(QtWidgets.QGraphicsView):
    layer_dropped = QtCore.Signal(str, QtCore.QPointF)  # layer type, scene position

    def __init__(self, scene: QtWidgets.QGraphicsScene,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QtGui.QPainter.Antialiasing | QtGui.QPainter.TextAntialiasing)
        self.setDragMode(QtWidgets.QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QtWidgets.QGraphicsView.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.setSceneRect(-5000, -5000, 10000, 10000)
        self.viewport().grabGesture(QtCore.Qt.PinchGesture)
        self._pan_from: QtCore.QPointF | None = None
        self._space = False
        self._fit_pending: bool | None = None
        # shown whenever part of the network is out of view: one click shows all of it
        self.fit_button = QtWidgets.QPushButton("Show whole network (Ctrl+0)", self)
        self.fit_button.setObjectName("fit_button")
        self.fit_button.setCursor(QtCore.Qt.PointingHandCursor)
        self.fit_button.setToolTip("Part of the network is outside the view: zoom out to "
                                   "show every layer")
        self.fit_button.clicked.connect(lambda: self.zoom_to_fit(readable=False))
        self.fit_button.hide()
        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(50)
        self._fit_timer.timeout.connect(self.update_fit_button)
        self.horizontalScrollBar().valueChanged.connect(lambda _v: self._fit_timer.start())
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._fit_timer.start())
        scene.changed.connect(lambda _r: self._fit_timer.start())

    def network_fully_visible(self) -> bool:
        rect = self.scene().items_bounding_rect()  # type: ignore[attr-defined]
        shown = self.mapToScene(self.viewport().rect()).boundingRect()
        return rect.isNull() or shown.contains(rect)

    def update_fit_button(self) -> None:
        """Show the Fit button (top right of the canvas) while some layer is out of view."""
        hidden = not self.network_fully_visible()
        if hidden:
            self.fit_button.adjustSize()
            margin = 10
            self.fit_button.move(self.viewport().width() - self.fit_button.width() - margin,
                                 margin)
            self.fit_button.raise_()
        self.fit_button.setVisible(hidden)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fit_pending is not None and self.isVisible():
            # fitted on open and untouched since (or never shown): fit the new size again
            QtCore.QTimer.singleShot(0, lambda: self._fit_pending is not None and
                                     self.zoom_to_fit(self._fit_pending))
        self._fit_timer.start()

    # zoom -----------------------------------------------------------------------------
    def zoom_by(self, factor: float) -> None:
        self._fit_pending = None  # the person chose a zoom: keep it
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        self.scale(factor, factor)
        self._fit_timer.start()

    def zoom_to_fit(self, readable: bool = True) -> None:
        """Fit the network in the view. ``readable`` (when a project opens) never zooms out
        past legible labels, showing the start of a long network instead; the Zoom to Fit
        command passes False and shows all of it (down to the minimum zoom)."""
        # an opening fit is redone when the view is resized before the person zooms or pans
        # (the window is shown, its docks take their room); the Fit command's is not
        self._fit_pending = True if readable else None
        if not self.isVisible():  # the viewport has no real size yet: fit once shown
            return
        rect = self.scene().items_bounding_rect()  # type: ignore[attr-defined]
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        # the scrollable area always reaches every node, with room around it
        self.setSceneRect(self.sceneRect().united(rect.adjusted(-2000, -2000, 2000, 2000)))
        self.fitInView(rect.adjusted(-60, -60, 60, 60), QtCore.Qt.KeepAspectRatio)
        scale = self.transform().m11()
        floor = READABLE_SCALE if readable else MIN_SCALE
        if scale > 1.2 or scale < floor:
            # never so small that the labels cannot be read: show the start of the network
            target = min(1.2, max(scale, floor))
            self.resetTransform()
            self.scale(target, target)
            if scale < floor:
                visible = self.viewport().width() / target
                self.centerOn(rect.left() + visible / 2 - 40, rect.center().y())
            else:
                self.centerOn(rect.center())
        self.update_fit_button()

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015 ** delta)
            event.accept()

    def viewportEvent(self, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.NativeGesture and \
                event.gestureType() == QtCore.Qt.ZoomNativeGesture:
            self.zoom_by(1.0 + event.value())
            return True
        if event.type() == QtCore.QEvent.Gesture:
            pinch = event.gesture(QtCore.Qt.PinchGesture)
            if pinch is not None:
                self.zoom_by(pinch.scaleFactor())
                return True
        return super().viewportEvent(event)

    # pan ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if event.key() == QtCore.Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(QtCore.Qt.OpenHandCursor)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if event.key() == QtCore.Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if event.button() == QtCore.Qt.MiddleButton or (
                self._space and event.button() == QtCore.Qt.LeftButton):
            self._pan_from = event.position()
            self._fit_pending = None
            self.viewport().setCursor(QtCore.Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # drops ----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QtGui.QDragMoveEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802
        data = event.mimeData()
        if data.hasFormat(LAYER_MIME):
            type_name = bytes(data.data(LAYER_MIME)).decode("utf-8")
            self.layer_dropped.emit(type_name, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def visible_center(self) -> QtCore.QPointF:
        return self.mapToScene(self.viewport().rect().center())
