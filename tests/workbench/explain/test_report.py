"""explain.report.write_report: every section of a real run on one self-contained page, escaped
text, a failing section that does not lose the page, bad input refused before writing."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pytest

from tests.workbench.explain.explain_runs import (
    shared_image_run,
    shared_regression_run,
    shared_signal_run,
)
from workbench.explain import report_sections
from workbench.explain.errors import ExplainError
from workbench.explain.report import write_report

SECTIONS = ("Model", "Training settings", "Dataset", "Learning curves", "Health findings",
            "Validation metrics", "Calibration", "Permutation importance", "Attributions",
            "Groups and fairness")


class Page(HTMLParser):
    """Headings, tags and the URLs a page would load."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.tags: set[str] = set()
        self.loads: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in_h2 = tag == "h2"
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.loads.append(value)

    def handle_data(self, data):
        if self._in_h2:
            self.headings.append(data)
            self._in_h2 = False


def parse(path):
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def signal_run(tmp_path_factory):
    return shared_signal_run(tmp_path_factory)


@pytest.fixture()
def own_run(signal_run, tmp_path):
    """A copy of the shared run this test may change."""
    return shutil.copytree(signal_run, tmp_path / "run")


def test_every_section_is_on_one_self_contained_page(signal_run, tmp_path):
    seen = []
    out = write_report(signal_run, tmp_path / "report.html", samples=2, group="f3",
                       progress=lambda done, total: seen.append((done, total)))
    assert out == tmp_path / "report.html"
    page = parse(out)
    text = out.read_text(encoding="utf-8")
    assert page.headings == list(SECTIONS)
    assert "failed" not in re.findall(r"class='(\w+)'", text)  # no section failed
    assert "script" not in page.tags and page.loads == []  # nothing runs, nothing is loaded
    assert "svg" in page.tags and "<polyline" in text  # curves drawn inline
    assert "demographic parity difference" in text and "equalized odds difference" in text
    assert "expected calibration error" in text and "true \\ predicted" in text
    assert ">f0<" in text and ">f3<" in text  # importance and attribution bars name columns
    assert seen[-1] == (len(SECTIONS), len(SECTIONS))
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left


def test_without_group_the_groups_section_says_how_to_ask(signal_run, tmp_path):
    text = write_report(signal_run, tmp_path / "r.html", samples=1).read_text()
    assert "not asked for: give a group column" in text


def test_regression_shows_errors_and_says_calibration_does_not_apply(tmp_path_factory,
                                                                      tmp_path):
    run = shared_regression_run(tmp_path_factory)
    text = write_report(run, tmp_path / "r.html", samples=1).read_text()
    assert "MAE" in text and "RMSE" in text and "R²" in text
    assert "does not apply: calibration is for classifiers" in text
    assert "drop in validation R²" in text
    assert "this section failed" not in text  # attributions of a regression run too
    assert "scores per epoch" in text and "errors per epoch" in text  # R² apart from MAE
    assert re.search(r"#\d+: true [\d.]+, predicted [\d.-]+<", text)  # no probability


def test_image_run_shows_heat_maps_as_inline_pngs(tmp_path_factory, tmp_path):
    run = shared_image_run(tmp_path_factory)
    out = write_report(run, tmp_path / "r.html", samples=2)
    text = out.read_text()
    assert "failed" not in re.findall(r"class='(\w+)'", text)
    # per sample: input, attribution, overlay; then one mean map per predicted class
    assert text.count('src="data:image/png;base64,') > 2 * 3
    assert "mean attribution per predicted class" in text and "patch 0,0" in text
    assert parse(out).loads == []


def test_text_from_the_run_is_escaped(own_run, tmp_path):
    summary = json.loads((own_run / "summary.json").read_text())
    summary["findings"] = [{"code": "x", "severity": "warning", "title": "<script>alert(1)"
                            "</script>", "explanation": "a & b", "fix": "<i>do</i>"}]
    (own_run / "summary.json").write_text(json.dumps(summary))
    out = write_report(own_run, tmp_path / "r.html", samples=1)
    text = out.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a &amp; b" in text and "&lt;i&gt;do&lt;/i&gt;" in text
    assert "script" not in parse(out).tags


def test_a_failing_section_says_why_and_the_rest_is_written(signal_run, tmp_path,
                                                            monkeypatch):
    def broken(*_args, **_kwargs):
        raise ExplainError("importance <broken> on purpose")

    def buggy(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(report_sections, "importance_section", broken)
    monkeypatch.setattr(report_sections, "curves_section", buggy)
    out = write_report(signal_run, tmp_path / "r.html", samples=1)
    text = out.read_text()
    assert "not available: importance &lt;broken&gt; on purpose" in text
    assert "this section failed: RuntimeError: a bug" in text
    assert parse(out).headings == list(SECTIONS)
    assert "expected calibration error" in text  # later sections still there


def test_bad_input_is_refused_before_anything_is_written(signal_run, tmp_path):
    out = tmp_path / "r.html"
    cases = [
        (dict(run_dir=tmp_path, out_path=out), "expected a run folder"),
        (dict(run_dir=signal_run, out_path=tmp_path / "missing" / "r.html"),
         "does not exist"),
        (dict(run_dir=signal_run, out_path=tmp_path), "found a folder"),
        (dict(run_dir=signal_run, out_path=out, samples=0), "samples must be"),
        (dict(run_dir=signal_run, out_path=out, group="nope"), "group column 'nope'"),
        (dict(run_dir=signal_run, out_path=out, weights="epoch:99"), "saved epochs"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ExplainError, match=message):
            write_report(**kwargs)
    assert list(tmp_path.iterdir()) == []


def test_a_run_without_weights_is_refused(signal_run, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(signal_run / "config.json", bare / "config.json")
    with pytest.raises(ExplainError, match="no saved weights"):
        write_report(bare, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()
