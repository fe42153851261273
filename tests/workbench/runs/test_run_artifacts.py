"""A run's artifacts: written atomically under artifacts/, bad names and links out refused."""

from __future__ import annotations

import json
import os

import pytest

from workbench.runs import atomic
from workbench.runs.file_checks import RunFileError
from workbench.runs.run_store import RunStore


@pytest.fixture
def run(tmp_path):
    store = RunStore.create(tmp_path)
    store.save_config({})
    return store


def test_bytes_text_and_json_artifacts_round_trip(run):
    assert run.artifacts() == []
    path = run.write_artifact("report.json", {"accuracy": 0.5})
    assert path == run.path / "artifacts" / "report.json"
    run.write_artifact("plots/loss.png", b"\x89PNG")
    run.write_artifact("notes.txt", "héllo")
    assert run.artifacts() == ["notes.txt", "plots/loss.png", "report.json"]
    assert json.loads(run.read_artifact("report.json")) == {"accuracy": 0.5}
    assert run.read_artifact("plots/loss.png") == b"\x89PNG"
    assert run.read_artifact("notes.txt").decode() == "héllo"


def test_artifacts_go_through_the_atomic_writer(run, monkeypatch):
    written = []
    real = atomic.atomic_write_bytes
    monkeypatch.setattr("workbench.runs.run_store.atomic_write_bytes",
                        lambda path, data: (written.append(path), real(path, data)))
    run.write_artifact("a.bin", b"1")
    assert written == [run.path / "artifacts" / "a.bin"]


@pytest.mark.parametrize("name", ["", "../config.json", "a/../../x", "/etc/passwd", ".hidden",
                                  "a\\b", "a//b", "-rf", "x" * 300, "sp ace", "a/b/c/d/e/f/g/h/i"])
def test_bad_artifact_names_are_refused(run, name):
    with pytest.raises(ValueError, match="artifact name must be"):
        run.write_artifact(name, b"x")
    with pytest.raises(ValueError, match="artifact name must be"):
        run.read_artifact(name)
    assert not (run.path / "artifacts").exists()


def test_links_out_of_the_run_folder_are_refused(run, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (run.path / "artifacts").mkdir()
    os.symlink(outside, run.path / "artifacts" / "leak.txt")
    with pytest.raises(RunFileError, match="outside the run folder"):
        run.read_artifact("leak.txt")
    os.symlink(tmp_path, run.path / "artifacts" / "linked")
    with pytest.raises(RunFileError, match="outside the run folder"):
        run.write_artifact("linked/new.txt", "x")
    assert not (tmp_path / "new.txt").exists()


def test_a_missing_artifact_names_what_the_run_has(run):
    run.write_artifact("a.txt", "1")
    with pytest.raises(FileNotFoundError, match="the run has: a.txt"):
        run.read_artifact("b.txt")
    with pytest.raises(TypeError, match="found int"):
        run.write_artifact("c.txt", 5)
