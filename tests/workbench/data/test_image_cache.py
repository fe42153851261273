"""The uint8 image cache: decoded once in worker processes, reused, invalidated by content,
cancellable, never trusted half-written (workbench/data/image_cache.py, image_folder.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from workbench.data import DataError, load_dataset
from workbench.data.image_cache import images_dir, list_caches


def make_folder(root, per_class=8, size=(6, 5), seed=0):
    rng = np.random.default_rng(seed)
    for k, name in enumerate(["cat", "dog"]):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = (rng.random((*size, 3)) * 100 + 100 * k).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")
    return root


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))


def load(root, **options):
    events = []
    ds = load_dataset({"name": "image_folder", "options": {"path": str(root), **options}},
                      progress=events.append)
    return ds, events


def test_decoded_once_then_reused_by_the_next_load(tmp_path):
    root = make_folder(tmp_path / "imgs")
    first, events = load(root)
    assert first.load_report["cache_state"] == "decoded now" and events[-1].done == 16
    second, events = load(root)
    assert second.load_report["cache_state"] == "reused" and events == []
    assert np.array_equal(np.asarray(first.x_val), np.asarray(second.x_val))
    assert len(list_caches()) == 1


def test_decoded_in_worker_processes_equals_decoded_here(tmp_path):
    root = make_folder(tmp_path / "imgs", per_class=40)
    here, _ = load(root, workers=1)
    from workbench.data.image_cache import clear_caches

    clear_caches()
    there, _ = load(root, workers=2)
    assert there.load_report["cache_state"] == "decoded now"
    assert np.array_equal(np.asarray(here.x_train), np.asarray(there.x_train))


def test_an_edited_image_is_decoded_again_but_other_files_change_nothing(tmp_path):
    root = make_folder(tmp_path / "imgs")
    load(root)
    for name in (".DS_Store", "Thumbs.db", "notes.txt", "._0.png"):
        (root / "cat" / name).write_bytes(b"not an image")
    (root / ".hidden").mkdir()
    ds, events = load(root)
    assert ds.load_report["cache_state"] == "reused" and ds.load_report["images"] == 16
    Image.fromarray(np.zeros((6, 5, 3), np.uint8)).save(root / "dog" / "0.png")
    ds, _ = load(root)
    assert ds.load_report["cache_state"] == "decoded now" and len(list_caches()) == 2


def test_the_size_is_part_of_the_key(tmp_path):
    root = make_folder(tmp_path / "imgs")
    small, _ = load(root, size=[4, 4])
    assert small.input_shape == (3, 4, 4)
    big, _ = load(root, size=12)
    assert big.input_shape == (3, 12, 12) and len(list_caches()) == 2


def test_a_cancelled_decode_leaves_nothing(tmp_path):
    root = make_folder(tmp_path / "imgs", per_class=300)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(DataError, match="cancelled"):
        load_dataset({"name": "image_folder", "options": {"path": str(root), "workers": 2}},
                     cancel=cancel)
    assert list(images_dir().iterdir()) == []  # no cache, no partial folder


def test_a_killed_decode_is_never_trusted_and_is_cleaned_up(tmp_path):
    root = make_folder(tmp_path / "imgs")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ds, _ = load(root)  # a complete cache, to learn its folder name
    cache = next(images_dir().iterdir())
    partial = cache.parent / f"{cache.name}.partial-{dead}-1"
    os.rename(cache, partial)  # as if the process had died before renaming it into place
    (partial / "meta.json").unlink()
    ds, _ = load(root)
    assert ds.load_report["cache_state"] == "decoded now"
    assert not partial.exists()


def test_damaged_cache_metadata_is_decoded_again(tmp_path):
    root = make_folder(tmp_path / "imgs")
    load(root)
    cache = next(images_dir().iterdir())
    (cache / "meta.json").write_text("{", encoding="utf-8")
    ds, _ = load(root)
    assert ds.load_report["cache_state"] == "decoded now"
    assert json.loads((cache / "meta.json").read_text())["count"] == 16


def test_bad_images_fail_by_default_naming_the_file_or_are_skipped_and_listed(tmp_path):
    root = make_folder(tmp_path / "imgs")
    (root / "dog" / "broken.jpg").write_bytes(b"not an image")
    with pytest.raises(DataError, match=r"broken\.jpg: cannot be read as an image.*--bad-images"):
        load(root)
    assert list_caches() == []
    ds, _ = load(root, bad_images="skip")
    report = ds.load_report
    assert report["skipped_images"] == 1 and report["skipped"][0].startswith("dog/broken.jpg")
    assert report["images"] == 16 and len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 16
    with pytest.raises(DataError, match="'bad_images' must be 'fail' or 'skip'"):
        load(root, bad_images="ignore")


def test_grayscale_rgba_and_palette_images_are_converted(tmp_path):
    root = tmp_path / "imgs"
    for name, mode in (("a", "L"), ("b", "RGBA"), ("c", "P")):
        (root / name).mkdir(parents=True)
        for i in range(4):
            Image.new(mode, (5, 5), color=40 * i + 10).save(root / name / f"{i}.png")
    ds, _ = load(root)
    assert ds.input_shape == (3, 5, 5)
    gray, _ = load(root, grayscale=True)
    assert gray.input_shape == (1, 5, 5)


def test_memory_does_not_grow_with_the_number_of_images(tmp_path, monkeypatch):
    """Python-allocated peak (numpy arrays included) of loading a folder and training one
    epoch on it (validation, leakage check and summary included): 4x the images may not cost
    more than a fraction of one float32 copy of the difference. Chunks are made small so that
    both sizes here are past them, as a real folder is past the real ones."""
    from workbench.data import image_array

    monkeypatch.setattr(image_array, "CHUNK_ROWS", 32)
    monkeypatch.setattr(image_array, "STATS_CHUNK_BYTES", 32 * 3 * 24 * 24 * 4)
    from workbench.experiment import fit_graph_to_dataset
    from workbench.paths import find_example
    from workbench.project import load_project
    from workbench.train.config import TrainConfig
    from workbench.train.trainer import Trainer

    graph = load_project(find_example("cnn_digits")).graph

    def peak(per_class, traced=True):
        root = make_folder(tmp_path / f"imgs{per_class}", per_class=per_class, size=(24, 24))
        if traced:
            tracemalloc.start()
        ds, _ = load(root)
        spec = fit_graph_to_dataset(graph, ds.input_shape, "float32", 2, True)
        Trainer(spec, ds, TrainConfig(epochs=1, batch_size=32, device="cpu")).fit()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    peak(10, traced=False)  # first imports and lazy set-up out of the way
    small, large = peak(150), peak(600)
    float_bytes_of_the_difference = 900 * 3 * 24 * 24 * 4
    assert large - small < float_bytes_of_the_difference / 4, (small, large)
