from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from workbench.runs.atomic import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    current_umask,
    give_default_dir_mode,
)


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


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_files_get_the_users_normal_permissions(tmp_path, umask_022):
    """tempfile makes 0600 files; the written file must look like open() made it (0644)."""
    atomic_write_text(tmp_path / "summary.json", "{}")
    atomic_write_bytes(tmp_path / "w.safetensors", b"x")
    assert stat.S_IMODE((tmp_path / "summary.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "w.safetensors").stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_umask_is_honoured(tmp_path):
    old = os.umask(0o077)
    try:
        assert current_umask() == 0o077
        atomic_write_text(tmp_path / "private.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_mode(tmp_path, umask_022):
    target = tmp_path / "shared.json"
    target.write_text("{}")
    target.chmod(0o664)
    atomic_write_text(target, '{"a": 1}')
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_mkdtemp_folder_gets_the_mkdir_mode(tmp_path, umask_022):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    give_default_dir_mode(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
