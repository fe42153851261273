from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from workbench.data import DataError, load_dataset
from workbench.data.preprocessing import apply_preprocessing


def make_folder(tmp_path, per_class=6):
    rng = np.random.default_rng(0)
    for k, name in enumerate(["cat", "dog"]):
        folder = tmp_path / "imgs" / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = (rng.random((6, 5, 3)) * 100 + 100 * k).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")
    return tmp_path / "imgs"


def test_loads_images_with_channel_stats(tmp_path):
    root = make_folder(tmp_path)
    ds = load_dataset({"name": "image_folder", "options": {"path": str(root)}})
    assert ds.input_shape == (3, 6, 5) and ds.class_names == ["cat", "dog"]
    pre = ds.preprocessing
    assert pre["kind"] == "image" and pre["size"] == [6, 5] and pre["channels"] == 3
    with Image.open(root / "dog" / "0.png") as image:
        x = apply_preprocessing(pre, image)
    assert x.shape == (1, 3, 6, 5)


def test_unreadable_image_and_empty_class(tmp_path):
    root = make_folder(tmp_path)
    (root / "dog" / "broken.png").write_bytes(b"not an image")
    with pytest.raises(DataError, match="broken.png: cannot be read as an image"):
        load_dataset({"name": "image_folder", "options": {"path": str(root)}})
    (root / "dog" / "broken.png").unlink()
    (root / "bird").mkdir()
    with pytest.raises(DataError, match="class folder 'bird' has no images"):
        load_dataset({"name": "image_folder", "options": {"path": str(root)}})


def test_npz(tmp_path):
    path = tmp_path / "d.npz"
    x = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float32)
    np.savez(path, x=x, y=np.arange(60) % 3)
    ds = load_dataset({"name": "npz", "options": {"path": str(path)}})
    assert ds.input_shape == (3,) and ds.num_classes == 3
    np.savez(path, x=x, y=np.arange(59) % 3)
    with pytest.raises(DataError, match="one label per sample"):
        load_dataset({"name": "npz", "options": {"path": str(path)}})
    with pytest.raises(DataError, match="no array named features"):
        load_dataset({"name": "npz", "options": {"path": str(path), "x_key": "features"}})
