"""Real-world CSV shapes: delimiters (given and sniffed), BOM, quoted header names, leading
lines to skip, headerless files with given column names, and hints for a wrong delimiter."""

from __future__ import annotations

import pytest

from workbench.data import DataError, load_dataset
from workbench.data.csv_reading import CsvOptions, read_table, sniff_delimiter


def rows(n=30, sep=","):
    return "".join(sep.join([f"{i * 0.5:.1f}", f"{20 + i}", "ab"[i % 2]]) + "\n"
                   for i in range(n))


def csv_spec(path, **options):
    return {"name": "csv", "options": {"path": str(path), **options}}


def test_semicolon_with_bom_and_quoted_header_names(tmp_path):
    path = tmp_path / "semi.csv"
    # Excel in many locales: ';' separated, a UTF-8 BOM, names written as 'x' by some exporters
    path.write_bytes(b"\xef\xbb\xbf'length';\"age\";'vote'\n" + rows(sep=";").encode())
    table = read_table(path)
    assert table.delimiter == ";" and table.delimiter_detected
    assert table.header == ["length", "age", "vote"]
    ds = load_dataset(csv_spec(path, target="'vote'"))
    assert ds.class_names == ["a", "b"] and ds.input_shape == (2,)
    assert ds.load_report["delimiter"] == ";"
    assert ds.load_report["delimiter_chosen"] == "detected"


def test_tab_separated_detected_and_given(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("size\tweight\tlabel\n" + rows(sep="\t"))
    assert read_table(path).delimiter == "\t"
    for given in ("tab", "\\t", "\t"):
        ds = load_dataset(csv_spec(path, delimiter=given, target="label"))
        assert ds.input_shape == (2,) and ds.load_report["delimiter_chosen"] == "given"


def test_space_separated(tmp_path):
    path = tmp_path / "spaces.txt"
    path.write_text("size  weight label\n" + rows(sep="   "))
    table = read_table(path, {"delimiter": "space"})
    assert table.header == ["size", "weight", "label"] and len(table.rows[0]) == 3
    assert sniff_delimiter(path.read_text().splitlines()) == " "


def test_comment_lines_skipped_before_the_header(tmp_path):
    path = tmp_path / "commented.csv"
    path.write_text("# exported by the lab robot\n# units: cm, years\nx,age,label\n" + rows())
    with pytest.raises(DataError, match="look like comments: skip them with --skip-rows 2"):
        load_dataset(csv_spec(path, target="label"))  # the comment is taken as the header
    ds = load_dataset(csv_spec(path, target="label", skip_rows=2))
    assert ds.input_shape == (2,) and ds.load_report["skip_rows"] == 2
    assert sum(len(y) for y in (ds.y_train, ds.y_val, ds.y_test)) == 30


def test_headerless_file_with_given_column_names(tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text(rows())
    ds = load_dataset(csv_spec(path, columns="x,age,label", target="label"))
    assert ds.load_report["column_names"] == "given" and ds.load_report["rows"] == 30
    assert ds.preprocessing["feature_names"] == ["x", "age"]
    as_list = load_dataset(csv_spec(path, columns=["x", "age", "label"]))
    assert as_list.load_report["target_chosen"] == "default: the last column"
    with pytest.raises(DataError, match="row 1 has 3 fields, expected 2"):
        load_dataset(csv_spec(path, columns="x,label"))


def test_wrong_delimiter_names_the_one_used_and_suggests_the_likely_one(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("a;b;label\n" + rows(sep=";"))
    with pytest.raises(DataError) as info:
        load_dataset(csv_spec(path, delimiter=",", target="label"))
    message = str(info.value)
    assert "no target column 'label'" in message and "delimiter ',' (comma)" in message
    assert "the header contains ';' (semicolon): try --delimiter ';'" in message
    tab = tmp_path / "tab.csv"
    tab.write_text("a\tb\tlabel\n" + rows(sep="\t"))
    with pytest.raises(DataError, match="contains '\\\\t' \\(tab\\): try --delimiter 'tab'"):
        load_dataset(csv_spec(tab, delimiter=",", target="label"))


def test_trailing_delimiter_on_every_line_is_not_a_column(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("x,age,label,\n" + "".join(line + ",\n" for line in rows().splitlines()))
    assert read_table(path).header == ["x", "age", "label"]


@pytest.mark.parametrize("options, message", [
    ({"delimiter": "::"}, "option 'delimiter' must be one character"),
    ({"skip_rows": -1}, "option 'skip_rows' must be a whole number"),
    ({"columns": ["a", "a"]}, "option 'columns' names a more than once"),
])
def test_bad_reading_options_are_named(options, message):
    with pytest.raises(DataError, match=message):
        CsvOptions.from_options(options)


def test_decimal_commas_next_to_semicolons_are_numbers(tmp_path):
    path = tmp_path / "excel_de.csv"
    path.write_text("Länge;Breite;Preis\n" + "".join(
        f"{i},5;{'NA' if i % 10 == 0 else f'{i % 7},25'};{100 + i * 3},75\n" for i in range(60)),
        encoding="utf-8")
    ds = load_dataset(csv_spec(path))
    assert ds.input_shape == (2,) and ds.task == "regression"
    assert ds.load_report["numeric_columns"] == ["Länge", "Breite"]
    assert ds.load_report["target_range"] == [100.75, 277.75]
    assert [c.get("decimal") for c in ds.preprocessing["columns"]] == [",", ","]
    assert any("decimal commas" in note for note in ds.load_report["notes"])
    from workbench.data.preprocessing import apply_preprocessing

    x = apply_preprocessing(ds.preprocessing, [{"Länge": "3,5", "Breite": "1,25"}])
    y = apply_preprocessing(ds.preprocessing, [{"Länge": "3.5", "Breite": "1.25"}])
    assert x.tolist() == y.tolist()


def test_space_hint_only_when_nothing_was_split(tmp_path):
    spaced = tmp_path / "spaced.txt"
    spaced.write_text("size weight label\n" + rows(sep=" "))
    with pytest.raises(DataError, match="try --delimiter 'space'"):
        load_dataset(csv_spec(spaced, delimiter=",", target="kind"))
    named = tmp_path / "named.csv"
    named.write_text("bill length,body mass,label\n" + rows())
    with pytest.raises(DataError) as info:
        load_dataset(csv_spec(named, target="kind"))
    assert "try --delimiter" not in str(info.value)


def test_given_column_names_on_a_file_with_a_header_suggest_skipping_it(tmp_path):
    path = tmp_path / "with_header.csv"
    path.write_text("x,age,label\n" + rows())
    with pytest.raises(DataError, match="row 1 has 'x': that row looks like a header.*"
                                        "--skip-rows 1"):
        load_dataset(csv_spec(path, columns="a,b,c"))
    ds = load_dataset(csv_spec(path, columns="a,b,c", skip_rows=1))
    assert ds.preprocessing["feature_names"] == ["a", "b"]
