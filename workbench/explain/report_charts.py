"""Charts for the HTML run report, drawn as inline SVG text or PNG ``data:`` URIs (no library,
no external file): line charts of learning curves, ranked bars with error bars, a reliability
diagram, and heat maps / images as tiny PNGs scaled up by the browser."""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
FONT = 'font-family="sans-serif" font-size="11"'


def _num(value: float) -> str:
    """A short label for an axis tick or a bar value."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    return f"{value:.3g}" if abs(value) >= 1e-3 else f"{value:.1e}"


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    return [lo + (hi - lo) * i / (count - 1) for i in range(count)]


def line_chart(series: dict[str, Sequence[tuple[float, float]]], *, title: str,
               x_label: str = "epoch", width: int = 520, height: int = 260) -> str:
    """An SVG line chart of named (x, y) series with axes, ticks and a legend."""
    points = [(x, y) for values in series.values() for x, y in values
              if math.isfinite(x) and math.isfinite(y)]
    if not points:
        return f"<p class='muted'>{escape(title)}: no values recorded.</p>"
    left, right, top, bottom = 56, 12, 24, 36
    x_lo, x_hi = min(p[0] for p in points), max(p[0] for p in points)
    y_lo, y_hi = min(p[1] for p in points), max(p[1] for p in points)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
    pad = (y_hi - y_lo) * 0.05 or abs(y_hi) * 0.05 or 0.5
    y_lo, y_hi = y_lo - pad, y_hi + pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * plot_w

    def sy(y: float) -> float:
        return top + (1 - (y - y_lo) / (y_hi - y_lo)) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
             f'stroke="#999"/>']
    for y in _ticks(y_lo, y_hi):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{sy(y):.1f}" '
                     f'y2="{sy(y):.1f}" stroke="#eee"/><text x="{left - 4}" y="{sy(y) + 4:.1f}" '
                     f'text-anchor="end">{_num(y)}</text>')
    x_ticks = sorted({round(x) for x in _ticks(x_lo, x_hi, min(6, int(x_hi - x_lo) + 1))})
    for x in x_ticks:
        parts.append(f'<text x="{sx(x):.1f}" y="{top + plot_h + 14}" '
                     f'text-anchor="middle">{x:g}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" '
                 f'text-anchor="middle">{escape(x_label)}</text>')
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        finite = [(x, y) for x, y in values if math.isfinite(x) and math.isfinite(y)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in finite)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                     f'stroke-width="2"/>')
        parts += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{color}"/>'
                  for x, y in finite]
        lx = left + plot_w - 150
        ly = top + 14 + 15 * i
        parts.append(f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{lx + 14}" y="{ly + 1}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: Sequence[tuple[str, float, float | None]], *, title: str,
              width: int = 620, bar_height: int = 18,
              colors: tuple[str, str] = (PALETTE[0], PALETTE[1])) -> str:
    """Horizontal bars (label, value, ± error or None) in the given order; a zero line, so
    negative values point left; ``colors``: (positive, negative)."""
    if not rows:
        return f"<p class='muted'>{escape(title)}: nothing to show.</p>"
    label_w, value_w, top = 170, 130, 24
    plot_w = width - label_w - value_w
    lo = min([0.0] + [v - (e or 0.0) for _, v, e in rows])
    span = max([0.0] + [v + (e or 0.0) for _, v, e in rows])
    if span - lo < 1e-12:
        span = lo + 1e-12
    zero = label_w + (0 - lo) / (span - lo) * plot_w

    def sx(v: float) -> float:
        return label_w + (min(max(v, lo), span) - lo) / (span - lo) * plot_w

    height = top + len(rows) * (bar_height + 4) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="4" y="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, value, err) in enumerate(rows):
        y = top + i * (bar_height + 4)
        x0, x1 = sorted((zero, sx(value)))
        color = colors[0] if value >= 0 else colors[1]
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height - 5}" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>'
                     f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 0.5):.1f}" '
                     f'height="{bar_height}" fill="{color}" opacity="0.8"/>')
        if err:
            a, b = sx(value - err), sx(value + err)
            mid = y + bar_height / 2
            parts.append(f'<line x1="{a:.1f}" x2="{b:.1f}" y1="{mid}" y2="{mid}" '
                         f'stroke="#222"/><line x1="{a:.1f}" x2="{a:.1f}" y1="{mid - 4}" '
                         f'y2="{mid + 4}" stroke="#222"/><line x1="{b:.1f}" x2="{b:.1f}" '
                         f'y1="{mid - 4}" y2="{mid + 4}" stroke="#222"/>')
        text = _num(value) + (f" ± {err:.2g}" if err else "")
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + bar_height - 5}">'
                     f'{escape(text)}</text>')
    parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top - 2}" y2="{height - 6}" '
                 f'stroke="#555"/></svg>')
    return "".join(parts)


def reliability_diagram(bins: Sequence[dict[str, Any]], *, title: str,
                        calibrated: Sequence[dict[str, Any]] | None = None,
                        size: int = 280) -> str:
    """Accuracy against confidence per bin (bars; empty bins left out) and the diagonal of
    perfect calibration; ``calibrated`` bins drawn as a second series of points."""
    left, top, bottom = 44, 24, 36
    plot = size - left - 12
    height = top + plot + bottom

    def sx(v: float) -> float:
        return left + v * plot

    def sy(v: float) -> float:
        return top + (1 - v) * plot

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{plot}" height="{plot}" fill="none" '
             f'stroke="#999"/>',
             f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#888" '
             f'stroke-dasharray="4 3"/>']
    for b in bins:
        if b.get("accuracy") is None:
            continue
        x0, x1, acc = sx(b["lo"]), sx(b["hi"]), float(b["accuracy"])
        parts.append(f'<rect x="{x0 + 1:.1f}" y="{sy(acc):.1f}" width="{x1 - x0 - 2:.1f}" '
                     f'height="{sy(0) - sy(acc):.1f}" fill="{PALETTE[0]}" opacity="0.75">'
                     f'<title>{b["count"]} samples, confidence {b["confidence"]:.3f}, '
                     f'accuracy {acc:.3f}</title></rect>')
    for b in calibrated or []:
        if b.get("accuracy") is not None:
            parts.append(f'<circle cx="{sx(float(b["confidence"])):.1f}" '
                         f'cy="{sy(float(b["accuracy"])):.1f}" r="3.5" fill="{PALETTE[3]}"/>')
    for v in (0, 0.5, 1):
        parts.append(f'<text x="{sx(v):.1f}" y="{top + plot + 14}" text-anchor="middle">{v:g}'
                     f'</text><text x="{left - 4}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:g}'
                     f'</text>')
    parts.append(f'<text x="{left + plot / 2:.1f}" y="{height - 4}" text-anchor="middle">'
                 f'confidence</text><text x="10" y="{top + plot / 2:.1f}" '
                 f'transform="rotate(-90 10 {top + plot / 2:.1f})" text-anchor="middle">'
                 f'accuracy</text></svg>')
    return "".join(parts)


def png_data_uri(rgb: np.ndarray) -> str:
    """A ``data:image/png`` URI of an H x W x 3 array of values in [0, 1] (or H x W grey)."""
    pixels = np.asarray(rgb, dtype=np.float64)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    data = (np.clip(np.nan_to_num(pixels), 0, 1) * 255 + 0.5).astype(np.uint8)
    height, width = data.shape[:2]
    raw = b"".join(b"\x00" + data[row].tobytes() for row in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image_rgb(image: Any) -> np.ndarray:
    """C x H x W values in [0, 1] (1 or 3 channels; others: their mean) as H x W x 3."""
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 2:
        array = array[None]
    if array.shape[0] == 3:
        return np.transpose(array, (1, 2, 0))
    grey = array.mean(axis=0)
    return np.repeat(grey[:, :, None], 3, axis=2)


def heat_rgb(values: Any) -> np.ndarray:
    """An H x W attribution map as colours: red for positive, blue for negative, white for
    zero, scaled by the largest magnitude."""
    heat = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if heat.ndim != 2:
        heat = heat.reshape(heat.shape[-2], heat.shape[-1]) if heat.ndim > 2 else heat[None]
    scale = float(np.abs(heat).max()) or 1.0
    v = heat / scale
    pos, neg = np.clip(v, 0, 1), np.clip(-v, 0, 1)
    return np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=2).clip(0, 1)


def overlay_rgb(image: Any, values: Any, alpha: float = 0.85) -> np.ndarray:
    """The heat map laid over the (greyed) image."""
    base = image_rgb(image).mean(axis=2, keepdims=True).repeat(3, axis=2)
    heat = heat_rgb(values)
    if heat.shape[:2] != base.shape[:2]:
        return heat
    strength = 1 - heat.min(axis=2, keepdims=True)  # 0 where the heat map is white
    return base * (1 - alpha * strength) + heat * alpha * strength


def img_tag(uri: str, *, size: int = 112, title: str = "") -> str:
    """An <img> of a PNG data URI shown ``size`` pixels wide, pixels kept sharp."""
    return (f'<img src="{uri}" style="width:{size}px" alt="{escape(title)}" '
            f'title="{escape(title)}" class="px">')
