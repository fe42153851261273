"""`workbench make-image-folder`: a built-in image set as JPEG class folders, trainable."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from workbench.cli import main
from workbench.commands.make_image_folder import MARKER
from workbench.data import colour_shapes as cs


def jpegs(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.jpg"))


def test_colour_shapes_written_as_class_folders_of_the_datasets_images(tmp_path, capsys):
    out = tmp_path / "shapes"
    assert main(["make-image-folder", "colour_shapes", str(out), "--count", "30",
                 "--size", "24"]) == 0
    captured = capsys.readouterr()
    assert "wrote 30 images of 24x24 in 10 class folders" in captured.out
    assert "written 30/30 images" in captured.err  # the progress line
    files = jpegs(out)
    assert len(files) == 30 and sorted({f.split("/")[0] for f in files}) == sorted(cs.CLASSES)
    assert "circle/000010.jpg" in files and "arrow/000029.jpg" in files
    with Image.open(out / "ring" / "000011.jpg") as image:
        assert image.size == (24, 24) and image.mode == "RGB"
        decoded = np.asarray(image, dtype=np.float64).transpose(2, 0, 1)
    drawn, other = (cs.render_image(0, row, 24).astype(np.float64) for row in (11, 21))
    # the same image, up to JPEG's loss (noisy pixels cost it ~10 levels); another ring is ~60
    assert np.abs(decoded - drawn).mean() < 15 < 3 * 15 < np.abs(decoded - other).mean()
    assert json.loads((out / MARKER).read_text())["count"] == 30


def test_digit_sets_keep_every_class_and_resize(tmp_path):
    out = tmp_path / "mnist"
    assert main(["make-image-folder", "mnist_5k", str(out), "--count", "20",
                 "--size", "14"]) == 0
    files = jpegs(out)
    assert len(files) == 20 and {f.split("/")[0] for f in files} == {str(d) for d in range(10)}
    assert all(sum(f.startswith(f"{d}/") for f in files) == 2 for d in range(10))
    with Image.open(out / files[0]) as image:
        assert image.size == (14, 14) and image.mode == "L"


def test_refuses_a_folder_it_did_not_write_but_rewrites_its_own(tmp_path, capsys):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"mine")
    assert main(["make-image-folder", "digits_images", str(foreign), "--count", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not empty and was not written by make-image-folder" in err
    assert (foreign / "holiday.jpg").read_bytes() == b"mine"
    assert main(["make-image-folder", "iris", str(tmp_path / "x")]) == 2
    assert "expected one of colour_shapes, digits_images, mnist_5k, found 'iris'" in \
        capsys.readouterr().err
    assert main(["make-image-folder", "digits_images", str(tmp_path / "x"),
                 "--count", "99999"]) == 2
    assert "digits_images has 1,797 images; --count asked for 99,999" in capsys.readouterr().err

    own = tmp_path / "own"
    assert main(["make-image-folder", "colour_shapes", str(own), "--count", "20",
                 "--size", "16"]) == 0
    assert main(["make-image-folder", "digits_images", str(own), "--count", "10"]) == 0
    assert len(jpegs(own)) == 10 and not (own / "circle").exists()


def test_the_folder_trains_as_an_image_folder(tmp_path, capsys):
    out = tmp_path / "shapes"
    assert main(["make-image-folder", "colour_shapes", str(out), "--count", "60",
                 "--size", "16"]) == 0
    capsys.readouterr()
    code = main(["train", "cnn_digits", "--dataset", "image_folder", "--data-path", str(out),
                 "--image-size", "16", "--epochs", "1", "--device", "cpu", "--project", str(tmp_path / "p"), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["data_report"]["images"] == 60
    run_dir = next((tmp_path / "p" / "runs").iterdir())
    config = json.loads((run_dir / "config.json").read_text())
    assert config["preprocessing"]["size"] == [16, 16] and config["preprocessing"]["channels"] == 3
