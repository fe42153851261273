"""What the app noticed about a run: findings with severity, explanation, fix and evidence.

Findings arrive live (``Diagnostic`` payloads from the worker) and at the end (the summary's
``findings``, i.e. ``workbench.train.health.check_run`` over the metric history); ``set_history``
runs the same checks over any metric history. Selecting a finding emits ``evidenceSelected``
with its evidence dict (epochs, metrics, layer), which the dashboard shades and emphasizes.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

SEVERITY_ICON = {"error": QtWidgets.QStyle.SP_MessageBoxCritical,
                 "warning": QtWidgets.QStyle.SP_MessageBoxWarning,
                 "info": QtWidgets.QStyle.SP_MessageBoxInformation}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
IGNORED_CODES = {"histograms"}  # worker notes about the view itself, not about the run


def finding_from_diagnostic(payload: dict[str, Any]) -> dict[str, Any]:
    """A Diagnostic payload in the Finding shape (code, severity, title, explanation, fix,
    evidence)."""
    return {"code": payload.get("code", "note"), "severity": payload.get("severity", "info"),
            "title": payload.get("title", ""),
            "explanation": payload.get("explanation") or payload.get("message", ""),
            "fix": payload.get("fix", ""), "evidence": dict(payload.get("evidence") or {})}


class HealthPanel(QtWidgets.QWidget):
    """A list of findings over a detail view of the selected one."""

    evidenceSelected = QtCore.Signal(object)  # evidence dict, or None when cleared

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QtWidgets.QListWidget()
        self.list.setToolTip("Hidden dangers found in the current run. Select one to see the "
                             "explanation and the evidence on the plots.")
        self.list.currentRowChanged.connect(self._on_selected)
        # a narrow dock wraps a long title onto more lines; it is never cut off
        self.list.setWordWrap(True)
        self.list.setTextElideMode(QtCore.Qt.ElideNone)
        self.list.setResizeMode(QtWidgets.QListView.Adjust)
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        self.detail = QtWidgets.QTextBrowser()
        self.detail.setOpenExternalLinks(False)
        self.empty_text = "Nothing noticed yet. Findings appear here during and after a run."
        self.detail.setPlainText(self.empty_text)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setSizes([120, 200])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        self.findings: list[dict[str, Any]] = []

    def clear(self) -> None:
        self.findings = []
        self.list.clear()
        self.detail.setPlainText(self.empty_text)
        self.evidenceSelected.emit(None)

    def add_diagnostic(self, payload: dict[str, Any]) -> None:
        """A live Diagnostic from the worker."""
        if payload.get("code") in IGNORED_CODES:
            return
        self.add_finding(finding_from_diagnostic(payload))

    def add_finding(self, finding: dict[str, Any]) -> None:
        """Add one finding unless the same code and title is already listed."""
        key = (finding.get("code"), finding.get("title"))
        for i, existing in enumerate(self.findings):
            if (existing.get("code"), existing.get("title")) == key:
                self.findings[i] = {**existing, **{k: v for k, v in finding.items() if v}}
                self._rebuild()
                return
        self.findings.append(dict(finding))
        self._rebuild()

    def set_findings(self, findings: list[dict[str, Any]]) -> None:
        """Replace the list (e.g. with a finished run's summary findings)."""
        self.findings = []
        for finding in findings:
            self.add_finding(finding)
        self._rebuild()

    def set_history(self, history: list[dict[str, Any]], context: dict[str, Any] | None = None
                    ) -> None:
        """Run the core health checks over a metric history and list what they find."""
        from workbench.train.health import check_run

        self.set_findings([f.to_dict() for f in check_run(history, context or {})])

    def _rebuild(self) -> None:
        selected = self.list.currentRow()
        self.findings.sort(key=lambda f: SEVERITY_RANK.get(f.get("severity", "info"), 3))
        self.list.blockSignals(True)
        self.list.clear()
        style = self.style()
        for finding in self.findings:
            item = QtWidgets.QListWidgetItem(
                style.standardIcon(SEVERITY_ICON.get(finding.get("severity", "info"),
                                                     QtWidgets.QStyle.SP_MessageBoxInformation)),
                finding.get("title", ""))
            item.setToolTip(finding.get("explanation", ""))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.findings and selected < 0:
            self.detail.setPlainText(f"{len(self.findings)} finding(s). Select one for details.")
        elif 0 <= selected < len(self.findings):
            self.list.setCurrentRow(selected)

    def _on_selected(self, row: int) -> None:
        if not 0 <= row < len(self.findings):
            self.evidenceSelected.emit(None)
            return
        finding = self.findings[row]
        html = [f"<h3>{_escape(finding.get('title', ''))}</h3>",
                f"<p><i>{_escape(finding.get('severity', 'info'))}</i></p>",
                f"<p>{_escape(finding.get('explanation', ''))}</p>"]
        if finding.get("fix"):
            html.append(f"<p><b>What to do:</b> {_escape(finding['fix'])}</p>")
        evidence = finding.get("evidence") or {}
        if evidence:
            html.append(f"<p><small>Evidence: {_escape(_describe(evidence))}</small></p>")
        self.detail.setHtml("".join(html))
        self.evidenceSelected.emit(evidence)


def _describe(evidence: dict[str, Any]) -> str:
    parts = []
    if isinstance(evidence.get("epochs"), list) and len(evidence["epochs"]) == 2:
        parts.append("epochs {} to {}".format(*evidence["epochs"]))
    elif "epoch" in evidence:
        parts.append(f"epoch {int(evidence['epoch']) + 1}"
                     + (f", batch {evidence['batch'] + 1}" if "batch" in evidence else ""))
    if evidence.get("layer"):
        parts.append(f"layer {evidence['layer']}")
    if evidence.get("metrics"):
        parts.append("on " + ", ".join(evidence["metrics"]))
    if evidence.get("class_counts"):
        parts.append("training samples per class: " + ", ".join(
            f"{name} {count}" for name, count in evidence["class_counts"].items()))
    if "shared" in evidence and "total" in evidence:
        parts.append(f"{evidence['shared']} of {evidence['total']} samples of the "
                     f"{evidence.get('split', '?')} split are copies of training samples")
    return "; ".join(parts) or "see the plots"


def _escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
