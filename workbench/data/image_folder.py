"""Image folders: one sub-folder per class, images read with Pillow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.preprocessing import image_to_array
from workbench.data.raw import RawData

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def load_image_folder(options: dict[str, Any]) -> RawData:
    from PIL import Image, UnidentifiedImageError

    if not options.get("path"):
        raise DataError("the image_folder dataset needs option 'path' (a folder with one "
                        "sub-folder per class)")
    root = Path(str(options["path"]))
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DataError(f"{root}: found {len(classes)} class sub-folder(s); expected at least 2 "
                        f"(one sub-folder per class)")
    channels = 1 if options.get("grayscale", False) else 3
    size = options.get("size")
    arrays, labels = [], []
    for label, folder in enumerate(classes):
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise DataError(f"{folder}: class folder '{folder.name}' has no images "
                            f"(expected {', '.join(sorted(IMAGE_SUFFIXES))})")
        for file in files:
            try:
                with Image.open(file) as image:
                    image.load()
                    if size is None:
                        size = [image.size[1], image.size[0]]
                    arrays.append(image_to_array(image, size, channels))
            except (UnidentifiedImageError, OSError) as exc:
                raise DataError(f"{file}: cannot be read as an image ({exc})") from exc
            labels.append(label)
    return RawData(x=np.stack(arrays).astype(np.float32), y=np.array(labels, dtype=np.int64),
                   class_names=[p.name for p in classes], prep="image", scale=1.0 / 255.0)
