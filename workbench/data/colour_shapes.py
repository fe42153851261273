"""colour_shapes: a generated colour image set, 10 shape classes, harder than digits.

No package ships a CIFAR-size colour image set offline, so the Workbench draws its own: each
image is one shape of ten kinds (circle, ring, triangle, square, pentagon, hexagon, star,
cross, crescent, arrow) at a random position, size, rotation and aspect ratio, filled with a
random colour (a gentle gradient, at least 60 levels of brightness away from the background)
over a random background (gradient, faint stripes or blotches), with clutter (thin lines and
dots), sometimes an occluding bar, blur and pixel noise. Colour says nothing about the class.
Shapes are drawn at twice the output size and downsampled (antialiased), so circles, pentagons
and hexagons differ only in a few soft edge pixels at 32x32.

Version 1 (two unrelated fill colours, stronger stripes, more clutter and noise, smaller shapes)
was too hard to learn from: the cnn_colour ResNet stayed at 14% validation accuracy after 3
epochs on 4,300 images, the small CNN of cnn_digits at 18% after one epoch on 42,000.

Every image comes from its own random generator seeded by (seed, index), so any row can be
redrawn alone and the set is the same on every machine; labels are ``index % 10`` (balanced).
Images are produced by :func:`render_rows` in worker processes straight into the uint8 image
cache (:mod:`workbench.data.image_cache`), so 60,000 images never sit in memory as floats.

This module imports only numpy and Pillow at top level: it runs in spawned workers.

Options: ``count`` (default 60,000), ``size`` (default 32: 32x32 pixels), ``seed`` (default 0),
``workers`` (generating processes; default one per core).

Measured (version 2, this 2-core CPU shared with other jobs, so rates vary 3x with the load):
generation 216 images/s with 1 process and 305/s with 2 under heavy load (version 1: 423/s and
1,030/s; 1,313/s for one process on a quiet machine). Hardness (``benchmarks/
colour_shapes_hardness.py``): the small CNN of cnn_digits reaches 0.577 validation accuracy
after 2 epochs (0.471 after 1) on the 42,000 training images, where it reaches 0.922 on digits;
the cnn_colour ResNet climbs from 0.19 to 0.54 in 6 epochs on only 4,200 of them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

CLASSES = ("circle", "ring", "triangle", "square", "pentagon", "hexagon", "star", "cross",
           "crescent", "arrow")
VERSION = 2  # bump when the drawing changes: it is part of the cache key
SUPERSAMPLE = 2
DEFAULTS = {"count": 60000, "size": 32, "seed": 0}
PRODUCER = "workbench.data.colour_shapes:render_rows"


def labels(count: int) -> np.ndarray:
    """The class of each of the first ``count`` images (``index % 10``)."""
    return (np.arange(count, dtype=np.int64) % len(CLASSES)).astype(np.int64)


# --- shapes as polygons in unit coordinates (radius about 1) -------------------------------

def _regular(n: int, phase: float = 0.0) -> np.ndarray:
    angles = phase + 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _star(rng: np.random.Generator) -> np.ndarray:
    inner = rng.uniform(0.38, 0.55)
    angles = np.pi / 2 + np.pi * np.arange(10) / 5
    radii = np.where(np.arange(10) % 2 == 0, 1.0, inner)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)


def _cross(rng: np.random.Generator) -> np.ndarray:
    w = rng.uniform(0.25, 0.38)
    return np.array([(-w, -1), (w, -1), (w, -w), (1, -w), (1, w), (w, w), (w, 1), (-w, 1),
                     (-w, w), (-1, w), (-1, -w), (-w, -w)], dtype=np.float64)


def _arrow(rng: np.random.Generator) -> np.ndarray:
    shaft, head = rng.uniform(0.18, 0.3), rng.uniform(0.5, 0.7)
    neck = rng.uniform(-0.1, 0.2)
    return np.array([(-1, -shaft), (neck, -shaft), (neck, -head), (1, 0), (neck, head),
                     (neck, shaft), (-1, shaft)], dtype=np.float64)


_CIRCLE = _regular(48)


def shape_polygons(kind: int, rng: np.random.Generator) -> list[tuple[np.ndarray, int]]:
    """(polygon in unit coordinates, fill 255 or 0 for a hole) in drawing order."""
    name = CLASSES[kind]
    if name == "circle":
        return [(_CIRCLE, 255)]
    if name == "ring":
        return [(_CIRCLE, 255), (_CIRCLE * rng.uniform(0.45, 0.65), 0)]
    if name == "triangle":
        return [(_regular(3, np.pi / 2) * 1.1, 255)]
    if name == "square":
        return [(_regular(4, np.pi / 4) * 1.05, 255)]
    if name == "pentagon":
        return [(_regular(5, np.pi / 2), 255)]
    if name == "hexagon":
        return [(_regular(6), 255)]
    if name == "star":
        return [(_star(rng) * 1.1, 255)]
    if name == "cross":
        return [(_cross(rng), 255)]
    if name == "crescent":
        bite = _CIRCLE * rng.uniform(0.75, 0.95) + np.array([rng.uniform(0.35, 0.6), 0.0])
        return [(_CIRCLE, 255), (bite, 0)]
    return [(_arrow(rng), 255)]


# --- one image ---------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _grid(side: int) -> tuple[np.ndarray, np.ndarray]:
    """(y, x) pixel coordinates in [0, 1), float32 (read only, shared by every image)."""
    yy, xx = (np.mgrid[0:side, 0:side] / side).astype(np.float32)
    return yy, xx


def _colour(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0, 255, size=3).astype(np.float32)


def _luma(colour: np.ndarray) -> float:
    return float(colour @ np.array([0.299, 0.587, 0.114]))


def _background(rng: np.random.Generator, side: int) -> np.ndarray:
    """side x side x 3 float background: a gradient, stripes or blotches of random colours."""
    a, b = _colour(rng), _colour(rng)
    yy, xx = _grid(side)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.float32(np.cos(angle)) * xx + np.float32(np.sin(angle)) * yy
    style = rng.integers(3)
    if style == 0:  # linear gradient
        t = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    elif style == 1:  # soft stripes
        phase = np.float32(rng.uniform(0, 6.3))
        t = 0.5 + 0.5 * np.sin(np.float32(2 * np.pi * rng.uniform(1.5, 5.0)) * ramp + phase)
        t = 0.5 + (t - 0.5) * np.float32(rng.uniform(0.2, 0.5))
    else:  # blotches: a few random smooth bumps
        t = np.zeros((side, side), dtype=np.float32)
        for _ in range(int(rng.integers(2, 5))):
            cx, cy = rng.uniform(0, 1, size=2).astype(np.float32)
            s = np.float32(rng.uniform(0.1, 0.3))
            t += np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
        t = t / max(float(t.max()), 1e-6)
    return a + t[:, :, None] * (b - a)


def _foreground(rng: np.random.Generator, side: int, avoid: float) -> np.ndarray:
    """A gradient fill between two close colours whose brightness differs from the
    background's (``avoid``)."""
    colour = _colour(rng)
    for _ in range(16):  # keep the shape visible: brightness at least 60 away
        if abs(_luma(colour) - avoid) >= 60:
            break
        colour = _colour(rng)
    colours = [colour, np.clip(colour + rng.normal(0, 25, size=3), 0, 255).astype(np.float32)]
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = _grid(side)
    t = np.clip(0.5 + (np.float32(np.cos(angle)) * (xx - 0.5)
                       + np.float32(np.sin(angle)) * (yy - 0.5)), 0, 1)
    return colours[0] + t[:, :, None] * (colours[1] - colours[0])


