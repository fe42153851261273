"""The streamed CSV path gives what the whole-file, list-of-rows path gave (kept in
``csv_old_reference``): the same model inputs bit for bit, the same targets, preprocessing,
load report and raw cells, and the same messages for bad files."""

from __future__ import annotations

import numpy as np
import pytest

from tests.workbench.data import csv_old_reference as old
from workbench.data import DataError, csv_loader, csv_reading, load_dataset, preprocessing


def load_both(monkeypatch, spec):
    """(new result, old result); each a Dataset or the DataError message."""
    def attempt():
        try:
            return load_dataset(spec)
        except DataError as exc:
            return str(exc)

    new = attempt()
    with monkeypatch.context() as patch:
        patch.setattr(csv_loader, "load_csv", old.load_csv)
        patch.setattr(preprocessing, "fit_tabular", old.fit_tabular)
        patch.setattr(preprocessing, "encode_tabular", old.encode_tabular)
        before = attempt()
    return new, before


def assert_same(new, before):
    if isinstance(before, str) or isinstance(new, str):
        assert new == before
        return
    for name in ("x_train", "x_val", "x_test", "y_train", "y_val", "y_test"):
        a, b = getattr(new, name), getattr(before, name)
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    assert new.preprocessing == before.preprocessing
    assert new.load_report == before.load_report
    assert new.class_names == before.class_names and new.task == before.task
    assert new.row_columns.keys() == before.row_columns.keys()
    for split, columns in before.row_columns.items():
        assert list(new.row_columns[split]) == list(columns)
        for name, cells in columns.items():
            assert new.row_columns[split][name].tolist() == [str(c) for c in cells], name


def spec(path, **options):
    return {"name": "csv", "options": {"path": str(path), **options}}


CELLS = ["1", "2.5", " 3 ", "-4e2", "NA", "", "?", "-", "nan", "null", "1_000", "inf", "7,5",
         "x", "a b", "\u00a05\u2003", "\u0661\u0662", "0001", "+.5", "NULL", "N/A", "\x00",
         "a\x00", " \x00 "]

ODD_NUMBERS = ["1_000", "\u0661\u0662", "0001", "+.5", "-4e2", " 7 ", "\u00a05\u2003", "1e-320",
               "0.1000000000000000055511151231257827", "NA", "?", "-", "3", "-0"]


def messy_text(seed: int, delimiter: str) -> str:
    """A file with what real exports hold: a BOM, quoted fields with delimiters and line breaks
    inside, blank and whitespace lines, CRLF mixed with LF, odd line separators, missing
    tokens, numbers written oddly, a categorical column, a target with gaps."""
    rng = np.random.default_rng(seed)
    lines = [delimiter.join(["num", '"quoted name"', "mixed", "odd", "cat", "label"])]
    for i in range(240):
        num = str(rng.choice(["NA", "", "?"])) if i % 11 == 0 else f"{rng.normal():.{i % 6}f}"
        if delimiter != "," and i % 5 == 0:
            num = num.replace(".", ",")
        mixed = str(rng.choice(CELLS)) if i % 3 else f"{rng.integers(-50, 50)}"
        cat = str(rng.choice(["red", "green", " blue ", '"x, y"', '"two\nlines"', "NA"]))
        label = "NA" if i % 37 == 0 else str(rng.choice(["yes", "no", " maybe "]))
        if delimiter in mixed or delimiter in num:
            mixed, num = f'"{mixed}"', f'"{num}"'
        odd = str(rng.choice(ODD_NUMBERS))
        line = delimiter.join([num, f"v{i % 4}", mixed, odd, cat, label])
        lines.append(line)
        if i % 29 == 0:
            lines.append("   ")
        if i % 31 == 0:
            lines.append("")
    ends = ["\n", "\r\n", "\n", "\r\n", "\x0c", "\u2028", "\n"]
    return "\ufeff" + "".join(line + ends[int(rng.integers(len(ends)))] for line in lines)


@pytest.mark.parametrize("seed, delimiter", [(0, ","), (1, ";"), (2, "\t"), (3, ",")])
def test_a_messy_file_loads_exactly_as_before(tmp_path, monkeypatch, seed, delimiter):
    path = tmp_path / "messy.csv"
    path.write_text(messy_text(seed, delimiter), encoding="utf-8", newline="")
    loaded = []
    for options in ({}, {"target": "label", "exclude": "mixed"},
                    {"target": "num", "missing_indicator": True},
                    {"target": "label", "task": "regression"}):
        new, before = load_both(monkeypatch, spec(path, **options))
        assert_same(new, before)
        loaded.append(not isinstance(new, str))
    assert loaded[:3] == [True, True, True]  # the comparison is of loaded data, not messages


