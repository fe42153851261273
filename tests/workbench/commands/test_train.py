"""`workbench train` on people's own CSV files: the CSV flags, and what the run says it did."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main


def houses(path, n=90):
    lines = ["# exported by the estate agent", "# prices in k$"]
    for i in range(n):
        area = "?" if i % 9 == 0 else f"{40 + (i * 37) % 160:.1f}"
        lines.append(f"{1 + i % 5}\t{area}\t{['north', 'south'][i % 2]}\t"
                     f"{50 + (i * 37) % 160 * 1.3 + (i % 5) * 9:.1f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def train(capsys, *argv):
    code = main(["train", "tabular_csv", "--epochs", "1", "--device", "cpu", *argv])
    return code, capsys.readouterr()


def test_headerless_tsv_with_comments_trains_and_says_what_it_decided(tmp_path, capsys):
    data = houses(tmp_path / "houses.txt")
    code, out = train(capsys, "--dataset", "csv", "--data-path", str(data), "--skip-rows", "2",
                      "--columns", "rooms,area,side,price", "--missing-indicator",
                      "--project", str(tmp_path / "p"))
    assert code == 0, out.err
    err = out.err
    assert "data: target: price (regression, values" in err and "[default: the last column]" in err
    assert "data: task: regression (target 'price', inferred: " in err
    assert "data: delimiter: '\\t' (tab) (detected), 2 leading lines skipped, column names " \
           "given" in err
    assert "data: missing cells imputed" in err and "area 10" in err
    run_dir = next((tmp_path / "p" / "runs").iterdir())
    config = json.loads((run_dir / "config.json").read_text())
    assert config["dataset"]["options"]["skip_rows"] == 2
    assert config["dataset"]["options"]["columns"] == "rooms,area,side,price"
    assert config["data_report"]["imputed"] == {"area": 10}
    assert config["preprocessing"]["feature_names"][:3] == ["rooms", "area", "area_missing"]


def test_json_output_carries_the_data_report_and_task_flag(tmp_path, capsys):
    data = houses(tmp_path / "houses.txt")
    code, out = train(capsys, "--dataset", "csv", "--data-path", str(data), "--skip-rows", "2",
                      "--columns", "rooms,area,side,price", "--target", "rooms", "--task",
                      "classification", "--delimiter", "tab", "--json",
                      "--project", str(tmp_path / "p"))
    assert code == 0, out.err
    report = json.loads(out.out.strip().splitlines()[-1])["data_report"]
    assert report["task"] == "classification" and report["task_reason"] == "given"
    assert report["classes"] == ["1", "2", "3", "4", "5"] and report["delimiter"] == "\t"


@pytest.mark.parametrize("argv, message", [
    (["--delimiter", ";"], "--delimiter: only for csv datasets; the dataset is 'digits'"),
    (["--dataset", "csv", "--data-path", "{data}", "--target", "price"],
     "look like comments: skip them with --skip-rows 2"),
    (["--dataset", "csv", "--data-path", "{data}", "--skip-rows", "2", "--delimiter", ",",
      "--columns", "a,b,c,d"], "row 3 has 1 fields, expected 4 (like the given column names; "
                               "delimiter ',' (comma)); the row contains '\\t' (tab): try "
                               "--delimiter 'tab'"),
    (["--dataset", "csv", "--data-path", "{data}", "--skip-rows", "2", "--columns", "a,b,c,d",
      "--target", "nope"], "no target column 'nope'; columns found with delimiter '\\t' (tab) "
                           "(detected): a, b, c, d"),
])
def test_bad_csv_flags_are_clear_messages(tmp_path, capsys, argv, message):
    data = houses(tmp_path / "houses.txt")
    argv = [a.replace("{data}", str(data)) for a in argv]
    code = main(["train", "mlp_digits", *argv, "--project", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
