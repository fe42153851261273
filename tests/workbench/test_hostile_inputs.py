"""A corpus of hostile and broken files: each gets a clear message, nothing runs, nothing is
written.

Weights files (random bytes, a pickle that would create a marker file, a header claiming 2^62
bytes, truncated copies, headers with wrong JSON types or absurd nesting, links out of the run
folder), run config.json and checkpoint metadata (wrong types, 100 000 '[', links out),
project files (wrong types, nesting, a 10^6-node graph) and a --config file. Every case goes
through the command line as a user would meet it: exit code 2, one line on stderr naming the
file, no traceback, and the folder byte-for-byte as it was.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import struct
from pathlib import Path

import pytest

from workbench import cli
from workbench.experiment import RunRequest, execute_run
from workbench.graph.templates import mlp

NESTED = "[" * 100_000


class _CreatesMarker:
    """Unpickling this creates the file at ``path``: proof that a pickle was executed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def _header(header: object) -> bytes:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text


def weights_corpus(good: bytes, marker: Path) -> dict[str, bytes]:
    rng = random.Random(0)
    return {
        "random bytes": bytes(rng.randrange(256) for _ in range(4096)),
        "pickle payload": pickle.dumps(_CreatesMarker(marker)),
        "header length 2^62": struct.pack("<Q", 2**62) + b"{}",
        "truncated in the header": good[:40],
        "truncated in the data": good[:-7],
        "empty": b"",
        "header is a list": _header([1, 2, 3]),
        "dtype is a number": _header({"w": {"dtype": 7, "shape": [1], "data_offsets": [0, 4]}})
        + b"\0" * 4,
        "shape is text": _header({"w": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}})
        + b"\0" * 4,
        "offsets past the end": _header(
            {"w": {"dtype": "F32", "shape": [10**9], "data_offsets": [0, 4 * 10**9]}}),
        "nested header": _header(NESTED.encode()),
    }


# what the header check says about each case (one line, after "<file> is not a valid
# safetensors file: "); the library's own messages would differ, so these fail without it
WEIGHTS_PROBLEM = {
    "random bytes": "header too large (it claims",
    "pickle payload": "header too large (it claims",
    "header length 2^62": "header too large (it claims 4,611,686,018,427,387,904 bytes",
    "truncated in the header": "header too large for the file",
    "truncated in the data": "of the data but the file holds",
    "empty": "0 bytes is too short for the 8-byte header length",
    "header is a list": "the header is a list, not a JSON object",
    "dtype is a number": "tensor 'w' has dtype 7; expected one of",
    "shape is text": "tensor 'w' has shape '1'; expected a list of non-negative integers",
    "offsets past the end": "tensor 'w' ends at byte 4,000,000,000 of the data",
    "nested header": "JSON nested too deeply",
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    request = RunRequest.freeze(mlp(2, hidden=(4,), num_classes=2),
                                {"name": "moons", "options": {"n_samples": 120}},
                                {"epochs": 1, "device": "cpu", "batch_size": 32},
                                tmp_path_factory.mktemp("project"), name="tiny")
    return Path(execute_run(request)["run_dir"])


@pytest.fixture
def run(trained, tmp_path) -> Path:
    copy = tmp_path / "project" / "runs" / "hostile"
    shutil.copytree(trained, copy)
    return copy


def as_killed(run: Path) -> Path:
    """Make a finished 1-epoch run look killed after epoch 1 of 3 (so --resume has work)."""
    config = json.loads((run / "config.json").read_text())
    config["training"]["epochs"] = 3
    (run / "config.json").write_text(json.dumps(config))
    (run / "summary.json").unlink(missing_ok=True)
    return run


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file's bytes (links by their target), so any write shows up."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


def refused(capsys, argv: list[str], folder: Path, *words: str) -> str:
    """Run the command; assert exit 2, one stderr line with ``words``, ``folder`` untouched."""
    before = snapshot(folder)
    code = cli.main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    assert snapshot(folder) == before
    return err


def test_the_pickle_payload_is_live(tmp_path):
    """The corpus's pickle really would run code if anything unpickled it."""
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_CreatesMarker(probe)))  # noqa: S301 - the point of the test
    assert probe.exists()


