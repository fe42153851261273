"""Weights files are checked by hand before safetensors reads them, and against the network."""

from __future__ import annotations

import json
import struct

import pytest
import torch
from safetensors.torch import save_file

from workbench.graph.compile import compile_graph
from workbench.graph.templates import mlp
from workbench.runs.file_checks import RunFileError
from workbench.runs.weights_file import (
    MAX_HEADER_BYTES,
    WeightsFileError,
    check_fits_module,
    load_into_module,
    load_weights_file,
    read_header,
)


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "best.safetensors"
    save_file({"a": torch.zeros(3, 2), "b": torch.ones(4, dtype=torch.int64)}, str(path))
    return path


def write_header(path, header, data=b"", length=None):
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text) if length is None else length) + text + data)
    return path


def test_a_good_file_reads_and_loads(good):
    header = read_header(good)
    assert header["a"].shape == (3, 2) and header["a"].dtype == "F32"
    assert header["b"].dtype == "I64"
    state = load_weights_file(good)
    assert state["b"].tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("content, problem", [
    (b"", "too short"),
    (b"\x01\x02", "too short"),
    (struct.pack("<Q", 2**62) + b"{}", "header too large"),
    (struct.pack("<Q", MAX_HEADER_BYTES + 1) + b"{}", "header too large"),
    (struct.pack("<Q", 50) + b"{}", "header too large for the file"),
    (struct.pack("<Q", 2) + b"\xff\xfe", "not UTF-8"),
    (struct.pack("<Q", 3) + b"{x}", "not valid JSON"),
    (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
])
def test_broken_layouts_are_named(tmp_path, content, problem):
    path = tmp_path / "best.safetensors"
    path.write_bytes(content)
    with pytest.raises(WeightsFileError, match=problem) as info:
        load_weights_file(path)
    assert str(info.value).startswith(f"{path} is not a valid safetensors file: ")


def test_truncated_file(good, tmp_path):
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(good.read_bytes()[:-5])
    with pytest.raises(WeightsFileError, match="truncated"):
        read_header(cut)


@pytest.mark.parametrize("entry, problem", [
    ({"dtype": "F99", "shape": [1], "data_offsets": [0, 4]}, "dtype 'F99'"),
    ({"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}, "non-negative"),
    ({"dtype": "F32", "shape": "2", "data_offsets": [0, 4]}, "shape '2'"),
    ({"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}, "needs 8 bytes"),
    ({"dtype": "F32", "shape": [1], "data_offsets": [4]}, "data_offsets"),
    ({"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}, "data_offsets"),
    ({"dtype": "F32", "shape": [10**12], "data_offsets": [0, 4 * 10**12]}, "truncated"),
    ([1, 2], "not an object"),
])
def test_inconsistent_entries_are_named(tmp_path, entry, problem):
    path = write_header(tmp_path / "w.safetensors", {"t": entry}, b"\0" * 4)
    with pytest.raises(WeightsFileError, match=problem):
        read_header(path)


def test_gaps_overlaps_and_trailing_bytes(tmp_path):
    entry = {"dtype": "U8", "shape": [2]}
    gap = {"a": {**entry, "data_offsets": [0, 2]}, "b": {**entry, "data_offsets": [3, 5]}}
    with pytest.raises(WeightsFileError, match="gap"):
        read_header(write_header(tmp_path / "gap", gap, b"\0" * 5))
    overlap = {"a": {**entry, "data_offsets": [0, 2]}, "b": {**entry, "data_offsets": [1, 3]}}
    with pytest.raises(WeightsFileError, match="overlaps"):
        read_header(write_header(tmp_path / "overlap", overlap, b"\0" * 3))
    with pytest.raises(WeightsFileError, match="extra bytes"):
        read_header(write_header(tmp_path / "tail", {"a": gap["a"]}, b"\0" * 9))
    with pytest.raises(WeightsFileError, match="__metadata__"):
        read_header(write_header(tmp_path / "meta", {"__metadata__": {"k": 1}}))


def test_a_link_out_of_the_folder_is_refused(good, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "best.safetensors").symlink_to(good)
    with pytest.raises(RunFileError, match="outside the run folder"):
        load_weights_file(run / "best.safetensors", folder=run)
    assert load_weights_file(good, folder=tmp_path)["a"].shape == (3, 2)


def test_wrong_architecture_is_said_in_the_layers_words(tmp_path):
    module = compile_graph(mlp(input_size=8, hidden=(6,), num_classes=3))
    state = module.state_dict()
    assert {k.split(".")[0] for k in state} == {"fc1", "fc2"}
    wide = {**state, "fc2.weight": torch.zeros(64, 6), "fc2.bias": torch.zeros(64)}
    with pytest.raises(WeightsFileError,
                       match=r"^weights in x have 64 outputs for fc2, the network expects 3$"):
        check_fits_module(wide, module, "x")
    narrow_in = {**state, "fc1.weight": torch.zeros(6, 5)}
    with pytest.raises(WeightsFileError, match="have 5 inputs for fc1, the network expects 8"):
        check_fits_module(narrow_in, module, "x")
    missing = {k: v for k, v in state.items() if k != "fc2.bias"}
    with pytest.raises(WeightsFileError, match="have no 'fc2.bias'"):
        check_fits_module(missing, module, "x")
    with pytest.raises(WeightsFileError, match="hold 'fc9.weight'"):
        check_fits_module({**state, "fc9.weight": torch.zeros(1)}, module, "x")
    as_ints = {**state, "fc1.weight": torch.zeros(6, 8, dtype=torch.int64)}
    with pytest.raises(WeightsFileError, match="hold fc1.weight as torch.int64, the network "
                                               "expects torch.float32"):
        check_fits_module(as_ints, module, "x")
    before = [p.clone() for p in module.parameters()]
    with pytest.raises(WeightsFileError):
        load_into_module(module, wide, "x")
    assert all(torch.equal(a, b) for a, b in zip(before, module.parameters()))
    ones = {k: torch.ones_like(v) for k, v in state.items()}
    load_into_module(module, ones, "x")
    assert all(bool((p == 1).all()) for p in module.parameters())


def test_other_layers_fall_back_to_shapes(tmp_path):
    module = torch.nn.Sequential(torch.nn.LSTM(4, 5))
    state = {k: torch.zeros(1) if k == "0.weight_ih_l0" else v
             for k, v in module.state_dict().items()}
    with pytest.raises(WeightsFileError, match=r"shape \(1,\) for 0.weight_ih_l0"):
        check_fits_module(state, module, "x")
