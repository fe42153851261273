"""Image folders: one sub-folder per class, decoded once into a memory-mapped uint8 cache.

The first load of a folder at a size decodes every image in parallel worker processes
(:mod:`workbench.data.image_cache`) with progress and cancel; later loads (the next run,
``eval``, ``explain``, ``export``) open the cache at once. The cache is keyed by the folder's
content fingerprint, the size and the channels, so an edited folder is decoded again. The
returned RawData holds an :class:`~workbench.data.image_array.ImageArray`, never the pixels.

Options: ``path``; ``size`` ([h, w] or one number; default the first image's size);
``grayscale`` (one channel); ``bad_images`` ("fail", the default: stop at the first file that
is not a readable image, naming it; "skip": leave such files out, counted and listed in the
load report); ``workers`` (decode processes; default one per core).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.image_files import IMAGE_SUFFIXES, class_folders, folder_images
from workbench.data.raw import RawData

__all__ = ["IMAGE_SUFFIXES", "decode_rows", "load_image_folder"]
BAD_IMAGES = ("fail", "skip")
LISTED_BAD = 20  # skipped files named in the load report (the count covers all)


def load_image_folder(options: dict[str, Any], progress: Any = None,
                      cancel: Any = None) -> RawData:
    from workbench.data.fingerprint import folder_sha256
    from workbench.data.image_array import ImageArray
    from workbench.data.image_cache import build_or_open

    root = _root(options)
    classes = class_folders(root)
    if len(classes) < 2:
        raise DataError(f"{root}: found {len(classes)} class sub-folder(s); expected at least 2 "
                        f"(one sub-folder per class)")
    files = folder_images(root)
    counts = np.bincount([label for _, label in files], minlength=len(classes))
    for folder, count in zip(classes, counts):
        if count == 0:
            raise DataError(f"{folder}: class folder '{folder.name}' has no images "
                            f"(expected {', '.join(sorted(IMAGE_SUFFIXES))})")
    mode = options.get("bad_images", "fail")
    if mode not in BAD_IMAGES:
        raise DataError(f"option 'bad_images' must be 'fail' or 'skip', found {mode!r}")
    channels = 1 if options.get("grayscale", False) else 3
    size = _size(options, files)
    fingerprint, _ = folder_sha256(root)
    relative = [file.relative_to(root).as_posix() for file, _ in files]
    cache = build_or_open(
        {"kind": "image_folder", "sha256": fingerprint, "size": size, "channels": channels},
        len(files), (channels, size[0], size[1]), "workbench.data.image_folder:decode_rows",
        {"root": str(root), "files": relative, "size": size, "channels": channels},
        workers=options.get("workers"), progress=progress, cancel=cancel,
        stage="decoding images", source=str(root), stop_on_bad=mode == "fail")
    bad = cache.bad
    if bad and mode == "fail":
        row = min(bad)
        raise DataError(f"{root / relative[row]}: cannot be read as an image ({bad[row]}); "
                        f"expected only images in the class folders (or use --bad-images skip "
                        f"to leave such files out)")
    rows = cache.ok_rows
    labels = np.array([label for _, label in files], dtype=np.int64)
    report: dict[str, Any] = {"images": int(len(rows)), "size": size, "channels": channels,
                              "cache": str(cache.path),
                              "cache_state": "decoded now" if cache.built else "reused"}
    if bad:
        report["skipped_images"] = len(bad)
        report["skipped"] = [f"{relative[r]}: {reason}" for r, reason in sorted(bad.items())
                             ][:LISTED_BAD]
    return RawData(x=ImageArray(cache.images, rows), y=labels[rows],
                   class_names=[p.name for p in classes], prep="image", scale=1.0 / 255.0,
                   report=report)


def decode_rows(params: dict[str, Any], start: int, stop: int,
                out: np.ndarray) -> list[tuple[int, str]]:
    """Decode files ``start..stop`` of ``params["files"]`` into ``out`` (an image_cache
    producer; runs in worker processes)."""
    from PIL import Image, UnidentifiedImageError

    from workbench.data.preprocessing import image_to_array

    root, size, channels = Path(params["root"]), params["size"], int(params["channels"])
    bad = []
    for row in range(start, stop):
        try:
            with Image.open(root / params["files"][row]) as image:
                image.draft("RGB" if channels == 3 else "L", (size[1], size[0]))  # JPEG: fast
                out[row - start] = image_to_array(image, size, channels).astype(np.uint8)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            out[row - start] = 0
            bad.append((row, str(exc) or type(exc).__name__))
    return bad


def _root(options: dict[str, Any]) -> Path:
    if not options.get("path"):
        raise DataError("the image_folder dataset needs option 'path' (a folder with one "
                        "sub-folder per class)")
    root = Path(str(options["path"]))
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    return root


def _size(options: dict[str, Any], files: list[tuple[Path, int]]) -> list[int]:
    """[h, w] from option 'size' (a number or [h, w]), else the first readable image's size."""
    size = options.get("size")
    if size is not None:
        values = [size, size] if isinstance(size, int) and not isinstance(size, bool) else size
        if (not isinstance(values, (list, tuple)) or len(values) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4096
                           for v in values)):
            raise DataError(f"option 'size' must be [height, width] (or one number) in pixels "
                            f"from 1 to 4096, found {size!r}")
        return [int(values[0]), int(values[1])]
    from PIL import Image, UnidentifiedImageError

    for file, _ in files:
        try:
            with Image.open(file) as image:
                return [int(image.size[1]), int(image.size[0])]
        except (UnidentifiedImageError, OSError):
            continue
    raise DataError(f"{files[0][0].parent.parent}: none of the {len(files)} image files can be "
                    f"read")
