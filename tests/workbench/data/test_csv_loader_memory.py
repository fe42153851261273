"""A big CSV loads without the whole text or Python lists of every row in memory."""

from __future__ import annotations

import tracemalloc

import numpy as np

from workbench.data.csv_loader import load_csv

ROWS = 200_000
# traced peak while loading: the streamed reader holds one 16-byte cell per value (12.8 MB
# here) and a chunk of rows; the whole-file reader held the text, its lines and a Python
# string per cell (121 MB measured, csv_old_reference.load_csv)
BOUND_MB = 64


def write_file(path):
    rng = np.random.default_rng(0)
    columns = [np.char.mod("%.3f", rng.normal(size=ROWS)),
               np.char.mod("%d", rng.integers(0, 1000, ROWS)),
               np.array(["red", "green", "blue", "NA"])[rng.integers(0, 4, ROWS)],
               np.array(["yes", "no"])[rng.integers(0, 2, ROWS)]]
    with open(path, "w", encoding="utf-8") as file:
        file.write("a,n,colour,label\n")
        file.write("\n".join(",".join(row) for row in zip(*(c.tolist() for c in columns))))
        file.write("\n")


def test_200k_rows_load_below_the_memory_bound(tmp_path):
    path = tmp_path / "big.csv"
    write_file(path)
    tracemalloc.start()
    try:
        raw = load_csv({"path": str(path)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raw.report["rows"] == ROWS and raw.report["numeric_columns"] == ["a", "n"]
    assert raw.report["imputed"] == {"colour": int(np.sum(raw.columns["colour"] == "NA"))}
    assert peak / 1e6 < BOUND_MB, f"peak {peak / 1e6:.0f} MB"
