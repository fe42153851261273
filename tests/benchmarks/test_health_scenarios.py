"""benchmarks/health_scenarios.py: contradictions are measured from the findings themselves."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import health_scenarios as bench  # noqa: E402


def finding(code, explanation="", folded=(), layers=(), severity="warning"):
    return {"code": code, "severity": severity, "title": code, "explanation": explanation,
            "evidence": {"folded": list(folded)} if folded else {}, "layers": list(layers)}


def test_one_symptom_claimed_by_two_roots():
    found = bench.contradictions([finding("dead_relu", folded=["underfitting"]),
                                  finding("vanishing_gradients", folded=["underfitting"])])
    assert found == ["underfitting claimed by dead_relu and vanishing_gradients"]
    found = bench.contradictions([finding("nan", folded=["loss_spikes"]),
                                  finding("loss_spikes")])
    assert found == ["loss_spikes shown and folded into nan"]


def test_exclusive_diagnoses_side_by_side():
    assert bench.contradictions([finding("lr_too_low"), finding("noisy_loss")]) == \
        ["lr_too_low beside noisy_loss"]
    # folded with its sentence, the symptom is explained, not contradicted
    assert bench.contradictions([finding("noisy_loss", folded=["lr_too_low"])]) == []


def test_a_text_denying_a_planted_or_shown_danger():
    denial = finding("loss_spikes", "that is the overshooting, not the network memorizing.",
                     folded=["overfitting"])
    assert bench.contradictions([denial], planted={"overfitting"}) == \
        ["loss_spikes denies overfitting (planted)"]
    unfolded = finding("loss_spikes", "that is the overshooting, not the network memorizing.")
    assert bench.contradictions([unfolded, finding("overfitting")]) == \
        ["loss_spikes denies overfitting (shown)"]
    assert bench.contradictions([denial]) == []  # neither planted nor shown: a resolution


def test_the_heldout_histories_catch_a_fold_that_denies_overfitting(monkeypatch):
    """With the issue-22 guard gone (overfitting always foldable), the held-out histories show
    misses and denials; with it, none."""
    from workbench.train.health import training_checks

    tally = bench.Tally()
    bench.histories(tally)
    assert (tally.hits, tally.planted, tally.contradicting, tally.alarms) == (18, 18, 0, 0)
    monkeypatch.setattr(training_checks, "overfits_on_its_own", lambda *a, **k: False)
    broken = bench.Tally()
    bench.histories(broken)
    assert broken.contradicting > 0
