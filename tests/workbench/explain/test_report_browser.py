"""The HTML run report opened in a real headless browser (Chromium): it renders (a screenshot
that is not blank) and every section's heading is in the rendered DOM. Skipped, saying so, where
no Chromium is installed (.ci/run installs it)."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from tests.workbench.explain.explain_runs import shared_signal_run
from tests.workbench.explain.test_report import SECTIONS
from workbench.explain.report import write_report

BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                if (found := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed: the report's "
                                "headless-browser check needs one (apt-get install chromium)")


def chromium(tmp_path, *args):
    command = [BROWSER, "--headless=new", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = shared_signal_run(tmp_path_factory)
    return write_report(run, tmp_path_factory.mktemp("report") / "report.html", samples=2,
                        group="f3")


def test_the_page_renders_and_is_not_blank(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,3000",
                    report.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.float64)
    assert pixels.shape[:2] == (3000, 1280)
    assert pixels.std() > 20  # text, tables and charts, not one flat colour
    colourful = (np.abs(pixels[..., 2] - pixels[..., 0]) > 60).mean()
    assert colourful > 0.002  # coloured bars, cells and curves were drawn


def test_every_section_heading_is_in_the_rendered_dom(report, tmp_path):
    done = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in dom
    assert dom.count("<svg") >= 4 and "<script" not in dom