def render_image(seed: int, index: int, size: int = 32) -> np.ndarray:
    """Image ``index`` of the set with ``seed``: uint8 (3, size, size)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng((int(seed), int(index), VERSION))
    kind = int(index % len(CLASSES))
    side = size * SUPERSAMPLE
    background = _background(rng, side)
    fill = _foreground(rng, side, _luma(background.mean(axis=(0, 1))))

    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    radius = rng.uniform(0.25, 0.42) * side
    aspect = rng.uniform(0.7, 1.3)
    angle = rng.uniform(0, 2 * np.pi)
    margin = radius * 0.8
    centre = rng.uniform(margin, side - margin, size=2)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    for polygon, value in shape_polygons(kind, rng):
        points = (polygon * np.array([aspect, 1.0 / aspect])) @ rotation.T * radius + centre
        draw.polygon([tuple(p) for p in points.tolist()], fill=int(value))
    alpha = np.asarray(mask, dtype=np.float32)[:, :, None] * np.float32(1 / 255)
    canvas = background + alpha * (fill - background)
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")

    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(0, 3))):  # clutter: thin lines
        ends = rng.uniform(0, side, size=4).tolist()
        draw.line(ends, fill=tuple(int(c) for c in _colour(rng)),
                  width=1)
    for _ in range(int(rng.integers(0, 4))):  # clutter: small dots
        x, y = rng.uniform(0, side, size=2)
        r = rng.uniform(0.02, 0.05) * side
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(c) for c in _colour(rng)))
    if rng.random() < 0.2:  # an occluding bar across part of the shape
        x, y = centre + rng.uniform(-radius, radius, size=2)
        length, width = rng.uniform(0.4, 0.8) * radius, rng.uniform(0.06, 0.12) * side
        bar = np.array([(-length, -width / 2), (length, -width / 2), (length, width / 2),
                        (-length, width / 2)])
        turn = rng.uniform(0, np.pi)
        spin = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
        draw.polygon([tuple(p) for p in (bar @ spin.T + (x, y)).tolist()],
                     fill=tuple(int(c) for c in _colour(rng)))
    if rng.random() < 0.2:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.2)))
    image = image.resize((size, size), Image.LANCZOS)
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.normal(0.0, rng.uniform(0, 8), size=pixels.shape).astype(np.float32)
    return np.clip(pixels, 0, 255).round().astype(np.uint8).transpose(2, 0, 1)


def render_rows(params: dict[str, Any], start: int, stop: int,
                out: np.ndarray) -> list[tuple[int, str]]:
    """The image cache's producer: fill ``out`` (rows start..stop) and report no failures."""
    seed, size = int(params["seed"]), int(params["size"])
    for row in range(start, stop):
        out[row - start] = render_image(seed, row, size)
    return []


