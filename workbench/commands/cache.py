"""``workbench cache list|clear``: the decoded image caches (workbench/data/image_cache.py).

An image folder is decoded once into a uint8 cache per folder content and size, reused by
later runs, ``eval``, ``explain`` and ``export``. ``list`` shows each with what it came from and
its size on disk; ``clear`` removes them all (a later load decodes again).
"""

from __future__ import annotations

import json
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``cache {list,clear} [--json]`` to ``subparsers``."""
    cache = subparsers.add_parser("cache", help="list or clear the decoded image caches")
    cache.add_argument("action", choices=("list", "clear"),
                       help="list: each cache with its source and size; clear: remove them all")
    cache.add_argument("--json", action="store_true", help="one JSON object")
    cache.set_defaults(handler=run_cache)


def cache_rows() -> list[dict[str, Any]]:
    """One row per complete cache: folder, source, images, shape, bad rows, bytes, created."""
    from workbench.data.image_cache import list_caches

    rows = []
    for cache in list_caches():
        meta = cache.meta
        rows.append({"path": str(cache.path), "source": meta.get("source", ""),
                     "stage": meta.get("stage", ""), "images": int(meta.get("count", 0)),
                     "shape": list(meta.get("shape", [])), "bad": len(meta.get("bad", [])),
                     "bytes": _size(cache.path), "created": meta.get("created", "")})
    return rows


def run_cache(args: Any) -> int:
    from workbench.data.image_cache import clear_caches, images_dir

    if args.action == "clear":
        removed, freed = clear_caches()
        if args.json:
            print(json.dumps({"removed": removed, "bytes_freed": freed}))
        else:
            print(f"removed {removed} cache folder(s), {freed / 1e6:,.1f} MB freed "
                  f"({images_dir()})")
        return 0
    rows = cache_rows()
    if args.json:
        print(json.dumps({"root": str(images_dir()), "caches": rows}))
        return 0
    if not rows:
        print(f"no image caches ({images_dir()})")
        return 0
    print(f"{len(rows)} image cache(s) in {images_dir()}, "
          f"{sum(r['bytes'] for r in rows) / 1e6:,.1f} MB")
    for row in rows:
        c, h, w = (row["shape"] + [0, 0, 0])[:3]
        bad = f", {row['bad']} unreadable" if row["bad"] else ""
        print(f"  {row['created']}  {row['images']:>8,} x {c}x{h}x{w}  "
              f"{row['bytes'] / 1e6:>9,.1f} MB  {row['source'] or row['stage']}{bad}")
    return 0


def _size(path: Any) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())
