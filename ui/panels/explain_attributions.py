"""The Explain panel's Attributions tab: which parts of an input made the model decide as it
did (``workbench.explain.attributions.compute_attributions``), drawn for the kind of input:
heat maps over images (and the average per class), bars per CSV column for tabular data,
coloured tokens for token sequences. ``AttributionView`` draws one result; the Mistakes tab
uses it too."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from ui.panels.explain_common import (
    BAR_COLOR,
    MEAN_COLOR,
    JobTab,
    fmt,
    hbars,
    new_plot,
    overlay_pixmap,
)

METHOD_TITLES = {"saliency": "Saliency (gradient)", "ig": "Integrated gradients",
                 "gradcam": "Grad-CAM", "occlusion": "Occlusion", "ablation": "Feature ablation"}
THUMB = 96


def caption(sample: dict[str, Any]) -> str:
    ok = "✔" if sample.get("true") == sample.get("predicted") else "✖"
    return (f"#{sample.get('index')} {ok}\ntrue {sample.get('true')}\npredicted "
            f"{sample.get('predicted')} ({fmt(sample.get('probability'), '.2f')})")


def token_html(tokens: list[Any], weights: list[float]) -> str:
    """Tokens as HTML spans, red for positive attribution and blue for negative, stronger
    for larger |weight|."""
    top = max((abs(w) for w in weights), default=0.0) or 1.0
    spans = []
    for token, weight in zip(tokens, weights):
        a = min(1.0, abs(weight) / top)
        color = (220, 50, 47) if weight >= 0 else (28, 126, 214)
        spans.append(f'<span style="background-color: rgba({color[0]},{color[1]},{color[2]},'
                     f'{a:.2f}); padding: 1px">{html.escape(str(token))}</span>')
    return " ".join(spans)


def class_order(name: str) -> tuple[int, float, str]:
    """Numbers in numeric order first, then names alphabetically."""
    try:
        return 0, float(name), ""
    except ValueError:
        return 1, 0.0, name


class AttributionView(QtWidgets.QStackedWidget):
    """Draws one ``compute_attributions`` result."""

    def __init__(self, averages: bool = True) -> None:
        super().__init__()
        self.averages = averages  # draw the per-class averages of image results
        self.result: dict[str, Any] | None = None
        self.grid_host = QtWidgets.QWidget()
        self.grid = QtWidgets.QGridLayout(self.grid_host)
        self.grid.setAlignment(QtCore.Qt.AlignLeft | QtCore.Qt.AlignTop)
        scroller = QtWidgets.QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.grid_host)
        self.tiles: list[QtWidgets.QLabel] = []
        self.addWidget(scroller)
        bars = QtWidgets.QWidget()
        self.sample_combo = QtWidgets.QComboBox()
        self.sample_combo.currentIndexChanged.connect(self._draw_bars)
        self.plot = new_plot(bottom="attribution (towards the predicted class)")
        layout = QtWidgets.QVBoxLayout(bars)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("sample"))
        row.addWidget(self.sample_combo, 1)
        self.legend = QtWidgets.QLabel(f'<span style="color:{BAR_COLOR}">■ this sample</span>'
                                       f'  <span style="color:{MEAN_COLOR}">■ mean |.| over '
                                       f'the samples</span>')
        row.addWidget(self.legend)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        self.addWidget(bars)
        self.tokens = QtWidgets.QTextBrowser()
        self.addWidget(self.tokens)

    def show_result(self, result: dict[str, Any]) -> None:
        self.result = result
        kind = result.get("input_kind")
        if kind == "image":
            self._draw_images(result)
            self.setCurrentIndex(0)
        elif kind == "tokens":
            self.tokens.setHtml("<br><br>".join(
                f"<b>{html.escape(caption(s).replace(chr(10), ' · '))}</b><br>"
                + token_html(s.get("tokens", []), s.get("attribution", []))
                for s in result.get("samples", [])))
            self.setCurrentIndex(2)
        else:
            self.sample_combo.blockSignals(True)
            self.sample_combo.clear()
            self.sample_combo.addItems([caption(s).replace("\n", " · ")
                                        for s in result.get("samples", [])])
            self.sample_combo.blockSignals(False)
            self._draw_bars()
            self.setCurrentIndex(1)

    def clear(self) -> None:
        self.result = None
        self._clear_grid()
        self.plot.clear()
        self.sample_combo.clear()
        self.tokens.clear()

    def _clear_grid(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # gone now, not only when the event loop deletes it
                widget.deleteLater()
        self.tiles = []

    def _tile(self, pixmap: Any, text: str, row: int, col: int) -> None:
        tile = QtWidgets.QLabel()
        tile.setPixmap(pixmap)
        tile.setToolTip(text)
        words = QtWidgets.QLabel(text)
        words.setAlignment(QtCore.Qt.AlignHCenter | QtCore.Qt.AlignTop)
        box = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(box)
        column.setContentsMargins(2, 2, 2, 2)
        column.addWidget(tile, 0, QtCore.Qt.AlignHCenter)
        column.addWidget(words)
        self.grid.addWidget(box, row, col)
        self.tiles.append(tile)

    def _draw_images(self, result: dict[str, Any]) -> None:
        self._clear_grid()
        per_row = 8
        samples = result.get("samples", [])
        for i, sample in enumerate(samples):
            self._tile(overlay_pixmap(sample.get("image"), sample["attribution"], THUMB),
                       caption(sample), 2 * (i // per_row), i % per_row)
        averages = (result.get("class_average") or {}) if self.averages else {}
        if averages:
            row = 2 * ((len(samples) + per_row - 1) // per_row)
            title = QtWidgets.QLabel("<b>Average |attribution| per class</b> (predicted class, "
                                     "validation samples shown above)")
            self.grid.addWidget(title, row, 0, 1, per_row)
            scale = max(float(np.abs(np.asarray(v, dtype=float)).max(initial=0.0))
                        for v in averages.values())
            for j, name in enumerate(sorted(averages, key=class_order)):
                values = averages[name]
                self._tile(overlay_pixmap(None, values, THUMB, scale=scale), f"class {name}",
                           row + 1 + 2 * (j // per_row), j % per_row)

    def _draw_bars(self) -> None:
        result = self.result
        if not result or not result.get("samples"):
            return
        samples = result["samples"]
        tabular = bool(result.get("columns")) and "column_attribution" in samples[0]
        names = result["columns"] if tabular else result.get("feature_names") or [
            f"input {i}" for i in range(len(samples[0]["attribution"]))]
        key = "column_attribution" if tabular else "attribution"
        chosen = samples[max(0, self.sample_combo.currentIndex())][key]
        mean_abs = np.mean([np.abs(np.asarray(s[key], dtype=float)) for s in samples], axis=0)
        order = np.argsort(-mean_abs)
        hbars(self.plot, [names[i] for i in order],
              [([chosen[i] for i in order], BAR_COLOR), (mean_abs[order], MEAN_COLOR)])


class AttributionsTab(JobTab):
    """Method, samples, Grad-CAM layer and noise tunnel; Run computes on the queue."""

    def __init__(self, queue: Any, memo: dict[tuple[str, str], Any]) -> None:
        super().__init__(queue, memo, "Explain samples")
        self.methods: list[str] = []
        self.method = QtWidgets.QComboBox()
        self.method.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToContents)
        self.method.setToolTip("Only the methods that fit this model are offered (Grad-CAM "
                               "needs a convolution layer; feature ablation is for "
                               "tabular data; occlusion for images)")
        self.method.currentIndexChanged.connect(self._method_changed)
        self.samples = QtWidgets.QSpinBox()
        self.samples.setRange(1, 64)
        self.samples.setValue(8)
        self.samples.setToolTip("How many validation samples to explain")
        self.layer = QtWidgets.QComboBox()
        self.layer.setToolTip("Grad-CAM: the convolution layer whose activations are weighed")
        self.noise = QtWidgets.QCheckBox("noise tunnel")
        self.noise.setToolTip("Average the attribution over noisy copies of each input "
                              "(SmoothGrad): smoother maps, several times slower")
        self.layer_label = QtWidgets.QLabel("layer")
        for label, widget in ((QtWidgets.QLabel("method"), self.method),
                              (QtWidgets.QLabel("samples"), self.samples),
                              (self.layer_label, self.layer)):
            self.controls.addWidget(label)
            self.controls.addWidget(widget)
        self.controls.addWidget(self.noise)
        self.finish_controls()
        self.view = AttributionView()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self._method_changed()

    def clear(self) -> None:
        self.view.clear()
        self.methods = []
        self.method.clear()
        self.layer.clear()

    def load(self) -> None:
        """Find the methods (and conv layers) that fit the selected run, off the GUI thread."""
        from workbench.explain import attributions as core

        if self.run_dir is None or self.methods:
            return
        run_dir = self.run_dir

        def work(progress: Any, cancel: Any) -> dict[str, Any]:
            methods = core.methods_for(run_dir)
            layers = core.conv_layers(run_dir) if "gradcam" in methods else []
            return {"methods": methods, "layers": layers}

        self.submit("finding the methods that fit this model", work, self._on_methods,
                    key="methods")

    def _on_methods(self, found: dict[str, Any]) -> None:
        self.methods = list(found["methods"])
        self.method.blockSignals(True)
        self.method.clear()
        for name in self.methods:
            self.method.addItem(METHOD_TITLES.get(name, name), name)
        if "ig" in self.methods:
            self.method.setCurrentIndex(self.methods.index("ig"))
        self.method.blockSignals(False)
        self.layer.clear()
        self.layer.addItems(found["layers"])
        if found["layers"]:
            self.layer.setCurrentIndex(len(found["layers"]) - 1)  # the last conv: coarsest map
        self._method_changed()
        remembered = self.remembered(self._key())
        if remembered is not None:
            self.view.show_result(remembered)

    def _method_changed(self) -> None:
        gradcam = self.method.currentData() == "gradcam"
        self.layer.setEnabled(gradcam)
        for widget in (self.layer, self.layer_label):  # only models with a conv layer
            widget.setVisible(self.layer.count() > 0)
        self.run_button.setEnabled(bool(self.methods) and not self.busy())

    def _update_buttons(self) -> None:
        super()._update_buttons()
        self.run_button.setEnabled(bool(self.methods) and not self.busy())

    def _key(self) -> str:
        layer = self.layer.currentText() if self.method.currentData() == "gradcam" else ""
        return (f"attributions:{self.method.currentData()}:{self.samples.value()}:{layer}:"
                f"{self.noise.isChecked()}")

    def request(self) -> None:
        from workbench.explain.attributions import compute_attributions

        if not self.methods:
            self.message.setText("No attribution method fits this model (yet): wait for the "
                                 "methods to be found, or select a trained run.")
            return
        run_dir, method, samples = self.run_dir, self.method.currentData(), self.samples.value()
        layer = self.layer.currentText() or None if method == "gradcam" else None
        noise = self.noise.isChecked()

        def work(progress: Any, cancel: Any) -> dict[str, Any]:
            return compute_attributions(run_dir, method, samples, layer=layer,
                                        noise_tunnel=noise, progress=progress, cancel=cancel)

        self.submit(f"computing {METHOD_TITLES.get(method, method)} for {samples} sample(s)",
                    work, self._on_result_dict, key=self._key())

    def _on_result_dict(self, result: dict[str, Any]) -> None:
        self.view.show_result(result)
        cached = " (from the run's cache)" if result.get("cached") else ""
        self.message.setText(f"{METHOD_TITLES.get(result.get('method'), result.get('method'))}"
                             f" on {len(result.get('samples', []))} validation sample(s), "
                             f"{fmt(result.get('seconds_per_sample'), '.3f')} s per sample"
                             f"{cached}. Heat: |attribution| towards the predicted class.")
