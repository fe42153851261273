"""compare_runs on a real family: a trained run, a fine-tuned-style child and an int8 variant."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.compress import compare_measure
from workbench.compress.compare import compare_runs, family_of
from workbench.compress.errors import CompressError
from workbench.compress.quantize import quantize_run
from workbench.runs.lineage import Lineage
from workbench.runs.run_store import RunStore


@pytest.fixture(scope="module")
def family(digits_run):
    """(root, int8 variant of the root, a weights child 'pruned-from' the root)."""
    int8 = RunStore.open(quantize_run(digits_run.path, mode="dynamic", repeats=1)["run_dir"])
    child = RunStore.create(digits_run.path.parent.parent, "child")
    (child.path / "best.safetensors").write_bytes((digits_run.path / "best.safetensors")
                                                  .read_bytes())
    lineage = Lineage(parent=str(digits_run.path.resolve()), relation="pruned-from")
    child.save_config({**digits_run.config, "lineage": lineage.stored_for(child.path).to_dict()})
    child.write_summary({"val_accuracy": 0.5})
    child.record_event({"kind": "eval", "split": "test", "accuracy": 0.25})
    return digits_run, int8, child


def test_family_rows_with_sizes_latency_and_ratios(family):
    root, int8, child = family
    found = [r.path for r in family_of(int8, from_root=True)]
    assert found[0] == root.path and set(found) == {root.path, int8.path, child.path}
    assert [r.path for r in family_of(int8)] == [int8.path]
    table = compare_runs([], family=root.path, repeats=2, remeasure=True)
    rows = {r["run_dir"]: r for r in table["rows"]}
    assert table["rows"][0]["run_dir"] == str(root.path) == table["reference"]
    first, q, c = rows[str(root.path)], rows[str(int8.path)], rows[str(child.path)]
    assert (first["relation"], q["relation"], c["relation"]) == ("root", "quantized-from",
                                                                 "pruned-from")
    assert q["parent"] == c["parent"] == str(root.path.resolve()) and first["parent"] is None
    assert q["format"] == "int8" and first["format"] == "float32"
    assert q["file_bytes"] == (int8.path / "artifacts" / "model.int8.onnx").stat().st_size
    assert first["file_bytes"] > 2 * q["file_bytes"] and first["size_reduction"] == 1.0
    assert q["size_reduction"] == pytest.approx(first["file_bytes"] / q["file_bytes"], 1e-3)
    assert first["val_accuracy"] == root.read_summary()["val_accuracy"]
    assert c["val_accuracy"] == 0.5 and c["test_accuracy"] == 0.25
    assert first["test_accuracy"] is None  # never evaluated on the test split
    assert first["params"] == q["params"] == 17226 and first["macs"] > 0
    for row in rows.values():
        assert set(row["latency_ms"]) == {"1", "64"} and row["latency_ms"]["64"] > 0
        assert row["speedup"]["64"] == pytest.approx(
            first["latency_ms"]["64"] / row["latency_ms"]["64"], rel=1e-2)


def test_cached_figures_are_reused_and_keyed_by_threads(family, monkeypatch):
    root, int8, _ = family
    compare_runs([root.path, int8.path], repeats=1, remeasure=True)
    import workbench.compress.measure as measure

    monkeypatch.setattr(measure, "latencies", lambda *a, **k: pytest.fail("measured again"))
    again = compare_runs([root.path, int8.path], repeats=1)
    assert {r["measured"] for r in again["rows"]} == {"cached"}
    saved = json.loads(int8.read_artifact(compare_measure.CACHE_ARTIFACT))
    assert "1" in saved and saved["1"]["latency_ms"] == again["rows"][1]["latency_ms"]
    with pytest.raises(pytest.fail.Exception, match="measured again"):
        compare_runs([root.path], threads=2, repeats=1)  # other threads: not cached


def test_new_weights_are_measured_again(family):
    root, _, child = family
    compare_runs([child.path], repeats=1)
    best = child.path / "best.safetensors"
    best.write_bytes(best.read_bytes())  # new modification time
    import os

    os.utime(best, ns=(1, 1))
    assert compare_runs([child.path], repeats=1)["rows"][0]["measured"] == "now"


def test_cli_json_and_bad_input(family, tmp_path, capsys):
    root, int8, _ = family
    assert main(["compare", str(root.path), str(int8.path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    for key in ("run_dir", "val_accuracy", "params", "macs", "file_bytes", "latency_ms",
                "relation", "parent"):
        assert key in rows[0] and key in rows[1]
    assert main(["compare", str(root.path)]) == 0
    out = capsys.readouterr().out
    assert "1 intra-op thread(s)" in out and "quantized-from" not in out
    assert main(["compare", str(tmp_path)]) == 2
    assert "expected a run folder" in capsys.readouterr().err
    assert main(["compare"]) == 2
    with pytest.raises(CompressError, match="threads"):
        compare_runs([root.path], threads=0)


def test_pareto_front_fastest_first_and_regression_lower_is_better():
    from workbench.compress.compare import pareto_front

    def row(ms, acc, task="classification"):
        key = "val_mae" if task == "regression" else "val_accuracy"
        return {"task": task, key: acc, "latency_ms": {"1": ms, "64": ms}}

    rows = [row(10, 0.95), row(5, 0.94), row(6, 0.90), row(2, 0.80), row(5, 0.94),
            row(1, None)]
    assert pareto_front(rows) == [3, 1, 4, 0]  # 2 is beaten by 1; 5 has no score
    reg = [row(10, 1.0, "regression"), row(5, 2.0, "regression"), row(6, 3.0, "regression")]
    assert pareto_front(reg) == [1, 0]


def test_a_run_without_weights_is_a_row_without_figures(family):
    root, _, _ = family
    empty = RunStore.create(root.path.parent.parent, "training")
    empty.save_config({**root.config, "lineage": {"relation": "fine-tuned-from",
                                                  "parent": root.path.name}})
    table = compare_runs([root.path, empty.path], repeats=1)
    row = table["rows"][1]
    assert row["file_bytes"] is None and row["latency_ms"] == {"1": None, "64": None}
    assert row["speedup"] == {"1": None, "64": None} and row["size_reduction"] is None
    assert "no weights" in row["note"] and row["measured"] == "not measured"
    from workbench.compress.compare import format_table

    assert "not measured: " in format_table(table)
    empty_first = compare_runs([empty.path, root.path], repeats=1)["rows"][1]
    assert empty_first["speedup"]["64"] is None  # no reference figures
    import shutil

    shutil.rmtree(empty.path)  # the module's family is used by later tests
