"""Shared test set-up: Qt offscreen, isolated settings, few threads."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "2")
if "WORKBENCH_DATA_DIR" not in os.environ:  # autosaves and fault logs of the app under test
    import tempfile

    os.environ["WORKBENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="workbench-test-data-")
if "WORKBENCH_CACHE_DIR" not in os.environ:  # decoded image caches (workbench/data/image_cache)
    import tempfile

    os.environ["WORKBENCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="workbench-test-cache-")
