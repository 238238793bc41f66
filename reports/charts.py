"""Charts for the digest and the periodic report: matplotlib (Agg, no pyplot state) to PNG bytes,
embedded as data URIs in HTML and as pictures in .docx. No CDN, nothing fetched."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.figure import Figure

BAR_COLOR = "#1f5c99"
LINE_COLOR = "#b03a2e"


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def hbar(labels: Sequence[str], values: Sequence[float], title: str, *, xlabel: str = "Số tin") -> bytes:
    """A horizontal bar chart (largest on top)."""
    height = max(2.0, 0.32 * len(labels) + 1.0)
    fig = Figure(figsize=(7.0, height))
    ax = fig.add_subplot()
    pairs = list(zip(labels, values, strict=True))[::-1]
    ax.barh([p[0] for p in pairs], [p[1] for p in pairs], color=BAR_COLOR)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not labels:
        ax.text(0.5, 0.5, "Không có dữ liệu", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def line(labels: Sequence[str], values: Sequence[float], title: str, *, ylabel: str = "Số tin") -> bytes:
    """A line chart over time (labels are dates or months)."""
    fig = Figure(figsize=(7.0, 2.8))
    ax = fig.add_subplot()
    ax.plot(list(labels), list(values), marker="o", color=LINE_COLOR)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
