"""Which files of an image folder are images: the loader and the fingerprint agree on it.

Hidden files and folders (``.DS_Store``, ``._photo.jpg``, ``.git``), the desktop's thumbnail
databases (``Thumbs.db``, ``desktop.ini``) and files without an image suffix are not data, so
neither the loader nor the data fingerprint sees them: adding a README beside the photos does
not make a run's data "changed". No numpy, no Pillow: cheap to import.
"""

from __future__ import annotations

from pathlib import Path

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"})
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


def is_image_file(path: Path) -> bool:
    """An image by its suffix, not hidden, not a desktop's thumbnail database."""
    name = path.name
    return (not name.startswith(".") and name.lower() not in SYSTEM_FILES
            and path.suffix.lower() in IMAGE_SUFFIXES)


def class_folders(root: Path) -> list[Path]:
    """The visible sub-folders of ``root``, sorted by name (one per class)."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def image_files(folder: Path) -> list[Path]:
    """The image files below ``folder`` (any depth, hidden folders skipped), sorted by
    relative path."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative[:-1]):
            continue
        if path.is_file() and is_image_file(path):
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def folder_images(root: Path) -> list[tuple[Path, int]]:
    """(file, class index) of every image the loader reads from ``root``: the images below
    each class folder, classes in name order, files in relative-path order."""
    return [(file, label) for label, folder in enumerate(class_folders(root))
            for file in image_files(folder)]
