"""Bar charts as PNG images for the Word report, drawn with matplotlib (Agg, no display).

Each chart names its categories on the axis and its series in a legend, labels its value axis with the unit,
uses whole-number ticks for counts, and is not drawn at all when every value is zero: the report says so in a
sentence instead. Chinese text needs a CJK font on the server (Debian: fonts-noto-cjk); the first one found among
the usual names is used, so a bureau's server with SimHei or Microsoft YaHei works as well.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from django.conf import settings

# matplotlib keeps its font cache in MPLCONFIGDIR; the service account's home may not be writable.
os.environ.setdefault("MPLCONFIGDIR", str(Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "matplotlib"))

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei",
             "Microsoft YaHei", "PingFang SC", "Heiti SC")
PALETTE = ("#1d4e89", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


@cache
def cjk_font() -> str | None:
    """The first installed font that has Chinese glyphs, by family name."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def has_data(series: Sequence[Sequence[float]]) -> bool:
    return any(value for values in series for value in values)


def bar_chart(categories: Sequence[str], series: Sequence[Sequence[float]], legend: Sequence[str], *,
              value_label: str, integer: bool = True, width_cm: float = 16.0) -> bytes | None:
    """Grouped bars, one group per category; None when every value is zero (no empty chart)."""
    if not categories or not has_data(series):
        return None
    font = cjk_font()
    style = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}
    with plt.rc_context(style):
        figure, axes = plt.subplots(figsize=(width_cm / 2.54, width_cm / 2.54 * 0.5), dpi=200)
        try:
            count = len(series)
            width = 0.8 / count
            positions = range(len(categories))
            for index, (values, name) in enumerate(zip(series, legend, strict=True)):
                offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
                bars = axes.bar(offsets, values, width=width * 0.95, label=name, color=PALETTE[index % len(PALETTE)])
                axes.bar_label(bars, labels=[_number(v) if v else "" for v in values], fontsize=7, padding=1)
            axes.set_xticks(list(positions), [str(c) for c in categories], fontsize=8,
                            rotation=30 if len(categories) > 6 else 0, ha="right" if len(categories) > 6 else "center")
            axes.set_ylabel(value_label, fontsize=8)
            axes.yaxis.set_major_locator(MaxNLocator(integer=integer))
            axes.tick_params(axis="y", labelsize=8)
            axes.spines[["top", "right"]].set_visible(False)
            axes.grid(axis="y", color="#e1e1e1", linewidth=0.6)
            axes.set_axisbelow(True)
            axes.set_ylim(bottom=0)
            if count > 1:
                axes.legend(fontsize=8, frameon=False, ncols=count, loc="upper right")
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
            return buffer.getvalue()
        finally:
            plt.close(figure)


def _number(value: float) -> str:
    return f"{value:g}"
