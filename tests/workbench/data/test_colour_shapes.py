"""colour_shapes: generated deterministically per row, through the uint8 image cache."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import DataError, DatasetSpec, dataset_info, load_dataset
from workbench.data import colour_shapes as cs
from workbench.data.image_array import is_image_array


def test_each_row_is_reproducible_alone_and_depends_on_seed_and_index():
    out = np.zeros((6, 3, 32, 32), np.uint8)
    assert cs.render_rows({"seed": 0, "size": 32}, 10, 16, out) == []
    assert np.array_equal(out[3], cs.render_image(0, 13, 32))  # row 13 drawn alone
    assert not np.array_equal(out[3], cs.render_image(1, 13, 32))
    assert not np.array_equal(out[3], out[4])
    assert cs.render_image(0, 5, 48).shape == (3, 48, 48)


def test_colour_says_nothing_about_the_class():
    images = np.stack([cs.render_image(0, i) for i in range(500)])
    bins = (images // 64).astype(np.int64)  # each image's colour histogram, 4 levels a channel
    codes = bins[:, 0] * 16 + bins[:, 1] * 4 + bins[:, 2]
    hist = np.stack([np.bincount(c.ravel(), minlength=64) for c in codes]) / codes[0].size
    y = cs.labels(500)
    centroids = np.stack([hist[:300][y[:300] == k].mean(0) for k in range(10)])
    guess = np.argmin(((hist[300:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    # chance is 0.10 (measured 0.095); a fill colour chosen by class measured 0.305
    assert (guess == y[300:]).mean() < 0.2
    assert images.std() > 50  # yet the images are far from flat


def test_every_class_is_a_different_drawing():
    rng = np.random.default_rng(0)
    areas = []
    for kind in range(10):  # area of each unit shape (holes subtracted), without randomness
        from PIL import Image, ImageDraw

        mask = Image.new("L", (200, 200), 0)
        draw = ImageDraw.Draw(mask)
        for polygon, value in cs.shape_polygons(kind, rng):
            draw.polygon([tuple(p) for p in (polygon * 80 + 100).tolist()], fill=value)
        areas.append(round(np.asarray(mask).mean() / 255, 2))
    assert len(set(areas)) == 10, dict(zip(cs.CLASSES, areas))


def test_loads_through_the_cache_as_a_lazy_image_array(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    seen = []
    ds = load_dataset(DatasetSpec(name="colour_shapes", options={"count": 200, "size": 16}),
                      progress=seen.append)
    assert is_image_array(ds.x_train) and ds.input_shape == (3, 16, 16)
    assert ds.num_classes == 10 and ds.class_names[0] == "circle"
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 200
    assert seen and seen[-1].done == 200 and seen[-1].stage == "generating colour_shapes"
    assert ds.load_report["cache_state"] == "generated now"
    first = ds.x_train.raw(np.arange(len(ds.x_train)))
    row = int(ds.x_train.rows[0])
    assert np.array_equal(first[0], cs.render_image(0, row, 16))
    assert np.array_equal(ds.y_train, cs.labels(200)[ds.x_train.rows])
    again = load_dataset(DatasetSpec(name="colour_shapes", options={"count": 200, "size": 16}))
    assert again.load_report["cache_state"] == "reused"
    assert np.array_equal(again.x_val[:5], ds.x_val[:5])
    assert len(list((tmp_path / "images").iterdir())) == 1


def test_info_is_cheap_and_options_are_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    assert dataset_info(DatasetSpec(name="colour_shapes")) == ((3, 32, 32), "float32", 10)
    assert dataset_info(DatasetSpec(name="colour_shapes", options={"size": 64})) == (
        (3, 64, 64), "float32", 10)
    assert not (tmp_path / "images").exists()  # nothing was generated for the answer
    with pytest.raises(DataError, match="unknown option.*colour; expected count, size"):
        load_dataset(DatasetSpec(name="colour_shapes", options={"colour": 1}))
    with pytest.raises(DataError, match="'size' must be between 8 and 512, found 4"):
        load_dataset(DatasetSpec(name="colour_shapes", options={"size": 4}))
