"""``workbench make-image-folder NAME DIR [--count N] [--size S]``: a built-in image dataset
written as JPEG files, one sub-folder per class, so the image-folder path (``--dataset
image_folder --data-path DIR``) can be tried at any size.

``colour_shapes`` draws exactly ``N`` images at ``S`` pixels (the same images as the dataset's
first ``N`` rows at that size); ``digits_images`` and ``mnist_5k`` write their first ``N``
images taken class by class in turn (so every class keeps its share), resized to ``S``.
A marker file (hidden, so loaders and fingerprints ignore it) records what was written; a
folder that has it may be written again, any other non-empty folder is refused.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError

IMAGE_DATASETS = ("colour_shapes", "digits_images", "mnist_5k")
MARKER = ".workbench-image-folder.json"
JPEG_QUALITY = 95


def register(subparsers: Any) -> None:
    """Add ``make-image-folder NAME DIR [--count N] [--size S] [--seed K]``."""
    parser = subparsers.add_parser(
        "make-image-folder", help="write a built-in image dataset as JPEG files in class folders",
        description="Write a built-in image dataset as JPEG files, one sub-folder per class, "
                    "to train on with --dataset image_folder --data-path DIR. Refuses a "
                    "non-empty DIR that this command did not write.")
    parser.add_argument("name", metavar="NAME", help=f"one of {', '.join(IMAGE_DATASETS)}")
    parser.add_argument("dir", metavar="DIR", help="the folder to write (created if missing)")
    parser.add_argument("--count", type=int, default=None,
                        help="how many images (default: the whole dataset; colour_shapes 60,000)")
    parser.add_argument("--size", type=int, default=None,
                        help="width and height in pixels (default: the dataset's own)")
    parser.add_argument("--seed", type=int, default=0, help="colour_shapes: which set (default 0)")
    parser.set_defaults(handler=run_make_image_folder)


def run_make_image_folder(args: argparse.Namespace) -> int:
    """0 with the folder written; DataError (exit 2, one line) for a bad name, size or DIR."""
    started = time.perf_counter()
    line = ProgressLine(sys.stderr)
    written = write_image_folder(args.name, Path(args.dir), args.count, args.size, args.seed,
                                 progress=line)
    line.finish()
    print(f"wrote {written['count']:,} images of {written['size']}x{written['size']} in "
          f"{len(written['classes'])} class folders to {args.dir} "
          f"({time.perf_counter() - started:.1f} s); train on them with "
          f"--dataset image_folder --data-path {args.dir}")
    return 0


class ProgressLine:
    """``written 1,200/5,000 images, 950/s, 4 s left`` redrawn in place (at most 5 per second)."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.drawn = stream, False
        self.first: tuple[float, int] | None = None  # (time, done) at the first image
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first, self.last = (now, done), now
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        rate = (done - self.first[1]) / max(now - self.first[0], 1e-9)
        left = f", {(total - done) / rate:.0f} s left" if rate > 0 and done < total else ""
        self.stream.write(f"\rwritten {done:,}/{total:,} images, {rate:,.0f}/s{left}   ")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def write_image_folder(name: str, dest: Path, count: int | None = None,
                       size: int | None = None, seed: int = 0,
                       progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write ``name`` into ``dest`` as ``dest/<class>/<row>.jpg``; returns what the marker
    records (dataset, count, size, seed, classes)."""
    if name not in IMAGE_DATASETS:
        raise DataError(f"make-image-folder writes a built-in image dataset: expected one of "
                        f"{', '.join(IMAGE_DATASETS)}, found {name!r}")
    if count is not None and count < 1:
        raise DataError(f"--count must be at least 1, found {count}")
    if size is not None and not 8 <= size <= 1024:
        raise DataError(f"--size must be between 8 and 1024 pixels, found {size}")
    previous = _check_destination(dest)
    classes, total, native, images = _source(name, count, size, seed)
    size = size or native
    _clear_previous(dest, previous)
    folders = {c: dest / c for c in classes}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    done = 0
    for row, label, pixels in images:
        image = Image.fromarray(pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0))
        if image.size != (size, size):
            image = image.resize((size, size), Image.BILINEAR)
        image.save(folders[classes[label]] / f"{row:06d}.jpg", quality=JPEG_QUALITY)
        done += 1
        if progress is not None:
            progress(done, total)
    record = {"dataset": name, "count": done, "size": size, "seed": seed,
              "classes": list(classes)}
    (dest / MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def _check_destination(dest: Path) -> dict[str, Any] | None:
    """The marker of a folder this command wrote, None for a new or empty folder; DataError
    for a file or a non-empty folder written by anything else."""
    if dest.exists() and not dest.is_dir():
        raise DataError(f"{dest}: expected a folder to write the images into, found a file")
    if not dest.exists() or not any(dest.iterdir()):
        return None
    try:
        record = json.loads((dest / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("classes"), list):
        raise DataError(f"{dest}: the folder is not empty and was not written by "
                        f"make-image-folder; expected a new or empty folder")
    return record


def _clear_previous(dest: Path, record: dict[str, Any] | None) -> None:
    """Remove the class folders and marker an earlier make-image-folder wrote (nothing else)."""
    if record is None:
        return
    for name in record["classes"]:
        folder = dest / str(name)
        if folder.is_dir() and folder.parent == dest:
            shutil.rmtree(folder)
    (dest / MARKER).unlink(missing_ok=True)


Rows = Iterator[tuple[int, int, np.ndarray]]


def _source(name: str, count: int | None, size: int | None,
            seed: int) -> tuple[list[str], int, int, Rows]:
    """(class names, images to write, native size, iterator of (row, label, uint8 C x H x W))."""
    if name == "colour_shapes":
        from workbench.data import colour_shapes as cs

        total = cs.DEFAULTS["count"] if count is None else count
        side = size or cs.DEFAULTS["size"]
        rows = ((row, int(row % len(cs.CLASSES)), cs.render_image(seed, row, side))
                for row in range(total))
        return list(cs.CLASSES), total, side, rows
    from workbench.data import builtin

    raw = builtin.load_digits_images({}) if name == "digits_images" else \
        builtin.load_mnist_5k({})
    available = len(raw.y)
    total = available if count is None else count
    if total > available:
        raise DataError(f"{name} has {available:,} images; --count asked for {total:,}")
    order = _class_by_class(raw.y)[:total]
    pixels = np.clip(np.asarray(raw.x) * raw.scale * 255.0, 0, 255).round().astype(np.uint8)
    rows = ((int(r), int(raw.y[r]), pixels[r]) for r in order)
    return list(raw.class_names), total, int(raw.x.shape[-1]), rows


def _class_by_class(y: np.ndarray) -> np.ndarray:
    """Row indices taking one row of each class in turn (in row order within a class)."""
    rank = np.zeros(len(y), dtype=np.int64)
    for cls in np.unique(y):
        members = np.flatnonzero(y == cls)
        rank[members] = np.arange(len(members))
    return np.lexsort((y, rank))
