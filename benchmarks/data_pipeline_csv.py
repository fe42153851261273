"""CSV loading at size: rows per second and peak memory of ``load_dataset`` on a generated
1,000,000 x 30 file (mixed numeric and categorical columns, ~2% missing cells), against the
baseline a user would write (``csv.reader`` into a list of rows, then a float per numeric cell).

Each side runs in a fresh subprocess; its peak memory is the peak resident set (VmHWM) above
that process's own baseline after imports. Higher rows/s is better; lower peak MB is better.

    python benchmarks/data_pipeline_csv.py --rows 1000000 --cols 30

Why the csv module and not pandas/pyarrow for tokenising: see workbench/data/csv_reading.py
(measured there: pandas' C tokeniser reads faster, but the old behaviour depends on the csv
module's quoting, ``splitlines`` line breaks and line numbers in every message; the time of the
old path went into per-cell Python work after reading, which is now vectorised).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

CHILD = r"""
import json, resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
path, mode = sys.argv[1], sys.argv[2]
import csv
import numpy as np
from workbench.data import load_dataset
base = hwm()
start, cpu_start = time.perf_counter(), cpu()
if mode == "workbench":
    ds = load_dataset({"name": "csv", "options": {"path": path}})
    rows = ds.load_report["rows"] + ds.load_report["rows_dropped"]
else:  # the plain baseline: every row as a list, then numbers per numeric cell
    with open(path, newline="", encoding="utf-8") as f:
        data = list(csv.reader(f))
    header, body = data[0], data[1:]
    columns = {}
    for j, name in enumerate(header):
        cells = [row[j].strip() for row in body]
        try:
            columns[name] = np.array([float(c) if c not in ("", "NA", "?") else np.nan
                                      for c in cells])
        except ValueError:
            columns[name] = np.array(cells, dtype=object)
    rows = len(body)
seconds = time.perf_counter() - start
print(json.dumps({"rows": rows, "seconds": seconds, "cpu_seconds": cpu() - cpu_start,
                  "peak_mb": hwm() - base}))
"""


def write_csv(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    """``cols`` columns: a quarter categorical (3-7 values, '?' for missing), the rest numeric
    (integers and 4-decimal floats, 'NA' or '' missing), a yes/no target last."""
    rng = np.random.default_rng(seed)
    n_cat = max(1, cols // 4)
    n_num = cols - n_cat - 1
    cats = [np.array([f"c{j}_{k}" for k in range(3 + j % 5)]) for j in range(n_cat)]
    header = [f"x{j}" for j in range(n_num)] + [f"g{j}" for j in range(n_cat)] + ["label"]
    with open(path, "w", encoding="utf-8") as file:
        file.write(",".join(header) + "\n")
        for start in range(0, rows, 50_000):
            n = min(50_000, rows - start)
            parts = []
            for j in range(n_num):
                values = rng.normal(j, 1 + j, n)
                cells = (np.char.mod("%d", np.round(values * 10).astype(np.int64)) if j % 3 == 0
                         else np.char.mod("%.4f", values)).astype(object)
                cells[rng.random(n) < 0.02] = "NA" if j % 2 else ""
                parts.append(cells)
            for j in range(n_cat):
                cells = cats[j][rng.integers(0, len(cats[j]), n)].astype(object)
                cells[rng.random(n) < 0.02] = "?"
                parts.append(cells)
            parts.append(np.array(["no", "yes"], dtype=object)[rng.integers(0, 2, n)])
            file.write("\n".join(",".join(r) for r in zip(*parts)) + "\n")


def _run(path: Path, mode: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], check=True,
                         capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["rows_per_second"] = result["rows"] / result["seconds"]
    return result


def csv_section(rows: int, cols: int) -> dict[str, Any]:
    """Load a generated ``rows`` x ``cols`` CSV with ``load_dataset`` and with the plain
    ``csv.reader`` baseline, each in a fresh process: rows/s, seconds and peak MB of both."""
    with tempfile.TemporaryDirectory(prefix="wb-csv-bench-") as folder:
        path = Path(folder) / "data.csv"
        write_csv(path, rows, cols)
        size_mb = path.stat().st_size / 1e6
        ours = _run(path, "workbench")
        plain = _run(path, "baseline")
    return {"rows": rows, "cols": cols, "file_mb": size_mb,
            "csv_rows_per_second": ours["rows_per_second"], "csv_seconds": ours["seconds"],
            "csv_peak_mb": ours["peak_mb"], "csv_cpu_seconds": ours["cpu_seconds"],
            "baseline_cpu_seconds": plain["cpu_seconds"],
            "baseline_rows_per_second": plain["rows_per_second"],
            "baseline_seconds": plain["seconds"], "baseline_peak_mb": plain["peak_mb"],
            "ratio_rows_per_second": ours["rows_per_second"] / plain["rows_per_second"],
            "ratio_peak_mb": ours["peak_mb"] / max(plain["peak_mb"], 1e-9)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=30)
    args = parser.parse_args(argv)
    result = csv_section(args.rows, args.cols)
    print(f"csv file: {result['rows']} rows x {result['cols']} columns, "
          f"{result['file_mb']:.0f} MB")
    print(f"csv_rows_per_second={result['csv_rows_per_second']:.0f}  (load_dataset, "
          f"{result['csv_seconds']:.1f} s wall, {result['csv_cpu_seconds']:.1f} s CPU; higher "
          f"is better)")
    print(f"csv_peak_mb={result['csv_peak_mb']:.0f}  (peak RSS above the process baseline; "
          f"lower is better)")
    print(f"baseline_rows_per_second={result['baseline_rows_per_second']:.0f}  (csv.reader "
          f"into a list of rows, {result['baseline_seconds']:.1f} s wall, "
          f"{result['baseline_cpu_seconds']:.1f} s CPU)")
    print(f"baseline_peak_mb={result['baseline_peak_mb']:.0f}")
    print(f"ratio={result['ratio_rows_per_second']:.2f}  (rows/s, ours / baseline; > 1: ours "
          f"faster; ours also standardizes, imputes and one-hot encodes)")
    print(f"ratio_cpu={result['baseline_cpu_seconds'] / result['csv_cpu_seconds']:.2f}  "
          f"(baseline CPU seconds / ours: on a shared machine CPU time is the steadier "
          f"figure; > 1: ours faster)")
    print(f"ratio_peak_mb={result['ratio_peak_mb']:.2f}  (peak memory, ours / baseline; < 1: "
          f"ours smaller)")
    return result


if __name__ == "__main__":
    main()
