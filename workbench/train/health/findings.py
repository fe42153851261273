"""The Finding record every health check returns, and small helpers the checks share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

History = list[dict[str, Any]]


@dataclass
class Finding:
    """One root cause, written for people: what happened, why it matters, what to do.

    ``layers`` lists the layers the cause affects (graph node ids; empty when it is not about
    layers). ``evidence`` says where to look on the plots (``epochs``, ``metrics``, ``layer``).
    """

    code: str
    severity: str  # "info" | "warning" | "error"
    title: str
    explanation: str
    fix: str
    evidence: dict[str, Any] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add_layers(self, layers: list[str]) -> None:
        """Add layers this cause also affects (kept in order, no repeats), and point the
        evidence at the first one."""
        for layer in layers:
            if layer not in self.layers:
                self.layers.append(layer)
        if self.layers:
            self.evidence["layer"] = self.layers[0]
            self.evidence["layers"] = list(self.layers)


def series(history: History, key: str) -> list[float]:
    """The finite numeric values of ``key`` over the epochs that have one."""
    return [float(h[key]) for h in history
            if isinstance(h.get(key), (int, float)) and not isinstance(h.get(key), bool)]


def is_regression(context: dict[str, Any]) -> bool:
    """The run's task from the context; classification when it does not say."""
    return context.get("task") == "regression"


def name_layers(layers: list[str], limit: int = 4) -> str:
    """'fc1', 'fc1 and fc2', 'fc1, fc2 and fc3', or 'fc1, fc2, ... fc9 (9 layers)'."""
    quoted = [f"'{layer}'" for layer in layers]
    if len(quoted) <= 1:
        return "".join(quoted)
    if len(quoted) <= limit:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return f"{', '.join(quoted[:2])}, ... {quoted[-1]} ({len(quoted)} layers)"


def shown_codes(findings: list[Finding] | list[dict[str, Any]]) -> set[str]:
    """Every code a run's findings show: their own and those folded into them."""
    codes: set[str] = set()
    for finding in findings:
        data = finding.to_dict() if isinstance(finding, Finding) else finding
        codes.add(data["code"])
        codes.update((data.get("evidence") or {}).get("folded") or [])
    return codes
