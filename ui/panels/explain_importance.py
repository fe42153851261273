"""The Explain panel's Importance tab: permutation importance on the validation split
(``workbench.explain.importance.permutation_importance``) as ranked horizontal bars with the
spread over repeats as error bars. Slow, so it runs only when asked, with progress and
Cancel."""

from __future__ import annotations

from typing import Any

from PySide6 import QtWidgets

from ui.panels.explain_common import BAR_COLOR, JobTab, fmt, hbars, new_plot

SHOWN = 25  # the most important features drawn


class ImportanceTab(JobTab):
    def __init__(self, queue: Any, memo: dict[tuple[str, str], Any]) -> None:
        super().__init__(queue, memo, "Compute importance")
        self.result: dict[str, Any] | None = None
        self.repeats = QtWidgets.QSpinBox()
        self.repeats.setRange(1, 50)
        self.repeats.setValue(5)
        self.repeats.setToolTip("Each feature is shuffled this many times; the error bar is "
                                "the spread (standard deviation) of the drops")
        self.controls.addWidget(QtWidgets.QLabel("repeats"))
        self.controls.addWidget(self.repeats)
        self.finish_controls()
        self.plot = new_plot(bottom="drop in the validation score when the feature is "
                                    "shuffled")
        self.bars: list[Any] = []
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.message)
        layout.addWidget(self.plot, 1)

    def clear(self) -> None:
        self.result = None
        self.plot.clear()
        self.bars = []

    def load(self) -> None:
        remembered = self.remembered(self._key())
        if remembered is not None and self.result is None:
            self.show_result(remembered)

    def _key(self) -> str:
        return f"importance:{self.repeats.value()}"

    def request(self) -> None:
        from workbench.explain.importance import permutation_importance

        run_dir, repeats = self.run_dir, self.repeats.value()

        def work(progress: Any, cancel: Any) -> dict[str, Any]:
            return permutation_importance(run_dir, repeats, progress=progress, cancel=cancel)

        self.submit(f"shuffling each feature {repeats} time(s)", work, self.show_result,
                    key=self._key())

    def show_result(self, result: dict[str, Any]) -> None:
        self.result = result
        rows = result.get("importance", [])[:SHOWN]
        self.bars = hbars(self.plot, [r["feature"] for r in rows],
                          [([r["mean"] for r in rows], BAR_COLOR)],
                          errors=[r.get("std", 0.0) for r in rows], limit=SHOWN)
        more = len(result.get("importance", [])) - len(rows)
        self.message.setText(
            f"Validation {result.get('metric')} {fmt(result.get('baseline'))} with nothing "
            f"shuffled; a bar is how much it drops when that feature's values are shuffled "
            f"({result.get('repeats')} repeats, error bar = spread). Near zero or below: "
            f"the model does not rely on it." + (f" {more} more not drawn." if more > 0
                                                 else ""))
