"""The recommendation: the fastest int8 format that keeps accuracy, or float32 when faster."""

from __future__ import annotations

from workbench.compress.formats import candidate_settings, recommend


def row(label, drop, ms, size=100):
    return {"label": label, "drop": drop, "latency_ms": {"1": ms, "64": ms}, "file_bytes": size}


def test_fastest_format_within_threshold():
    rows = [row("float32", None, 10.0), row("a", 0.1, 4.0), row("b", 2.0, 1.0),
            row("c", 0.4, 6.0)]
    choice = recommend(rows, 0.5)
    assert choice["choice"] == choice["recommend"] == "a"   # b is faster but loses accuracy
    assert "2.50x" in choice["reason"]


def test_near_ties_go_to_the_smallest_file():
    rows = [row("float32", None, 10.0, 400), row("qdq", 0.0, 4.0, 120),
            row("qoperator", 0.0, 4.1, 100), row("slow-small", 0.0, 6.0, 50)]
    assert recommend(rows, 0.5)["recommend"] == "qoperator"  # within 5% of qdq, smaller
    rows[2] = row("qoperator", 0.0, 4.5, 100)  # 12% slower: no longer a tie
    assert recommend(rows, 0.5)["recommend"] == "qdq"


def test_float_recommended_when_it_is_fastest():
    choice = recommend([row("float32", None, 1.0), row("a", 0.0, 3.0)], 0.5)
    assert choice["recommend"] == "float32" and choice["choice"] == "a"
    assert "float32 is the fastest" in choice["reason"]


def test_nothing_keeps_accuracy():
    choice = recommend([row("float32", None, 5.0), row("a", 3.0, 1.0)], 0.5)
    assert choice["choice"] is None and choice["recommend"] == "float32"


def test_candidates_cover_formats_types_and_dynamic():
    labels = [s.label for s in candidate_settings()]
    static = ["static QDQ U8S8", "static QDQ S8S8", "static QOperator U8S8",
              "static QOperator S8S8"]
    assert labels == [*static, *(f"{s} first-float" for s in static), "dynamic (S8 weights)"]
