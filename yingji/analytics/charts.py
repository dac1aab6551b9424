"""Bar charts as PNG images for the Word report, drawn with numpy and written with zlib.

No plotting library is installed (matplotlib and Pillow are not dependencies), so a chart is drawn on a pixel
array: bars, axes, grid lines and the figures over the bars in a small built-in digit font. The category names
(Chinese) are not drawn: bars are numbered, and the report prints the numbered names under the image.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

# 3×5 glyphs for the digits, '.', '%' and '-', one string per row ('#' = ink).
GLYPHS = {
    "0": ["###", "#.#", "#.#", "#.#", "###"], "1": [".#.", "##.", ".#.", ".#.", "###"],
    "2": ["###", "..#", "###", "#..", "###"], "3": ["###", "..#", "###", "..#", "###"],
    "4": ["#.#", "#.#", "###", "..#", "..#"], "5": ["###", "#..", "###", "..#", "###"],
    "6": ["###", "#..", "###", "#.#", "###"], "7": ["###", "..#", "..#", "..#", "..#"],
    "8": ["###", "#.#", "###", "#.#", "###"], "9": ["###", "#.#", "###", "..#", "###"],
    ".": ["...", "...", "...", "...", ".#."], "-": ["...", "...", "###", "...", "..."],
    "%": ["#.#", "..#", ".#.", "#..", "#.#"],
}
PALETTE = [(29, 78, 137), (214, 39, 40), (255, 127, 14), (44, 160, 44), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
INK = (51, 51, 51)
GRID = (225, 225, 225)


def png_bytes(pixels: np.ndarray) -> bytes:
    """Encode an (height, width, 3) uint8 array as a PNG file (RGB, 8 bits, no interlace)."""
    height, width, _channels = pixels.shape
    rows = np.concatenate([np.zeros((height, 1), dtype=np.uint8), pixels.reshape(height, width * 3)], axis=1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def draw_text(canvas: np.ndarray, text: str, x: int, y: int, scale: int = 2, color=INK) -> None:
    """Digits at (x, y) = top-left; characters without a glyph are skipped."""
    for char in text:
        glyph = GLYPHS.get(char)
        if glyph is not None:
            for row, line in enumerate(glyph):
                for col, mark in enumerate(line):
                    if mark == "#":
                        top, left = y + row * scale, x + col * scale
                        canvas[max(top, 0):top + scale, max(left, 0):left + scale] = color
        x += 4 * scale


def text_width(text: str, scale: int = 2) -> int:
    return len(text) * 4 * scale - scale


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** int(np.floor(np.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _format(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"


def bar_chart(series: list[list[float]], *, width: int = 900, height: int = 360) -> bytes:
    """Grouped bars: `series[k][i]` is series k's value for category i. Returns PNG bytes."""
    count = max((len(s) for s in series), default=0)
    canvas = np.full((height, width, 3), 255, dtype=np.uint8)
    left, right, top, bottom = 60, 15, 25, 40
    plot_h, plot_w = height - top - bottom, width - left - right
    top_value = _nice_max(max((v for s in series for v in s), default=0))
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - int(plot_h * tick / 4)
        canvas[y, left:width - right] = GRID
        label = _format(value)
        draw_text(canvas, label, left - 8 - text_width(label), y - 5)
    canvas[top:top + plot_h + 1, left] = INK
    canvas[top + plot_h, left:width - right] = INK
    if count:
        slot = plot_w / count
        bar = max(2, int(slot * 0.8 / max(len(series), 1)))
        for i in range(count):
            x0 = left + int(slot * i + slot * 0.1)
            for k, values in enumerate(series):
                value = values[i] if i < len(values) else 0
                bar_h = int(plot_h * value / top_value) if top_value else 0
                x = x0 + k * bar
                canvas[top + plot_h - bar_h:top + plot_h, x:x + bar - 1] = PALETTE[k % len(PALETTE)]
                label = _format(value)
                scale = 2 if text_width(label) <= bar + 6 else 1
                draw_text(canvas, label, x + (bar - text_width(label, scale)) // 2, top + plot_h - bar_h - 6 * scale,
                          scale)
            number = str(i + 1)
            draw_text(canvas, number, int(left + slot * (i + 0.5)) - text_width(number) // 2, top + plot_h + 10)
    return png_bytes(canvas)
