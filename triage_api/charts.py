"""Server-rendered inline SVG charts (no JavaScript): bars over time and multi-series lines.

Every label is escaped; the output is safe to insert with ``|safe`` (it is returned as ``Markup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from markupsafe import Markup

PALETTE = (
    "#1f6f8b",
    "#e07a5f",
    "#3d405b",
    "#81b29a",
    "#f2cc8f",
    "#9c6644",
    "#5e548e",
    "#c9184a",
    "#2a9d8f",
    "#8d99ae",
    "#e9c46a",
    "#6d597a",
)


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def _frame(title: str, *, width: int, height: int, left: float, top_pad: int, plot_h: float, top: int) -> list[str]:
    """The opening of a chart's SVG: its title, the time axis and the 0 and ``top`` marks of the count axis."""
    return [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 8}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 8}" text-anchor="end" class="axis">{top}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" class="axis">0</text>',
    ]


def bar_chart(
    points: Sequence[tuple[datetime, int]],
    *,
    label_format: str = "%H:%M",
    title: str,
    width: int = 720,
    height: int = 180,
) -> Markup:
    """Vertical bars, one per time bucket (e.g. an incident's items per hour)."""
    if not points:
        return Markup('<p class="muted">Chưa có dữ liệu.</p>')
    pad_l, pad_b, pad_t = 32, 28, 12
    plot_w, plot_h = width - pad_l - 24, height - pad_b - pad_t
    top = _nice_max(max(c for _, c in points))
    slot = plot_w / len(points)
    bar_w = max(2.0, slot * 0.75)
    every = max(1, len(points) // 8)
    parts = _frame(title, width=width, height=height, left=pad_l, top_pad=pad_t, plot_h=plot_h, top=top)
    for k, (start, count) in enumerate(points):
        h = plot_h * count / top
        x = pad_l + k * slot + (slot - bar_w) / 2
        label = escape(start.strftime(label_format))
        parts.append(
            f'<rect x="{x:.1f}" y="{pad_t + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{label}: {count}</title></rect>"
        )
        if k % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" text-anchor="middle" class="axis">{label}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    series: dict[str, dict[datetime, int]],
    *,
    labels: dict[str, str],
    title: str,
    label_format: str = "%d/%m",
    axis: Sequence[datetime] | None = None,
    width: int = 960,
    height: int = 260,
) -> Markup:
    """One line per series over shared time buckets, with a legend (e.g. items per day by topic).
    ``axis``: every bucket to show (missing values count 0); default: the buckets that have values."""
    times = sorted(set(axis or ()) | {t for values in series.values() for t in values})
    if not times:
        return Markup('<p class="muted">Chưa có dữ liệu.</p>')
    pad_l: float = 32
    pad_b, pad_t = 28, 12
    plot_w, plot_h = width - pad_l - 24, height - pad_b - pad_t
    top = _nice_max(max((c for values in series.values() for c in values.values()), default=1))
    step = plot_w / max(1, len(times) - 1) if len(times) > 1 else 0.0
    if len(times) == 1:
        pad_l += plot_w / 2  # a single bucket sits in the middle
    every = max(1, len(times) // 8)
    parts = _frame(title, width=width, height=height, left=pad_l, top_pad=pad_t, plot_h=plot_h, top=top)
    for k, t in enumerate(times):
        if k % every == 0:
            parts.append(
                f'<text x="{pad_l + k * step:.1f}" y="{height - 8}" text-anchor="middle" class="axis">'
                f"{escape(t.strftime(label_format))}</text>"
            )
    legend: list[str] = []
    for n, (key, values) in enumerate(sorted(series.items(), key=lambda kv: -sum(kv[1].values()))):
        color = PALETTE[n % len(PALETTE)]
        coords = " ".join(
            f"{pad_l + k * step:.1f},{pad_t + plot_h - plot_h * values.get(t, 0) / top:.1f}"
            for k, t in enumerate(times)
        )
        name = escape(labels.get(key, key))
        for k, t in enumerate(times):
            y = pad_t + plot_h - plot_h * values.get(t, 0) / top
            parts.append(
                f'<circle cx="{pad_l + k * step:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{name} {escape(t.strftime(label_format))}: {values.get(t, 0)}</title></circle>"
            )
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}">'
            f"<title>{name}</title></polyline>"
        )
        legend.append(
            f'<li><span class="swatch" style="background:{color}"></span>{name} ({sum(values.values())})</li>'
        )
    parts.append("</svg>")
    return Markup("".join(parts) + '<ul class="legend">' + "".join(legend) + "</ul>")
