from __future__ import annotations

import json

import pytest

from workbench.runs.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text


def test_writes_and_replaces_without_leaving_temp_files(tmp_path):
    target = tmp_path / "sub" / "file.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_text(target, '{"a": 2}')
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_failed_write_keeps_old_file(tmp_path):
    target = tmp_path / "f.json"
    atomic_write_json(target, {"ok": True})
    with pytest.raises(ValueError):
        atomic_write_json(target, {"bad": float("nan")})
    assert json.loads(target.read_text()) == {"ok": True}
    assert len(list(tmp_path.iterdir())) == 1


def test_bytes(tmp_path):
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