@pytest.mark.parametrize("case", list(weights_corpus(b"x" * 100, Path("m"))))
def test_hostile_best_weights(case, run, tmp_path, capsys):
    marker = tmp_path / "MARKER"
    good = (run / "best.safetensors").read_bytes()
    (run / "best.safetensors").write_bytes(weights_corpus(good, marker)[case])
    home = run.parent.parent.parent
    invalid = f"{run / 'best.safetensors'} is not a valid safetensors file: "
    refused(capsys, ["eval", str(run)], home, "workbench eval: ", invalid,
            WEIGHTS_PROBLEM[case])
    refused(capsys, ["export", str(run), "--out", str(tmp_path / "bundle")], home,
            "workbench export: ", invalid, WEIGHTS_PROBLEM[case])
    assert not marker.exists() and not (tmp_path / "bundle").exists()


@pytest.mark.parametrize("case", ["random bytes", "pickle payload", "header length 2^62",
                                  "truncated in the data", "nested header"])
def test_hostile_checkpoints_on_resume(case, run, tmp_path, capsys):
    marker = tmp_path / "MARKER"
    for name in ("epoch_0000.safetensors", "epoch_0000.state.safetensors"):
        path = run / "checkpoints" / name
        path.write_bytes(weights_corpus(path.read_bytes(), marker)[case])
    as_killed(run)
    refused(capsys, ["train", "--resume", str(run)], run.parent.parent.parent,
            "workbench train: ", "epoch_0000", "is not a valid safetensors file: ",
            WEIGHTS_PROBLEM[case])
    assert not marker.exists()


def test_only_the_library_s_own_error_becomes_a_file_message(run, monkeypatch):
    """A SafetensorError is about the file (one line naming it); any other error escaping the
    library is a bug and must not be dressed up as a bad file."""
    import safetensors.torch
    from safetensors import SafetensorError

    from workbench.runs.weights_file import WeightsFileError, load_weights_file

    path = run / "best.safetensors"

    def fails(error):
        def load_file(_):
            raise error
        return load_file

    monkeypatch.setattr(safetensors.torch, "load_file", fails(SafetensorError("bad tensor")))
    with pytest.raises(WeightsFileError, match="is not a valid safetensors file: bad tensor"):
        load_weights_file(path)
    monkeypatch.setattr(safetensors.torch, "load_file", fails(MemoryError("a bug")))
    with pytest.raises(MemoryError):
        load_weights_file(path)


@pytest.mark.parametrize("meta", [NESTED, "[1, 2]", "\x00\x01garbage", '{"epoch": "x"',
                                  {"step": "x"}, {"best_value": "x"}, {"plateau": [1]},
                                  {"optimizer": 7}, {"optimizer": {"param_groups": 5}},
                                  {"optimizer": {"scalars": [1]}}, {"optimizer": {}}])
def test_hostile_checkpoint_metadata_on_resume(meta, run, capsys):
    path = run / "checkpoints" / "epoch_0000.json"
    if isinstance(meta, dict):  # the real metadata with one value of the wrong type
        meta = json.dumps({**json.loads(path.read_text()), **meta})
    path.write_text(meta)
    as_killed(run)
    refused(capsys, ["train", "--resume", str(run)], run.parent.parent.parent,
            "workbench train: ", "epoch_0000.json")


@pytest.mark.parametrize("config, words", [
    (NESTED, "nested too deeply"),
    ('{"graph": 5, "dataset": {"name": "moons"}, "training": {}}', "'graph' must be"),
    ('{"graph": {}, "dataset": "moons", "training": {}}', "'dataset' must be"),
    ('{"graph": {}, "dataset": {"name": "moons"}, "training": []}', "'training' must be"),
    ('{"graph": {}, "dataset": {}, "training": {}, "class_names": [1, 2]}', "class_names"),
    ("[]", "expected a JSON object, found a list"),
    ("{}", "config.json: no 'graph' section (found: nothing)"),
    ("\xff\xfe not json", "not valid JSON"),
])
def test_hostile_run_config(config, words, run, tmp_path, capsys):
    (run / "config.json").write_text(config)
    home = run.parent.parent.parent
    refused(capsys, ["eval", str(run)], home, "config.json", words)
    refused(capsys, ["export", str(run), "--out", str(tmp_path / "b")], home, "config.json",
            words)
    refused(capsys, ["train", "--resume", str(run)], home, "config.json", words)