# --- the loader ----------------------------------------------------------------------------

def shape_options(options: dict[str, Any]) -> tuple[int, int, int]:
    """(count, size, seed) from the dataset options, or a DataError naming the bad one."""
    from workbench.data.errors import DataError
    from workbench.data.raw import int_option

    unknown = sorted(set(options) - {*DEFAULTS, "workers"})
    if unknown:
        raise DataError(f"dataset 'colour_shapes': unknown option(s) {', '.join(unknown)}; "
                        f"expected count, size, seed, workers")
    return (int_option(options, "count", DEFAULTS["count"], 10, 2_000_000),
            int_option(options, "size", DEFAULTS["size"], 8, 512),
            int_option(options, "seed", DEFAULTS["seed"], 0, 2**31 - 1))


def load_colour_shapes(options: dict[str, Any], progress: Any = None,
                       cancel: Any = None) -> Any:
    """The images from the uint8 cache (generated on first use): RawData with an ImageArray."""
    from workbench.data.image_array import ImageArray
    from workbench.data.image_cache import build_or_open
    from workbench.data.raw import RawData

    count, size, seed = shape_options(options)
    cache = build_or_open(
        {"kind": "colour_shapes", "count": count, "size": size, "seed": seed,
         "version": VERSION},
        count, (3, size, size), PRODUCER, {"seed": seed, "size": size},
        workers=options.get("workers"), progress=progress, cancel=cancel,
        stage="generating colour_shapes", source=f"colour_shapes seed {seed}")
    report = {"images": count, "size": [size, size], "channels": 3, "cache": str(cache.path),
              "cache_state": "generated now" if cache.built else "reused"}
    return RawData(x=ImageArray(cache.images), y=labels(count), class_names=list(CLASSES),
                   prep="image", scale=1.0 / 255.0, report=report)
