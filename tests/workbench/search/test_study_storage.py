"""Opening a study storage while another process creates its tables."""

from __future__ import annotations

import optuna
import pytest

from workbench.search import study
from workbench.search.errors import SearchError


@pytest.mark.parametrize("message", [
    "(sqlite3.OperationalError) table studies already exists",
    "(sqlite3.IntegrityError) UNIQUE constraint failed: alembic_version.version_num"])
def test_a_concurrent_schema_creation_is_retried(tmp_path, monkeypatch, message):
    real = optuna.storages.RDBStorage
    calls = []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(message)
        return real(*args, **kwargs)

    monkeypatch.setattr(optuna.storages, "RDBStorage", racing)
    storage = study.open_storage(f"sqlite:///{tmp_path}/s.db", None)
    assert len(calls) == 2 and storage is not None


def test_other_failures_are_not_retried(tmp_path, monkeypatch):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("file is not a database")

    monkeypatch.setattr(optuna.storages, "RDBStorage", broken)
    with pytest.raises(SearchError, match="file is not a database"):
        study.open_storage(f"sqlite:///{tmp_path}/s.db", None)
    assert len(calls) == 1
