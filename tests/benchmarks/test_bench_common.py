"""benchmarks/bench_common.py: the context line and ratio lines every benchmark prints."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_common import context_line, mean_ratio, ratio_text  # noqa: E402


def test_ratio_text_names_the_better_direction():
    assert ratio_text("float ms / int8 ms", 1.2345) == \
        "ratio=1.234  [float ms / int8 ms] (higher is better)"
    assert ratio_text("size", 0.5, better="lower", note="x", key="ratio_params", digits=2) == \
        "ratio_params=0.50  [size] (lower is better; x)"
    assert ratio_text("n", float("nan")).startswith("ratio=nan ")


def test_ratio_text_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="expected one of higher, lower"):
        ratio_text("x", 1.0, better="up")


def test_context_line_has_load_and_threads():
    import torch

    line = context_line(ort_threads=3)
    assert line.startswith("context: load ")
    assert f"torch {torch.get_num_threads()} intra-op" in line
    assert "ORT 3 intra-op" in line
    assert "ORT not used" in context_line()


def test_mean_ratio_is_the_mean_of_per_seed_ratios_not_the_ratio_of_means():
    pairs = [(1.0, 1.0), (1.0, 4.0)]  # per seed 1.0 and 0.25; ratio of means 2 / 5 = 0.4
    assert mean_ratio(pairs) == pytest.approx(0.625)
    assert mean_ratio([(1.0, 0.0), (3.0, 2.0)]) == pytest.approx(1.5)  # zero denominators out
    assert mean_ratio([]) != mean_ratio([])  # nan
