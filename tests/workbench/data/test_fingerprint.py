from __future__ import annotations

import hashlib

import pytest

from workbench.data import fingerprint as fp
from workbench.data.fingerprint import DataFingerprint, data_fingerprint


def test_file_is_the_sha256_of_its_bytes_streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(fp, "CHUNK", 7)  # many chunks
    data = b"a,b,label\n" + b"1,2,x\n" * 100
    path = tmp_path / "d.csv"
    path.write_bytes(data)
    found = data_fingerprint({"name": "csv", "options": {"path": str(path), "target": "label"}})
    assert found == DataFingerprint("file", hashlib.sha256(data).hexdigest(), str(path))
    path.write_bytes(data.replace(b"1,2,x", b"1,3,x", 1))
    assert data_fingerprint({"name": "csv", "options": {"path": str(path)}}).sha256 != \
        found.sha256


def test_folder_hashes_relative_paths_and_bytes_in_sorted_order(tmp_path):
    def make(root, files):
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        return data_fingerprint({"name": "image_folder", "options": {"path": str(root)}})

    base = {"cat/1.png": b"\x89PNG1", "dog/2.png": b"\x89PNG2"}
    a = make(tmp_path / "a", base)
    b = make(tmp_path / "b", dict(reversed(base.items())))  # written in another order
    assert a.kind == "folder" and a.files == 2 and a.sha256 == b.sha256
    renamed = make(tmp_path / "c", {"cat/1.png": b"\x89PNG1", "cat/2.png": b"\x89PNG2"})
    edited = make(tmp_path / "d", {**base, "dog/2.png": b"\x89PNG3"})
    added = make(tmp_path / "e", {**base, "dog/3.png": b""})
    moved_byte = make(tmp_path / "f", {"cat/1.png": b"\x89PNG", "dog/2.png": b"1\x89PNG2"})
    assert len({a.sha256, renamed.sha256, edited.sha256, added.sha256, moved_byte.sha256}) == 5


def test_builtin_is_its_name_and_options():
    a = data_fingerprint({"name": "moons", "options": {"n_samples": 300, "noise": 0.2}})
    b = data_fingerprint({"name": "moons", "options": {"noise": 0.2, "n_samples": 300}})
    c = data_fingerprint({"name": "moons", "options": {"n_samples": 301, "noise": 0.2}})
    d = data_fingerprint({"name": "circles", "options": {"n_samples": 300, "noise": 0.2}})
    assert a.kind == "builtin" and a.path is None
    assert a.sha256 == b.sha256 and len({a.sha256, c.sha256, d.sha256}) == 3


def test_missing_path_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="gone.csv"):
        data_fingerprint({"name": "csv", "options": {"path": str(tmp_path / "gone.csv")}})


def test_round_trips_through_json():
    found = DataFingerprint("folder", "ab" * 32, "/x", 3)
    assert DataFingerprint.from_dict(found.to_dict()) == found