def test_a_run_config_with_a_million_node_graph(run, tmp_path, capsys):
    config = json.loads((run / "config.json").read_text())
    nodes = [{"id": f"n{i}", "type": "ReLU", "params": {}} for i in range(1_000_001)]
    config["graph"] = {"format_version": 2, "nodes": nodes, "edges": []}
    (run / "config.json").write_text(json.dumps(config))
    refused(capsys, ["eval", str(run)], run.parent.parent.parent,
            "the graph has 1,000,001 nodes; the Workbench handles at most 10,000")


@pytest.mark.parametrize("name", ["best.safetensors", "config.json"])
def test_links_out_of_the_run_folder_are_refused(name, run, tmp_path, capsys):
    outside = tmp_path / "outside" / name
    outside.parent.mkdir()
    shutil.copy(run / name, outside)  # a perfectly valid file, but not the run's own
    (run / name).unlink()
    (run / name).symlink_to(outside)
    refused(capsys, ["eval", str(run)], tmp_path,
            f"{run / name} is a link to {outside}, outside the run folder")


def project_corpus(tmp_path: Path) -> dict[str, str]:
    graph = mlp(2, hidden=(4,), num_classes=2).to_dict()
    big = {"format_version": 2, "nodes": [{"id": f"n{i}", "type": "ReLU", "params": {}}
                                          for i in range(1_000_001)], "edges": []}
    base = {"format_version": 1, "name": "p", "graph": graph, "dataset": {"name": "moons"},
            "training": {"epochs": 1}}
    return {
        "nested": NESTED,
        "not an object": "[1, 2]",
        "graph is a list": json.dumps({**base, "graph": []}),
        "dataset is text": json.dumps({**base, "dataset": "moons"}),
        "nodes are text": json.dumps({**base, "graph": {"nodes": "abc", "edges": []}}),
        "node params are a list": json.dumps(
            {**base, "graph": {**graph, "nodes": [{**graph["nodes"][0], "params": [1]}]}}),
        "epochs is text": json.dumps({**base, "training": {"epochs": "many"}}),
        "batch size is a list": json.dumps({**base, "training": {"batch_size": [64]}}),
        "dataset options are a list": json.dumps(
            {**base, "dataset": {"name": "moons", "options": [1]}}),
        "unknown dataset option type": json.dumps(
            {**base, "dataset": {"name": "moons", "options": {"n_samples": "lots"}}}),
        "a million nodes": json.dumps({**base, "graph": big}),
        "binary": "\x00\xff\xfe",
    }


@pytest.mark.parametrize("case", list(project_corpus(Path("."))))
def test_hostile_project_files(case, tmp_path, capsys):
    project = tmp_path / "net.wbproj.json"
    project.write_text(project_corpus(tmp_path)[case], encoding="utf-8",
                       errors="surrogateescape")
    refused(capsys, ["train", str(project), "--project", str(tmp_path / "out")], tmp_path,
            "workbench train: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [
    NESTED, "[1]", '{"epochs": "x"}', '{"lr": [1]}', '{"training": [1]}', '{"training": 5}',
    '{"dataset": 5}', '{"dataset": {"name": "moons", "options": [1]}}'])
def test_hostile_training_config_files(content, tmp_path, capsys):
    settings = tmp_path / "settings.json"
    settings.write_text(content)
    project = tmp_path / "net.wbproj.json"
    project.write_text(json.dumps({"format_version": 1, "name": "p",
                                   "graph": mlp(2, hidden=(4,), num_classes=2).to_dict(),
                                   "dataset": {"name": "moons"}, "training": {}}))
    refused(capsys, ["train", str(project), "--config", str(settings), "--project",
                     str(tmp_path / "out")], tmp_path, "workbench train: ")


def test_a_log_linked_out_of_the_run_folder_is_never_appended_to(run, tmp_path, capsys):
    outside = tmp_path / "someone_elses.txt"
    outside.write_text("keep me\n")
    (run / "events.jsonl").unlink(missing_ok=True)
    (run / "events.jsonl").symlink_to(outside)
    refused(capsys, ["eval", str(run)], tmp_path, "events.jsonl is a link to")
    assert outside.read_text() == "keep me\n"


def test_a_checkpoint_without_its_random_state(run, capsys):
    from safetensors.torch import load_file, save_file

    path = run / "checkpoints" / "epoch_0000.state.safetensors"
    tensors = load_file(str(path))
    save_file({k: v for k, v in tensors.items() if k != "extra.rng"}, str(path))
    as_killed(run)
    refused(capsys, ["train", "--resume", str(run)], run.parent.parent.parent,
            "has no 'extra.rng' tensor")