def fixture_files(tmp_path):
    """The shapes the CSV tests use: every one loads the same as before."""
    def write(name, text, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return path

    rows = "".join(f"{i * 0.5:.1f};{20 + i};{'ab'[i % 2]}\n" for i in range(30))
    yield spec(write("semi.csv", b"\xef\xbb\xbf'length';\"age\";'vote'\n" + rows.encode()),
               target="'vote'")
    yield spec(write("tab.tsv", "size\tweight\tlabel\n" + rows.replace(";", "\t")),
               delimiter="tab")
    yield spec(write("spaces.txt", "size  weight label\n" + rows.replace(";", "   ")),
               delimiter="space")
    yield spec(write("comment.csv", "# robot\n# units\nx,age,label\n" + rows.replace(";", ",")),
               skip_rows=2)
    yield spec(write("comment2.csv", "# robot\nx,age,label\n" + rows.replace(";", ",")))
    yield spec(write("noheader.csv", rows.replace(";", ",")), columns="x,age,label")
    yield spec(write("noheader2.csv", rows.replace(";", ",")), columns="x,label")
    yield spec(write("trailing.csv", "x,age,label,\n" + rows.replace(";", ",").replace(
        "\n", ",\n")))
    yield spec(write("trailing2.csv", "x,age,label,,\n" + rows.replace(";", ",").replace(
        "\n", ",,\n")))
    yield spec(write("de.csv", "L;B;P\n" + "".join(
        f"{i},5;{'NA' if i % 10 == 0 else f'{i % 7},25'};{100 + i * 3},75\n"
        for i in range(60))))
    yield spec(write("hdr.csv", "x,age,label\n" + rows.replace(";", ",")), columns="a,b,c")
    yield spec(write("ragged.csv", "a,b,c,label\n1,2,3,x\n4,5,y\n" * 3))
    yield spec(write("badnum.csv", "a,label\n" + "".join(f"{i},{'xy'[i % 2]}\n"
                                                         for i in range(40)) + "unknown,x\n"))
    yield spec(write("reg.csv", "a,y\n" + "".join(f"{i},{i * 1.5}\n" for i in range(40))
                     + "3,inf\n"))
    yield spec(write("empty.csv", ""))
    yield spec(write("blank.csv", "\n  \n\n"))
    yield spec(write("onlyheader.csv", "a,b,label\n"))
    yield spec(write("dup.csv", "a,a,label\n1,2,x\n"))
    yield spec(write("noname.csv", "a,,label\n1,2,x\n"))
    yield spec(write("latin1.csv", "a,label\n" + "1,x\n" * 5000 + "\u00e9,y\n", "latin-1"))
    yield spec(write("quote.csv", 'a,label\n1,x\n2,"unclosed\n'))
    yield spec(write("big.csv", "a,label\n" + "1," + "x" * 200_000 + "\n"))
    yield spec(write("skipall.csv", "a,b\n1,2\n"), skip_rows=2)
    yield spec(write("onecol.csv", "a;b;label\n" + rows), delimiter=",", target="label")
    yield spec(write("crsplit.csv", "a,label\r\n" + "1,x\r\n2,y\r\n" * 40))


def test_the_fixture_shapes_load_exactly_as_before(tmp_path, monkeypatch):
    for each in fixture_files(tmp_path):
        new, before = load_both(monkeypatch, each)
        assert_same(new, before)


def test_lines_are_those_of_splitlines_whatever_the_block_size(tmp_path, monkeypatch):
    text = "a\r\nb\rc\n\nd\x0ce\u2028f\r\r\ng\x85h\r"
    path = tmp_path / "lines.csv"
    path.write_text(text, encoding="utf-8", newline="")
    for block in (1, 2, 3, 5, 1 << 20):
        monkeypatch.setattr(csv_reading, "_BLOCK_CHARS", block)
        assert list(csv_reading.text_lines(path)) == text.splitlines(), block


def test_the_same_model_inputs_when_the_saved_preprocessing_is_applied(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(messy_text(5, ";"), encoding="utf-8", newline="")
    fitted = load_dataset(spec(path))
    columns = {name: np.array(cells.tolist(), dtype=object)
               for name, cells in fitted.row_columns["val"].items()}
    assert old.encode_tabular(fitted.preprocessing, columns).tobytes() == \
        preprocessing.encode_tabular(fitted.preprocessing, columns).tobytes()
    assert fitted.x_val.tobytes() == preprocessing.encode_tabular(
        fitted.preprocessing, fitted.row_columns["val"]).tobytes()
