"""`workbench cache list|clear` and the image-folder flags of `workbench train`."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from workbench.cli import main


def make_folder(root, per_class=10):
    rng = np.random.default_rng(0)
    for k, name in enumerate(["dark", "light"]):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = (rng.random((8, 8, 3)) * 100 + 120 * k).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_train_decodes_once_then_cache_lists_and_clears(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    root = make_folder(tmp_path / "imgs")
    (root / "dark" / "broken.jpg").write_bytes(b"not an image")
    args = ["train", "cnn_digits", "--dataset", "image_folder", "--data-path", str(root),
            "--epochs", "1", "--json"]
    assert main(args) == 2
    assert "broken.jpg: cannot be read as an image" in capsys.readouterr().err
    assert main([*args, "--bad-images", "skip", "--image-size", "6"]) == 0
    result = json.loads(capsys.readouterr().out)
    report = next(v for k, v in result.items() if isinstance(v, dict) and "cache" in v)
    assert report["skipped_images"] == 1 and report["images"] == 20
    assert report["size"] == [6, 6] and report["skipped"][0].startswith("dark/broken.jpg")
    assert main(["cache", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["images"], c["shape"], c["bad"]) for c in listed["caches"]] == [(21, [3, 6, 6], 1)]
    assert main(["cache", "clear"]) == 0
    assert "removed 1 cache folder(s)" in capsys.readouterr().out
    assert main(["cache", "list"]) == 0
    assert "no image caches" in capsys.readouterr().out


def test_image_flags_are_refused_for_other_datasets(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "mlp_digits", "--bad-images", "skip", "--epochs", "1"]) == 2
    assert "--bad-images: only for image_folder datasets" in capsys.readouterr().err
