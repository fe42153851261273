"""Calibration of a classifier on its validation split: reliability bins, expected calibration
error, and temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks").

- Reliability bins: equal-width confidence bins over [0, 1] (bin i holds confidences in
  (i/B, (i+1)/B], the first also 0); per bin the mean confidence (top probability), the
  accuracy and the count; an empty bin has ``confidence`` and ``accuracy`` None.
- ECE = sum over bins of |accuracy - confidence| * count / N.
- Temperature scaling: one scalar T > 0 dividing the logits, fitted on the validation logits by
  minimizing the negative log-likelihood (a golden-section search on log T in
  [:data:`T_MIN`, :data:`T_MAX`]; the NLL is convex in 1/T, so the search is exact and
  deterministic). Labels never change (argmax of logits / T is argmax of logits).

:func:`fit_temperature` stores the artifact ``calibration.json`` with the sha256 of the weights
file it was fitted on; a retrained run makes it stale, and stale temperatures are not used
(:func:`stored_temperature` is None, the export leaves the probabilities uncalibrated).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from workbench.explain.errors import ExplainError

ARTIFACT = "calibration.json"
T_MIN, T_MAX = 0.05, 20.0
MAX_BINS = 100


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature`` (float64)."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, y: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the labels under softmax(logits / T)."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    top = z.max(axis=1, keepdims=True)
    log_norm = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(z)), np.asarray(y, dtype=np.int64)]))


def reliability(probabilities: np.ndarray, y: np.ndarray, bins: int = 10
                ) -> tuple[float, list[dict[str, Any]]]:
    """(ECE, bins [{"lo", "hi", "confidence", "accuracy", "count"}]) of predicted
    probabilities N x K against labels N."""
    probs = np.asarray(probabilities, dtype=np.float64)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == np.asarray(y)).astype(np.float64)
    index = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    rows: list[dict[str, Any]] = []
    ece = 0.0
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        row: dict[str, Any] = {"lo": b / bins, "hi": (b + 1) / bins, "confidence": None,
                               "accuracy": None, "count": count}
        if count:
            row["confidence"] = float(confidence[members].mean())
            row["accuracy"] = float(correct[members].mean())
            ece += abs(row["accuracy"] - row["confidence"]) * count
        rows.append(row)
    return (ece / len(probs) if len(probs) else 0.0), rows


def fit_temperature_to(logits: np.ndarray, y: np.ndarray) -> float:
    """The T in [T_MIN, T_MAX] minimizing nll(logits, y, T) (golden-section on log T)."""
    lo, hi = math.log(T_MIN), math.log(T_MAX)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(logits, y, math.exp(a)), nll(logits, y, math.exp(b))
    for _ in range(80):
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(logits, y, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(logits, y, math.exp(b))
    best = math.exp((lo + hi) / 2.0)
    for edge in (T_MIN, T_MAX):  # a minimum at (or flat up to) the boundary of the search
        if abs(math.log(best / edge)) < 1e-6 or nll(logits, y, edge) < nll(logits, y, best):
            best = edge
    return float(best)


def _check_bins(bins: Any) -> int:
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= MAX_BINS:
        raise ExplainError(f"bins must be a whole number from 2 to {MAX_BINS}, found {bins!r}")
    return bins


def _classifier_logits(run_dir: str | Path, weights: str) -> tuple[Any, np.ndarray, np.ndarray]:
    from workbench.explain.val_predictions import require_classification, validation_logits

    rebuilt, logits, y = validation_logits(run_dir, weights)
    require_classification(rebuilt, "calibration")
    return rebuilt, logits, y


def calibration_record(run_dir: str | Path, *, weights: str = "best") -> dict[str, Any] | None:
    """The stored ``calibration.json`` plus ``"stale": bool`` (fitted on other weights than the
    current content of ``weights``), or None when the run has none (or it is unreadable)."""
    from workbench.explain.cache import open_run, weights_sha256

    run = open_run(run_dir)
    try:
        record = json.loads(run.read_artifact(ARTIFACT))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("temperature"), (int, float)):
        return None
    try:
        current = weights_sha256(run, weights)
    except ExplainError:
        current = None
    return {**record, "stale": record.get("weights_sha256") != current}


def stored_temperature(run_dir: str | Path, *, weights: str = "best") -> float | None:
    """The fitted temperature of the run, or None when there is none or it is stale."""
    record = calibration_record(run_dir, weights=weights)
    if record is None or record["stale"]:
        return None
    return float(record["temperature"])


def calibration_report(run_dir: str | Path, bins: int = 10, *,
                       weights: str = "best") -> dict[str, Any]:
    """Reliability bins and ECE of the run's ``weights`` on the validation split, and with the
    stored temperature (when fitted on these weights) the calibrated ones too. ExplainError
    for a regression run, bad ``bins`` or a run that cannot be rebuilt."""
    bins = _check_bins(bins)
    rebuilt, logits, y = _classifier_logits(run_dir, weights)
    ece, rows = reliability(softmax(logits), y, bins)
    report: dict[str, Any] = {
        "weights": rebuilt.weights, "samples": int(len(y)), "split": "val",
        "accuracy": float((logits.argmax(axis=1) == y).mean()), "nll": nll(logits, y),
        "ece": ece, "bins": rows, "temperature": None, "ece_calibrated": None,
        "bins_calibrated": None, "nll_calibrated": None, "note": None}
    record = calibration_record(rebuilt.run, weights=weights)
    if record is not None and record["stale"]:
        report["note"] = ("the stored temperature was fitted on other weights (the run was "
                          "trained again since): fit it again")
    elif record is not None:
        t = float(record["temperature"])
        report["temperature"] = t
        report["ece_calibrated"], report["bins_calibrated"] = reliability(
            softmax(logits, t), y, bins)
        report["nll_calibrated"] = nll(logits, y, t)
    return report


def fit_temperature(run_dir: str | Path, *, weights: str = "best") -> dict[str, Any]:
    """Fit T on the validation logits of ``weights``, store it as the artifact calibration.json
    and return it: {"temperature", "ece_before", "ece_after", "nll_before", "nll_after",
    "weights_sha256", "weights", "samples", "fitted_on", "bins"}."""
    from workbench.explain.cache import weights_sha256

    rebuilt, logits, y = _classifier_logits(run_dir, weights)
    sha = weights_sha256(rebuilt.run, weights)
    t = fit_temperature_to(logits, y)
    before, _ = reliability(softmax(logits), y, 10)
    after, _ = reliability(softmax(logits, t), y, 10)
    record = {"temperature": t, "ece_before": before, "ece_after": after,
              "nll_before": nll(logits, y), "nll_after": nll(logits, y, t),
              "weights_sha256": sha, "weights": rebuilt.weights, "samples": int(len(y)),
              "fitted_on": "val", "bins": 10, "at_bound": t in (T_MIN, T_MAX)}
    rebuilt.run.write_artifact(ARTIFACT, record)
    return record


def export_calibration(run_dir: str | Path) -> dict[str, Any] | None:
    """What an export of the run's best weights records in model.json: {"temperature": T,
    "applied": True, ...} for a temperature fitted on those weights, {"temperature": None,
    "applied": False, "reason"} for a stale one, None when the run has none."""
    record = calibration_record(run_dir, weights="best")
    if record is None:
        return None
    if record["stale"]:
        return {"temperature": None, "applied": False,
                "reason": "the temperature in calibration.json was fitted on other weights; "
                          "fit it again (workbench explain / the Explain view)"}
    return {"temperature": float(record["temperature"]), "applied": True,
            "fitted_on": "validation split", "weights_sha256": record.get("weights_sha256"),
            "ece_before": record.get("ece_before"), "ece_after": record.get("ece_after")}
