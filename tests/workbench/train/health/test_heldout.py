"""The held-out histories (never tuned on): every planted danger shown, none explained away."""

from __future__ import annotations

import pytest

from workbench.train.health import check_run, shown_codes

from .heldout_histories import corpus

CASES = corpus()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_heldout_history(case):
    findings = check_run(case.history, case.context)
    shown = shown_codes(findings)
    assert case.planted <= shown, (case.planted - shown, [f.title for f in findings])
    assert not case.absent & shown, (case.absent & shown, [f.title for f in findings])
    if "overfitting" in case.planted:
        # a danger the curves show on their own is its own finding, never a folded symptom
        assert "overfitting" in {f.code for f in findings}
        assert not any("not the network memorizing" in f.explanation
                       or "is not memorizing" in f.explanation for f in findings)

